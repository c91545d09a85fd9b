package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.unetpipelines.augment.CopyRandom;
import org.unetpipelines.augment.ImageStack;
import org.unetpipelines.augment.SampleLayers;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.records.AugmentParam;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/**
 * The one block every augmentation stage shares: maps each sample's image, mask and weights through
 * a {@link SampleOp}, {@code copies} times, each copy with its own random stream
 * {@link CopyRandom#forCopy(long, String, int, String) f(seed, sample id, copy, stage name)}.
 *
 * <p>Output ids: the input id when one input gives one output; otherwise
 * {@code <input id>/<stage name>#<k>}, k = copy (or tile index), so ids stay unique and stable.
 * Each output records the op's parameters as {@link AugmentParam}s appended to the input's, its
 * {@code copy} index and the pipeline seed. Samples the op rejects become dead letters.
 */
final class AugmentSamples extends PTransform<PCollection<Sample>, SampleResult> {
  /** Counter (namespace = stage name) of samples emitted. */
  static final String OUTPUT_COUNTER = "augmented";

  /** At most this many initial parts per input: enough to spread copies, bounded so memory is too. */
  static final int MAX_INITIAL_SPLITS = 4;

  private final AugmentSettings settings;
  private final SampleOp op;

  private AugmentSamples(AugmentSettings settings, SampleOp op) {
    this.settings = checkNotNull(settings, "settings");
    this.op = checkNotNull(op, "op");
  }

  static AugmentSamples of(AugmentSettings settings, SampleOp op) {
    return new AugmentSamples(settings, op);
  }

  @Override
  public SampleResult expand(PCollection<Sample> input) {
    // one copy: a plain DoFn. The splittable one runs, on the DirectRunner, every element as its own
    // bundle, which made every later GroupByKey / Combine copy its state once per sample (quadratic).
    DoFn<Sample, Sample> fn = settings.copies() > 1 ? new ApplyOpFn(settings, op) : new ApplyOnceFn(settings, op);
    PCollectionTuple out = input.apply("Apply", ParDo.of(fn)
        .withOutputTags(SampleResult.SAMPLES, TupleTagList.of(SampleResult.DEAD_LETTERS)));
    return new SampleResult(input.getPipeline(),
        out.get(SampleResult.SAMPLES).setCoder(Coders.sample()),
        out.get(SampleResult.DEAD_LETTERS).setCoder(Coders.deadLetter()));
  }

  /**
   * The work on one sample both DoFns share: copies {@code from, from + 1, ...} as long as
   * {@code next} allows the next one (a restriction tracker's claim, or simply {@code c < copies}).
   */
  static final class CopyWork implements java.io.Serializable {
    private final AugmentSettings settings;
    private final SampleOp op;
    private final Counter emitted;

    CopyWork(AugmentSettings settings, SampleOp op) {
      this.settings = settings;
      this.op = op;
      this.emitted = Metrics.counter(settings.stageName(), OUTPUT_COUNTER);
    }

    void run(Sample in, long from, java.util.function.LongPredicate next, DoFn.MultiOutputReceiver out) {
      ImageStack layers;
      try {
        layers = SampleLayers.of(in);
      } catch (IllegalArgumentException e) {
        // one dead letter per input, from the part that holds copy 0; the rest of the range is done
        if (from == 0) {
          dead(in.getId(), "cannot read the sample's tensors: " + e.getMessage(), out);
        }
        for (long c = from + 1; next.test(c); c++) {
          // nothing to emit for these copies
        }
        return;
      }
      for (long c = from; c == from || next.test(c); c++) {
        int copy = (int) c;
        SplittableRandom rng = CopyRandom.forCopy(settings.seed(), in.getId(), copy, settings.stageName());
        List<SampleOp.Outcome> results;
        try {
          results = op.apply(layers, rng);
        } catch (IllegalArgumentException e) {
          // every rejected copy is a dead letter, named as its output would have been
          dead(settings.copies() > 1 ? copyId(in, copy) : in.getId(), e.getMessage(), out);
          results = List.of();
        }
        boolean fanOut = settings.copies() * results.size() > 1;
        for (int j = 0; j < results.size(); j++) {
          int k = copy * results.size() + j;
          out.get(SampleResult.SAMPLES).output(toSample(in, results.get(j), fanOut, k));
          emitted.inc();
        }
      }
    }

    private Sample toSample(Sample in, SampleOp.Outcome r, boolean fanOut, int k) {
      List<AugmentParam> params = new ArrayList<>(in.getParams());
      for (Map.Entry<String, Double> e : r.params().entrySet()) {
        params.add(new AugmentParam(settings.stageName(), e.getKey(), e.getValue()));
      }
      return SampleLayers.set(Sample.newBuilder(in), r.layers())
          .setId(fanOut ? copyId(in, k) : in.getId())
          .setSeed(settings.seed())
          .setCopy(fanOut ? k : in.getCopy())
          .setParams(params)
          .build();
    }

    private String copyId(Sample in, int k) {
      return in.getId() + "/" + settings.stageName() + "#" + k;
    }

    private void dead(String input, String reason, DoFn.MultiOutputReceiver out) {
      out.get(SampleResult.DEAD_LETTERS).output(DeadLetter.newBuilder()
          .setInput(input)
          .setStage(settings.stageName())
          .setReason(reason)
          .build());
    }
  }

  /** One copy per sample (the stage's {@code copies} is 1): a plain DoFn, bundles kept as they come. */
  static final class ApplyOnceFn extends DoFn<Sample, Sample> {
    private final CopyWork work;

    ApplyOnceFn(AugmentSettings settings, SampleOp op) {
      this.work = new CopyWork(settings, op);
    }

    @ProcessElement
    public void process(@Element Sample in, MultiOutputReceiver out) {
      work.run(in, 0, c -> false, out);
    }
  }

  /**
   * Several copies per sample: splittable over the copy range {@code [0, copies)}: a runner can
   * checkpoint between copies (the DirectRunner does every 100 outputs or second) and split the range
   * across workers, so a large fan-out never has to sit in one bundle: memory stays flat as copies
   * grow. The initial split is into at most {@link #MAX_INITIAL_SPLITS} parts, each carrying the input
   * sample once.
   */
  @DoFn.BoundedPerElement
  static final class ApplyOpFn extends DoFn<Sample, Sample> {
    private final AugmentSettings settings;
    private final CopyWork work;

    ApplyOpFn(AugmentSettings settings, SampleOp op) {
      this.settings = settings;
      this.work = new CopyWork(settings, op);
    }

    @GetInitialRestriction
    public OffsetRange initialRestriction(@Element Sample in) {
      return new OffsetRange(0, settings.copies());
    }

    @SplitRestriction
    public void splitRestriction(@Restriction OffsetRange range, OutputReceiver<OffsetRange> out) {
      long perPart = Math.max(1, (range.getTo() - range.getFrom() + MAX_INITIAL_SPLITS - 1) / MAX_INITIAL_SPLITS);
      for (OffsetRange part : range.split(perPart, 1)) {
        out.output(part);
      }
    }

    @GetRestrictionCoder
    public Coder<OffsetRange> restrictionCoder() {
      return OffsetRange.Coder.of();
    }

    @ProcessElement
    public ProcessContinuation process(@Element Sample in, RestrictionTracker<OffsetRange, Long> tracker,
        MultiOutputReceiver out) {
      long from = tracker.currentRestriction().getFrom();
      if (!tracker.tryClaim(from)) {
        return ProcessContinuation.stop();
      }
      work.run(in, from, tracker::tryClaim, out);
      return ProcessContinuation.stop();
    }
  }
}
