package org.unetpipelines.stages.eval;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import java.util.Optional;
import org.unetpipelines.engine.BaseStage;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.eval.ChallengeMetrics;
import org.unetpipelines.eval.ClassificationMetrics;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.Overlays;
import org.unetpipelines.eval.Predictor;
import org.unetpipelines.eval.ProbabilityMap;
import org.unetpipelines.eval.RedoMetrics;
import org.unetpipelines.eval.SegmentationMetrics;
import org.unetpipelines.eval.MetricSummary;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.Coders;
import org.unetpipelines.stages.SampleResult;

/**
 * Evaluates trained models on labelled samples ({@link InferenceConfig}: tiling, test-time
 * augmentation, output head; a named head is recorded as {@code variant/head}): parallel inference (the model is loaded once per
 * worker and shared by its threads), one {@link MetricRecord} per image and metric, and aggregate
 * records per metric (imageId null; mean, sample std, n, 95 % Student-t interval) through a
 * Combine. Samples that cannot be scored come out as dead letters. Samples with a mask get the
 * segmentation metrics of {@link SegmentationMetrics} and the ISBI challenge's scores of
 * {@link ChallengeMetrics} ({@code v_rand}, {@code v_info}, {@code rand_error_2012},
 * {@code warping_error}; plus ReDo's when asked, {@link RedoMetrics}: per image the original code's best
 * polarity {@code redo_iou_image} / {@code redo_accuracy_image}, and as aggregates only the scores with
 * one polarity for the whole set {@code redo_iou_set} / {@code redo_accuracy_set} with the decision
 * {@code redo_inverted_set}); samples with a class label get {@code top1},
 * {@code top5} (0/1 per image, so the aggregate mean is the accuracy), {@code cross_entropy},
 * {@code accuracy_class_<k>} of their class k (aggregate: per-class accuracy, n = the class's support)
 * and {@code confusion_<k>_<p>} = 1 for the confusion-matrix cell they fall in (true k, predicted p;
 * aggregate: n = the cell's count, the share of class k predicted as p is that n over
 * {@code accuracy_class_<k>}'s; cells no sample falls in have no record).
 *
 * <p>The aggregate of a challenge score ({@link ChallengeMetrics#STACK_SCORED}, which includes
 * {@code pixel_error}) is the challenge's score of the stack of images, not the mean of the per-image
 * values: V_rand, V_info and the warping error are averaged over images per threshold and the best
 * threshold is kept (std and interval are those of the per-image values at that threshold); the
 * 2012 Rand error and the pixel error pool their counts over images (no std or interval). The chosen
 * thresholds are aggregate records too ({@code v_rand_threshold}, ...). Optionally writes
 * {@code metrics.avro|csv|jsonl} and, per segmentation image, an overlay and a probability PNG
 * under {@code overlays/} of the output folder.
 *
 * <pre>{@code
 * PCollection<MetricRecord> m = samples.apply(
 *     Evaluate.models(artifacts).withDataset("isbi2012").withSplit("validation").writeTo("/out/eval")).metrics();
 * }</pre>
 */
public final class Evaluate extends PTransform<PCollection<Sample>, MetricResult> {
  /** Sub-folder of the output folder that holds the overlay PNGs. */
  public static final String OVERLAYS = "overlays";

  /** Suffix of the aggregate records that give a stack score's chosen threshold. */
  public static final String THRESHOLD_SUFFIX = "_threshold";

  /** Per-threshold challenge statistics of each scored image, keyed by run/model/variant/dataset/split. */
  static final TupleTag<KV<String, ChallengeMetrics.Slice>> SLICES = new TupleTag<>("slices") {};

  /** Both polarities' ReDo scores of each image, keyed like {@link #SLICES}. */
  static final TupleTag<KV<String, RedoMetrics.Polarities>> REDO = new TupleTag<>("redo") {};

  private final PCollection<ModelArtifact> artifacts;
  private final ModelArtifact fixed;
  private final String dataset;
  private final String split;
  private final InferenceConfig inference;
  private final boolean redo;
  private final String directory;
  private final boolean overlays;
  private final String stageName;
  private final boolean isolate;

  /** Failures of a model (it does not load, does not serve the head, inference throws), when isolated. */
  static final TupleTag<DeadLetter> MODEL_FAILURES = new TupleTag<>("modelFailures") {};

  private Evaluate(PCollection<ModelArtifact> artifacts, ModelArtifact fixed, String dataset, String split,
      InferenceConfig inference, boolean redo, String directory, boolean overlays, String stageName) {
    this(artifacts, fixed, dataset, split, inference, redo, directory, overlays, stageName, false);
  }

  private Evaluate(PCollection<ModelArtifact> artifacts, ModelArtifact fixed, String dataset, String split,
      InferenceConfig inference, boolean redo, String directory, boolean overlays, String stageName, boolean isolate) {
    this.isolate = isolate;
    this.stageName = stageName;
    this.artifacts = artifacts;
    this.fixed = fixed;
    this.dataset = dataset;
    this.split = split;
    this.inference = inference;
    this.redo = redo;
    this.directory = directory;
    this.overlays = overlays;
  }

  /** Evaluates every model of a collection (e.g. a Train stage's output) on every sample. */
  public static Evaluate models(PCollection<ModelArtifact> artifacts) {
    checkArgument(artifacts != null, "model artifacts must not be null");
    return new Evaluate(artifacts, null, "dataset", "test", InferenceConfig.DEFAULT, false, null, true, "Evaluate");
  }

  /** Evaluates one SavedModel (its {@code model.json} gives the geometry). */
  public static Evaluate model(ModelSpec spec, String run) {
    checkArgument(spec != null, "model spec must not be null");
    checkArgument(run != null && !run.isBlank(), "run name must not be empty");
    return new Evaluate(null, artifactOf(spec, run), "dataset", "test", InferenceConfig.DEFAULT, false, null, true,
        "Evaluate");
  }

  /** A minimal artifact for a SavedModel that did not come from a Train stage in this pipeline. */
  static ModelArtifact artifactOf(ModelSpec spec, String run) {
    Path dir = Path.of(spec.savedModelDir()).toAbsolutePath().normalize();
    // variant: the model's folder name (its parent's for a training output's saved_model/)
    Path named = dir.getFileName().toString().equals(ModelSpec.SAVED_MODEL) && dir.getParent() != null
        ? dir.getParent() : dir;
    return ModelArtifact.newBuilder().setRun(run).setModel("savedmodel")
        .setVariant(String.valueOf(named.getFileName())).setSavedModelDir(spec.savedModelDir())
        .setInputHeight(spec.inputHeight()).setInputWidth(spec.inputWidth()).setInputChannels(spec.inputChannels())
        .setOutputHeight(spec.outputHeight()).setOutputWidth(spec.outputWidth()).setClasses(spec.classes())
        .setParameters(0).setSteps(0).setSeed(0).setTrainSeconds(0).setFinalLoss(Double.NaN).setConfig("{}")
        .build();
  }

  public Evaluate withDataset(String dataset) {
    checkArgument(dataset != null && !dataset.isBlank(), "dataset name must not be empty");
    return new Evaluate(artifacts, fixed, dataset, split, inference, redo, directory, overlays, stageName);
  }

  public Evaluate withSplit(String split) {
    checkArgument(split != null && !split.isBlank(), "split name must not be empty");
    return new Evaluate(artifacts, fixed, dataset, split, inference, redo, directory, overlays, stageName);
  }

  public Evaluate withInference(InferenceConfig inference) {
    checkArgument(inference != null, "inference settings must not be null");
    return new Evaluate(artifacts, fixed, dataset, split, inference, redo, directory, overlays, stageName);
  }

  /**
   * Adds ReDo's scores: per-image best polarity ({@code redo_accuracy_image}, {@code redo_iou_image})
   * and one polarity for the whole set ({@code redo_accuracy_set}, {@code redo_iou_set}, {@code redo_inverted_set}).
   */
  public Evaluate withRedoMetrics(boolean redo) {
    return new Evaluate(artifacts, fixed, dataset, split, inference, redo, directory, overlays, stageName);
  }

  /** Writes the metric files (and overlays) into this folder. */
  public Evaluate writeTo(String directory) {
    checkArgument(directory != null && !directory.isBlank(), "output directory must not be empty");
    return new Evaluate(artifacts, fixed, dataset, split, inference, redo,
        Path.of(directory).toAbsolutePath().normalize().toString(), overlays, stageName);
  }

  /** Whether to write overlay PNGs (default true; needs {@link #writeTo}). */
  public Evaluate withOverlays(boolean overlays) {
    return new Evaluate(artifacts, fixed, dataset, split, inference, redo, directory, overlays, stageName);
  }

  /**
   * A model that fails (does not load, does not serve the asked head, inference throws) gives a dead
   * letter per sample in {@link MetricResult#modelFailures} instead of failing the run (default: it
   * fails the run). A grid cell's Evaluate runs like this, so its failure is the cell's.
   */
  public Evaluate withModelFailuresAsDeadLetters() {
    return new Evaluate(artifacts, fixed, dataset, split, inference, redo, directory, overlays, stageName, true);
  }

  /** The name recorded in dead letters (default "Evaluate"). */
  public Evaluate withStageName(String name) {
    checkArgument(name != null && !name.isBlank(), "stage name must not be empty");
    return new Evaluate(artifacts, fixed, dataset, split, inference, redo, directory, overlays, name, isolate);
  }

  @Override
  public MetricResult expand(PCollection<Sample> samples) {
    PCollection<ModelArtifact> models = artifacts != null ? artifacts
        : samples.getPipeline().apply("Model", Create.of(fixed).withCoder(Coders.modelArtifact()));
    PCollectionView<List<ModelArtifact>> view = models.apply("ModelsAsList", View.asList());
    String overlayDir = directory != null && overlays ? Path.of(directory, OVERLAYS).toString() : null;
    PCollectionTuple scored = samples
        .apply("PredictAndScore", ParDo.of(new ScoreFn(view, dataset, split, inference, redo, overlayDir, stageName, isolate))
            .withSideInputs(view)
            .withOutputTags(MetricResult.METRICS, TupleTagList.of(SampleResult.DEAD_LETTERS).and(SLICES)
                .and(MODEL_FAILURES).and(REDO)));
    PCollection<MetricRecord> perImage = scored.get(MetricResult.METRICS).setCoder(Coders.metricRecord());
    PCollection<DeadLetter> dead = scored.get(SampleResult.DEAD_LETTERS).setCoder(Coders.deadLetter());
    PCollection<MetricRecord> aggregates = perImage
        .apply("KeyByModel", ParDo.of(new KeyFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(),
            KvCoder.of(StringUtf8Coder.of(), org.apache.beam.sdk.coders.DoubleCoder.of())))
        .apply("Aggregate", Combine.perKey(new MetricSummaries()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), MetricSummaries.AccCoder.INSTANCE))
        .apply("ToAggregateRecords", ParDo.of(new AggregateFn()))
        .setCoder(Coders.metricRecord());
    PCollection<MetricRecord> stacks = scored.get(SLICES)
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AccumulatorCoders.SLICE))
        .apply("ChallengeStack", Combine.perKey(new StackFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AccumulatorCoders.STACK))
        .apply("ToChallengeRecords", ParDo.of(new StackRecordsFn()))
        .setCoder(Coders.metricRecord());
    PCollection<MetricRecord> redoSets = scored.get(REDO)
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AccumulatorCoders.POLARITIES))
        .apply("RedoSetPolarity", Combine.perKey(new RedoSetFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AccumulatorCoders.SET_SCORE))
        .apply("ToRedoSetRecords", ParDo.of(new RedoSetRecordsFn()))
        .setCoder(Coders.metricRecord());
    PCollection<MetricRecord> all = PCollectionList.of(perImage).and(aggregates).and(stacks).and(redoSets)
        .apply("PerImageAndAggregates", Flatten.pCollections());
    if (directory != null) {
      all.apply("WriteMetrics", WriteMetrics.to(directory));
    }
    return new MetricResult(samples.getPipeline(), all, dead,
        scored.get(MODEL_FAILURES).setCoder(Coders.deadLetter()));
  }

  /**
   * Runs the models on one sample and scores the prediction; a sample without mask or label, or
   * whose mask or size does not fit, becomes a dead letter (a model that fails fails the run).
   */
  static final class ScoreFn extends ModelFn<Sample, MetricRecord> {
    private final String dataset;
    private final String split;
    private final boolean redo;
    private final String overlayDir;
    private final Counter images = Metrics.counter(Evaluate.class, "images");

    private final boolean isolate;

    ScoreFn(PCollectionView<List<ModelArtifact>> view, String dataset, String split, InferenceConfig inference,
        boolean redo, String overlayDir, String stage, boolean isolate) {
      super(view, inference, stage);
      this.isolate = isolate;
      this.dataset = dataset;
      this.split = split;
      this.redo = redo;
      this.overlayDir = overlayDir;
    }

    @ProcessElement
    public void process(@Element Sample s, ProcessContext ctx) {
      if (!isolate) {
        score(s, ctx);
        return;
      }
      try {
        score(s, ctx);
      } catch (RuntimeException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        ctx.output(MODEL_FAILURES, DeadLetter.newBuilder().setInput(s.getId()).setStage(stage)
            .setReason("evaluation failed: " + m).build());
      }
    }

    private void score(Sample s, ProcessContext ctx) {
      List<ModelArtifact> models = ctx.sideInput(view);
      if (s.getMask() == null && s.getLabel() == null) {
        ctx.output(SampleResult.DEAD_LETTERS, DeadLetter.newBuilder().setInput(s.getId()).setStage(stage)
            .setReason("sample has neither a mask nor a class label; Evaluate needs one of them").build());
        return;
      }
      ImageArray image = Tensors.toImage(s.getImage());
      List<MetricRecord> out = new ArrayList<>();
      List<KV<String, ChallengeMetrics.Slice>> slices = new ArrayList<>();
      List<KV<String, RedoMetrics.Polarities>> redoScores = new ArrayList<>();
      for (ModelArtifact a : models) {
        Predictor p = predictor(a);
        Map<String, Double> m;
        try {
          if (s.getMask() != null) {
            Scored sc = segmentation(s, image, Tensors.toImage(s.getMask()), p, a);
            m = sc.metrics();
            slices.add(KV.of(groupKey(a, inference, dataset, split), sc.slice()));
            if (sc.redo() != null) {
              redoScores.add(KV.of(groupKey(a, inference, dataset, split), sc.redo()));
            }
          } else {
            m = classification(image, s.getLabel(), p);
          }
        } catch (IllegalArgumentException e) {
          ctx.output(SampleResult.DEAD_LETTERS, DeadLetter.newBuilder().setInput(s.getId()).setStage(stage)
              .setReason("model " + a.getRun() + ": " + e.getMessage()).build());
          return;
        }
        for (Map.Entry<String, Double> e : m.entrySet()) {
          out.add(MetricRecord.newBuilder().setRun(a.getRun()).setModel(a.getModel()).setVariant(variant(a, inference))
              .setDataset(dataset).setSplit(split).setImageId(s.getId()).setMetric(e.getKey())
              .setValue(e.getValue()).setN(1).build());
        }
      }
      out.forEach(ctx::output);
      slices.forEach(kv -> ctx.output(SLICES, kv));
      redoScores.forEach(kv -> ctx.output(REDO, kv));
      images.inc();
    }

    /** One image's metrics, its per-threshold challenge statistics and (when asked) both ReDo polarities. */
    private record Scored(Map<String, Double> metrics, ChallengeMetrics.Slice slice, RedoMetrics.Polarities redo) {}

    private Scored segmentation(Sample s, ImageArray image, ImageArray mask, Predictor p,
        ModelArtifact a) {
      checkArgument(image.sameSize(mask), "image is %sx%s but its mask is %sx%s",
          image.height(), image.width(), mask.height(), mask.width());
      ProbabilityMap probs = inference.predict(p, image);
      float[] fg = probs.foreground();
      boolean[] truth = SegmentationMetrics.foreground(mask);
      Map<String, Double> m = new LinkedHashMap<>(
          SegmentationMetrics.compute(fg, truth, image.height(), image.width(), inference.threshold()));
      ChallengeMetrics.Slice slice = ChallengeMetrics.score(fg, truth, image.height(), image.width());
      m.putAll(slice.values());
      RedoMetrics.Polarities polarities = null;
      if (redo) {
        polarities = RedoMetrics.of(fg, truth, inference.threshold());
        m.put(RedoMetrics.ACCURACY_IMAGE, polarities.bestAccuracy());
        m.put(RedoMetrics.IOU_IMAGE, polarities.bestIou());
      }
      if (overlayDir != null) {
        writeOverlay(s.getId(), a, image, fg, truth);
      }
      return new Scored(m, slice, polarities);
    }

    private void writeOverlay(String id, ModelArtifact a, ImageArray image, float[] fg, boolean[] truth) {
      String stem = Overlays.stem(a.getRun() + "__" + id);
      try {
        Path dir = Files.createDirectories(Path.of(overlayDir));
        Files.write(dir.resolve(stem + ".overlay.png"),
            ImageCodec.encodePng(Overlays.overlay(image, fg, truth, inference.threshold())));
        Files.write(dir.resolve(stem + ".prob.png"), ImageCodec.encodePng(
            Overlays.probabilityImage(image.height(), image.width(), fg, ImageArray.Depth.U8)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write overlay for " + id + " into " + overlayDir, e);
      }
    }

    private static Map<String, Double> classification(ImageArray image, int label, Predictor p) {
      float[] probs = p.classify(image);
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("top1", ClassificationMetrics.inTopK(probs, label, 1) ? 1.0 : 0.0);
      m.put("top5", ClassificationMetrics.inTopK(probs, label, Math.min(5, probs.length)) ? 1.0 : 0.0);
      m.put("cross_entropy", ClassificationMetrics.crossEntropy(probs, label));
      // per class (aggregate mean = that class's accuracy, n = its support) and the confusion-matrix cell
      // the sample falls in (value 1: the aggregate's n is the cell's count; cells never hit have no record)
      int predicted = ClassificationMetrics.predicted(probs);
      m.put(ClassificationMetrics.classAccuracyMetric(label), predicted == label ? 1.0 : 0.0);
      m.put(ClassificationMetrics.confusionMetric(label, predicted), 1.0);
      return m;
    }
  }

  private static final String SEP = "\u0001";

  private static String groupKey(ModelArtifact a, InferenceConfig inference, String dataset, String split) {
    return String.join(SEP, a.getRun(), a.getModel(), variant(a, inference), dataset, split);
  }

  /**
   * The variant written into the records: the artifact's, with {@code /<head>} appended when a named
   * head is evaluated, so the heads of one model (UNet++ L1..L4, ensemble) stay apart in one report.
   */
  static String variant(ModelArtifact a, InferenceConfig inference) {
    return inference.head() == null ? a.getVariant() : a.getVariant() + "/" + inference.head();
  }

  /**
   * Keys per-image values by (run, model, variant, dataset, split), the value being (metric, value),
   * except the challenge scores, whose aggregates are stack scores ({@link StackFn}).
   */
  static final class KeyFn extends DoFn<MetricRecord, KV<String, KV<String, Double>>> {
    @ProcessElement
    public void process(@Element MetricRecord r, OutputReceiver<KV<String, KV<String, Double>>> out) {
      if (ChallengeMetrics.STACK_SCORED.contains(r.getMetric())) {
        return;
      }
      out.output(KV.of(String.join(SEP, r.getRun(), r.getModel(), r.getVariant(), r.getDataset(), r.getSplit()),
          KV.of(r.getMetric(), r.getValue())));
    }
  }

  /** The challenge's stack scores of a model on a dataset split. */
  static final class StackFn extends Combine.CombineFn<ChallengeMetrics.Slice, ChallengeMetrics.Stack,
      ChallengeMetrics.Stack> {
    @Override
    public ChallengeMetrics.Stack createAccumulator() {
      return new ChallengeMetrics.Stack();
    }

    @Override
    public ChallengeMetrics.Stack addInput(ChallengeMetrics.Stack acc, ChallengeMetrics.Slice s) {
      return acc.add(s);
    }

    @Override
    public ChallengeMetrics.Stack mergeAccumulators(Iterable<ChallengeMetrics.Stack> accs) {
      ChallengeMetrics.Stack out = new ChallengeMetrics.Stack();
      for (ChallengeMetrics.Stack a : accs) {
        out.merge(a);
      }
      return out;
    }

    @Override
    public ChallengeMetrics.Stack extractOutput(ChallengeMetrics.Stack acc) {
      return acc;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<ChallengeMetrics.Stack> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry r, org.apache.beam.sdk.coders.Coder<ChallengeMetrics.Slice> in) {
      return AccumulatorCoders.STACK;
    }
  }

  private static MetricRecord.Builder aggregate(String[] key, String metric, double value, long n) {
    return MetricRecord.newBuilder().setRun(key[0]).setModel(key[1]).setVariant(key[2]).setDataset(key[3])
        .setSplit(key[4]).setImageId(null).setMetric(metric).setValue(value).setN(n);
  }

  /** A stack's aggregate records: one per challenge score, and one with its chosen threshold. */
  static final class StackRecordsFn extends DoFn<KV<String, ChallengeMetrics.Stack>, MetricRecord> {
    @ProcessElement
    public void process(@Element KV<String, ChallengeMetrics.Stack> kv, OutputReceiver<MetricRecord> out) {
      String[] k = kv.getKey().split(SEP, -1);
      for (Map.Entry<String, ChallengeMetrics.Score> e : kv.getValue().scores().entrySet()) {
        ChallengeMetrics.Score sc = e.getValue();
        out.output(aggregate(k, e.getKey(), sc.value(), sc.n()).setStd(AggregateFn.finite(sc.std()))
            .setCiLow(AggregateFn.finite(sc.ciLow())).setCiHigh(AggregateFn.finite(sc.ciHigh())).build());
        out.output(aggregate(k, e.getKey() + THRESHOLD_SUFFIX, sc.threshold(), sc.n()).build());
      }
    }
  }

  /** ReDo's scores of a model on a dataset split with one polarity for the whole set. */
  static final class RedoSetFn extends Combine.CombineFn<RedoMetrics.Polarities, RedoMetrics.SetScore,
      RedoMetrics.SetScore> {
    @Override
    public RedoMetrics.SetScore createAccumulator() {
      return new RedoMetrics.SetScore();
    }

    @Override
    public RedoMetrics.SetScore addInput(RedoMetrics.SetScore acc, RedoMetrics.Polarities p) {
      return acc.add(p);
    }

    @Override
    public RedoMetrics.SetScore mergeAccumulators(Iterable<RedoMetrics.SetScore> accs) {
      RedoMetrics.SetScore out = new RedoMetrics.SetScore();
      for (RedoMetrics.SetScore a : accs) {
        out.merge(a);
      }
      return out;
    }

    @Override
    public RedoMetrics.SetScore extractOutput(RedoMetrics.SetScore acc) {
      return acc;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<RedoMetrics.SetScore> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry r, org.apache.beam.sdk.coders.Coder<RedoMetrics.Polarities> in) {
      return AccumulatorCoders.SET_SCORE;
    }
  }

  /** The set-polarity aggregate records: IoU and accuracy (mean, std, interval) and the decision. */
  static final class RedoSetRecordsFn extends DoFn<KV<String, RedoMetrics.SetScore>, MetricRecord> {
    @ProcessElement
    public void process(@Element KV<String, RedoMetrics.SetScore> kv, OutputReceiver<MetricRecord> out) {
      String[] k = kv.getKey().split(SEP, -1);
      RedoMetrics.SetScore s = kv.getValue();
      for (Map.Entry<String, MetricSummary> e : Map.of(RedoMetrics.IOU_SET, s.iou(), RedoMetrics.ACCURACY_SET,
          s.accuracy()).entrySet()) {
        MetricSummary m = e.getValue();
        out.output(aggregate(k, e.getKey(), m.mean(), m.n()).setStd(AggregateFn.finite(m.std()))
            .setCiLow(AggregateFn.finite(m.ciLow())).setCiHigh(AggregateFn.finite(m.ciHigh())).build());
      }
      out.output(aggregate(k, RedoMetrics.INVERTED_SET, s.inverted() ? 1 : 0, s.images()).build());
    }
  }

  /** A model's aggregate records, one per metric: imageId null, value = mean. */
  static final class AggregateFn extends DoFn<KV<String, MetricSummaries.Acc>, MetricRecord> {
    @ProcessElement
    public void process(@Element KV<String, MetricSummaries.Acc> kv, OutputReceiver<MetricRecord> out) {
      String[] k = kv.getKey().split(SEP, -1);
      for (Map.Entry<String, MetricSummary> e : kv.getValue().byMetric().entrySet()) {
        MetricSummary s = e.getValue();
        out.output(aggregate(k, e.getKey(), s.mean(), s.n())
            .setStd(finite(s.std())).setCiLow(finite(s.ciLow())).setCiHigh(finite(s.ciHigh())).build());
      }
    }

    static Double finite(double v) {
      return Double.isNaN(v) ? null : v;
    }
  }

  /** YAML config of {@code Evaluate}. */
  public record Config(
      @Param(doc = "SavedModel folder with model.json; absent: evaluate the ModelArtifact input (a Train stage)",
          def = Param.NULL) String model,
      @Param(doc = "dataset name written into every metric record", def = "dataset") String dataset,
      @Param(doc = "split name written into every metric record (test, validation, ...)", def = "test") String split,
      @Param(doc = "how the model runs over whole images: its keys (mode, tile, overlap, batch, tta, head, "
          + "threshold) are written in this mapping", inline = true) InferenceConfig inference,
      @Param(doc = "also compute ReDo's scores: redo_iou_image / redo_accuracy_image (best of mask and inverted mask "
          + "per image, as the original code) and redo_iou_set / redo_accuracy_set (one polarity for the whole set)",
          def = "false")
          boolean redo,
      @Param(doc = "output folder (under the output root) for metrics.avro/.csv/.jsonl and overlays/", def = "eval")
          String path,
      @Param(doc = "write an overlay and a probability PNG per segmentation image (for the report)", def = "true")
          boolean overlays) {}

  /** The {@code Evaluate} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends BaseStage<Config> {
    public Provider() {
      super("Evaluate",
          "Run models on labelled samples (overlap-tile / sliding window); per-image and aggregate metric records",
          Config.class, InputSpec.of(1, 2, Sample.class, ModelArtifact.class), MetricRecord.class);
    }

    @Override
    public List<String> check(Config c) {
      return c.inference().check(c.model());
    }

    @Override
    public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, Config c) {
      PCollection<Sample> samples = ModelSource.samples(ctx, inputs);
      Optional<PCollection<ModelArtifact>> models = ModelSource.artifacts(ctx, inputs, c.model());
      Evaluate t = models.isPresent() ? models(models.get())
          : model(ModelSpec.read(Path.of(ctx.input(c.model()))), ctx.pipelineName() + "/" + ctx.stageName());
      t = t.withDataset(c.dataset()).withSplit(c.split()).withRedoMetrics(c.redo()).withOverlays(c.overlays())
          .withInference(c.inference())
          .writeTo(ctx.output(c.path()));
      if (ctx.gridCell().isPresent()) { // a grid cell: a failing model fails the cell, not the run
        t = t.withModelFailuresAsDeadLetters();
      }
      MetricResult r = samples.apply(ctx.stageName(), t.withStageName(ctx.stageName()));
      ctx.addDeadLetters(r.deadLetters());
      if (ctx.gridCell().isPresent()) {
        ctx.addCellFailures(r.modelFailures());
      }
      return r.metrics();
    }
  }
}
