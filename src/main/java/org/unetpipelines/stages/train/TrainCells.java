package org.unetpipelines.stages.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Partition;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.runners.WorkerKeys;

/**
 * The trainings of several grid cells as elements of ONE collection: each cell's shard sets (and
 * validation shard sets) are keyed by the cell's index and grouped ({@link CoGroupByKey}), so each
 * cell is one element and one training. The cells are dealt round-robin into groups (one per cell, or
 * {@link #withMaxParallel} of them), a group trains its cells one after another, and each group's key
 * is chosen ({@link WorkerKeys}) so that on Flink groups land on distinct workers: with 2 TaskManagers
 * two trainings run at once. A
 * training that throws is the cell's failure ({@link Result#failures}), not the run's.
 *
 * <pre>{@code
 * TrainCells.Result r = p.begin().apply(TrainCells.of(List.of(
 *     new TrainCells.Cell("Train[lr=0.1]", trainA, shardsA, null),
 *     new TrainCells.Cell("Train[lr=0.01]", trainB, shardsB, null))).withMaxParallel(1));
 * PCollection<ModelArtifact> first = r.artifacts(0);
 * }</pre>
 */
public final class TrainCells extends PTransform<PBegin, TrainCells.Result> {
  static final TupleTag<ShardSet> TRAIN = new TupleTag<>("train") {};
  static final TupleTag<ShardSet> VALIDATION = new TupleTag<>("validation") {};
  static final TupleTag<KV<Integer, ModelArtifact>> ARTIFACTS = new TupleTag<>("artifacts") {};
  static final TupleTag<KV<Integer, DeadLetter>> FAILURES = new TupleTag<>("failures") {};
  /** The Beam distribution (namespace TrainCells) of how many trainings ran in a worker JVM as each began. */
  public static final String CONCURRENT = "concurrent_trainings";

  /**
   * One cell's training.
   *
   * @param stageName the cell's stage name ({@code Train[cell]}), recorded in its dead letter
   * @param train the training (model, settings, output folder, run id)
   * @param shards its training shard sets
   * @param validation its validation shard sets, or null
   */
  public record Cell(String stageName, Train train, PCollection<ShardSet> shards, PCollection<ShardSet> validation) {
    public Cell {
      checkArgument(stageName != null && !stageName.isBlank(), "a cell needs its stage name");
      checkArgument(train != null && shards != null, "cell %s needs a training and its shards", stageName);
      checkArgument(validation == null || train.job().validationFraction() == 0,
          "stage %s: give either validation shards or a validation fraction, not both", stageName);
    }
  }

  private final List<Cell> cells;
  private final int maxParallel;

  private TrainCells(List<Cell> cells, int maxParallel) {
    this.cells = cells;
    this.maxParallel = maxParallel;
  }

  public static TrainCells of(List<Cell> cells) {
    checkArgument(cells != null && !cells.isEmpty(), "TrainCells needs at least one cell");
    return new TrainCells(List.copyOf(cells), 0);
  }

  /** At most this many trainings at once (0 = no bound beyond the runner's parallelism). */
  public TrainCells withMaxParallel(int n) {
    checkArgument(n >= 0, "max_parallel must be >= 0 (0 = unbounded), got %s", n);
    return new TrainCells(cells, n);
  }

  /** Each cell's artifact and failure, by the cell's index in {@link #of}. */
  public static final class Result implements org.apache.beam.sdk.values.POutput {
    private final org.apache.beam.sdk.Pipeline pipeline;
    private final PCollectionList<ModelArtifact> artifacts;
    private final PCollectionList<DeadLetter> failures;

    Result(org.apache.beam.sdk.Pipeline pipeline, PCollectionList<ModelArtifact> artifacts,
        PCollectionList<DeadLetter> failures) {
      this.pipeline = pipeline;
      this.artifacts = artifacts;
      this.failures = failures;
    }

    /** Cell {@code i}'s artifact (none when its training failed). */
    public PCollection<ModelArtifact> artifacts(int i) {
      return artifacts.get(i);
    }

    /** Cell {@code i}'s failure as a dead letter (none when it trained). */
    public PCollection<DeadLetter> failures(int i) {
      return failures.get(i);
    }

    @Override
    public org.apache.beam.sdk.Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public java.util.Map<TupleTag<?>, org.apache.beam.sdk.values.PValue> expand() {
      java.util.Map<TupleTag<?>, org.apache.beam.sdk.values.PValue> m = new java.util.LinkedHashMap<>();
      m.putAll(artifacts.expand());
      m.putAll(failures.expand());
      return m;
    }

    @Override
    public void finishSpecifyingOutput(String name, org.apache.beam.sdk.values.PInput input,
        PTransform<?, ?> transform) {}
  }

  @Override
  public Result expand(PBegin begin) {
    KvCoder<Integer, ShardSet> keyed = KvCoder.of(VarIntCoder.of(), Coders.shardSet());
    List<PCollection<KV<Integer, ShardSet>>> train = new ArrayList<>();
    List<PCollection<KV<Integer, ShardSet>>> validation = new ArrayList<>();
    List<Train.Job> jobs = new ArrayList<>();
    List<String> stages = new ArrayList<>();
    for (int i = 0; i < cells.size(); i++) {
      Cell c = cells.get(i);
      jobs.add(c.train().job());
      stages.add(c.stageName());
      train.add(c.shards().apply("KeyTrain" + i, WithKeys.<Integer, ShardSet>of(i).withKeyType(TypeDescriptors.integers()))
          .setCoder(keyed));
      if (c.validation() != null) {
        validation.add(c.validation()
            .apply("KeyValidation" + i, WithKeys.<Integer, ShardSet>of(i).withKeyType(TypeDescriptors.integers()))
            .setCoder(keyed));
      }
    }
    PCollection<KV<Integer, ShardSet>> allTrain = PCollectionList.of(train).apply("AllTrain", Flatten.pCollections());
    PCollection<KV<Integer, ShardSet>> allValidation = validation.isEmpty()
        ? begin.apply("NoValidation", Create.empty(keyed))
        : PCollectionList.of(validation).apply("AllValidation", Flatten.pCollections());
    // one element per cell
    PCollection<KV<Integer, CoGbkResult>> perCell = KeyedPCollectionTuple.of(TRAIN, allTrain).and(VALIDATION, allValidation)
        .apply("OneElementPerCell", CoGroupByKey.create());
    boolean[] hasValidation = new boolean[cells.size()];
    for (int i = 0; i < cells.size(); i++) {
      hasValidation[i] = cells.get(i).validation() != null;
    }
    TupleTagList side = TupleTagList.of(FAILURES);
    // groups of cells, each group on its own worker where the runner allows (WorkerKeys): one
    // training per worker at a time, at most max_parallel at once
    int groups = maxParallel > 0 ? Math.min(maxParallel, cells.size()) : cells.size();
    int[] keys = WorkerKeys.forGroups(begin.getPipeline().getOptions(), groups);
    PCollectionTuple out = perCell
        .apply("DealIntoGroups", ParDo.of(new DealFn(keys)))
        .setCoder(KvCoder.of(VarIntCoder.of(), perCell.getCoder()))
        .apply("AtMostMaxParallel", GroupByKey.create())
        .apply("TrainEachInTurn", ParDo.of(new TrainGroupFn(jobs, stages, hasValidation))
            .withOutputTags(ARTIFACTS, side));
    int n = cells.size();
    PCollectionList<KV<Integer, ModelArtifact>> artifacts = out.get(ARTIFACTS)
        .setCoder(KvCoder.of(VarIntCoder.of(), Coders.modelArtifact()))
        .apply("ArtifactPerCell", Partition.of(n, (KV<Integer, ModelArtifact> kv, int parts) -> kv.getKey()));
    PCollectionList<KV<Integer, DeadLetter>> failures = out.get(FAILURES)
        .setCoder(KvCoder.of(VarIntCoder.of(), Coders.deadLetter()))
        .apply("FailurePerCell", Partition.of(n, (KV<Integer, DeadLetter> kv, int parts) -> kv.getKey()));
    List<PCollection<ModelArtifact>> a = new ArrayList<>();
    List<PCollection<DeadLetter>> f = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      a.add(artifacts.get(i).apply("Artifact" + i, Values.<ModelArtifact>create()).setCoder(Coders.modelArtifact()));
      f.add(failures.get(i).apply("Failure" + i, Values.<DeadLetter>create()).setCoder(Coders.deadLetter()));
    }
    return new Result(begin.getPipeline(), PCollectionList.of(a), PCollectionList.of(f));
  }

  /** Cell i goes to group i mod groups, whose key is {@code keys[group]}. */
  static final class DealFn extends DoFn<KV<Integer, CoGbkResult>, KV<Integer, KV<Integer, CoGbkResult>>> {
    private final int[] keys;

    DealFn(int[] keys) {
      this.keys = keys.clone();
    }

    @ProcessElement
    public void process(@Element KV<Integer, CoGbkResult> e, OutputReceiver<KV<Integer, KV<Integer, CoGbkResult>>> out) {
      out.output(KV.of(keys[e.getKey() % keys.length], e));
    }
  }

  /** Trains one cell; its failure is its dead letter. */
  abstract static class CellFn<I> extends DoFn<I, KV<Integer, ModelArtifact>> {
    /** Trainings running in this JVM now. */
    private static final java.util.concurrent.atomic.AtomicInteger RUNNING = new java.util.concurrent.atomic.AtomicInteger();
    /** How many trainings ran in the worker's JVM when each began (its max shows the parallelism reached). */
    private final org.apache.beam.sdk.metrics.Distribution concurrent =
        org.apache.beam.sdk.metrics.Metrics.distribution(TrainCells.class, CONCURRENT);
    private final List<Train.Job> jobs;
    private final List<String> stages;
    private final boolean[] hasValidation;

    CellFn(List<Train.Job> jobs, List<String> stages, boolean[] hasValidation) {
      this.jobs = List.copyOf(jobs);
      this.stages = List.copyOf(stages);
      this.hasValidation = hasValidation.clone();
    }

    void train(KV<Integer, CoGbkResult> cell, MultiOutputReceiver out) {
      int i = cell.getKey();
      Train.Job job = jobs.get(i);
      concurrent.update(RUNNING.incrementAndGet());
      try {
        ModelArtifact a = job.run(cell.getValue().getAll(TRAIN),
            hasValidation[i] ? cell.getValue().getAll(VALIDATION) : null);
        out.get(ARTIFACTS).output(KV.of(i, a));
      } catch (IOException | RuntimeException e) {
        out.get(FAILURES).output(KV.of(i, job.failure(stages.get(i), e)));
      } finally {
        RUNNING.decrementAndGet();
      }
    }
  }

  /** Trains a group's cells one after another, in cell order. */
  static final class TrainGroupFn extends CellFn<KV<Integer, Iterable<KV<Integer, CoGbkResult>>>> {
    TrainGroupFn(List<Train.Job> jobs, List<String> stages, boolean[] hasValidation) {
      super(jobs, stages, hasValidation);
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<KV<Integer, CoGbkResult>>> group, MultiOutputReceiver out) {
      List<KV<Integer, CoGbkResult>> cells = new ArrayList<>();
      group.getValue().forEach(cells::add);
      cells.sort(java.util.Comparator.comparing(KV::getKey));
      for (KV<Integer, CoGbkResult> c : cells) {
        train(c, out);
      }
    }
  }
}
