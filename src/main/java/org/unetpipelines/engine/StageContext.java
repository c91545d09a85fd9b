package org.unetpipelines.engine;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.engine.grid.GridCell;
import org.unetpipelines.records.DeadLetter;

/** What the engine tells a stage while it is being added to the pipeline. */
public final class StageContext {
  private final org.apache.beam.sdk.Pipeline pipeline;
  private final String stageName;
  private final String stageType;
  private final String pipelineName;
  private final long seed;
  private final OutputRoot outputRoot;
  private final Path inputBase;
  private final String configJson;
  private final List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
  private final List<PCollection<DeadLetter>> cellFailures = new ArrayList<>();
  private final List<Path> writes = new ArrayList<>();
  private GridCell gridCell;

  public StageContext(
      org.apache.beam.sdk.Pipeline pipeline,
      String stageName, String stageType, String pipelineName, long seed,
      OutputRoot outputRoot, Path inputBase, String configJson) {
    this.pipeline = pipeline;
    this.stageName = stageName;
    this.stageType = stageType;
    this.pipelineName = pipelineName;
    this.seed = seed;
    this.outputRoot = outputRoot;
    this.inputBase = inputBase;
    this.configJson = configJson;
  }

  /**
   * Marks this stage as part of a grid cell's branch ({@code Stage[cell]}); the engine does this.
   * Returns this context.
   */
  public StageContext inGridCell(GridCell cell) {
    this.gridCell = cell;
    return this;
  }

  /**
   * The grid cell whose branch this stage belongs to; empty outside a grid and for shared stages.
   * A stage of a cell should turn a failure of its one unit of work (a training) into a dead letter
   * ({@link #addDeadLetters}) instead of failing the run, so the other cells' results are kept; the
   * engine then reports the cell as failed with that reason.
   */
  public Optional<GridCell> gridCell() {
    return Optional.ofNullable(gridCell);
  }

  /** The start of the pipeline, for source stages: {@code ctx.pipelineBegin().apply(name, transform)}. */
  public org.apache.beam.sdk.values.PBegin pipelineBegin() {
    return org.apache.beam.sdk.values.PBegin.in(pipeline);
  }

  public String stageName() {
    return stageName;
  }

  public String stageType() {
    return stageType;
  }

  public String pipelineName() {
    return pipelineName;
  }

  /** The pipeline seed ({@code options.seed}). */
  public long seed() {
    return seed;
  }

  /**
   * Resolves a path this stage writes (a file or a folder) against the output root; paths that
   * leave the root, also through symbolic links, are rejected. The engine checks that no two
   * stages write the same path or one inside the other.
   */
  public String output(String relative) {
    Path p = outputRoot.resolve(relative);
    writes.add(p);
    return p.toString();
  }

  /**
   * Resolves a path under the output root that this stage only reads (another stage's output or
   * an earlier run's), with the same root rules as {@link #output}; it is not counted as a write.
   */
  public String outputToRead(String relative) {
    return outputRoot.resolve(relative).toString();
  }

  /** The paths this stage declared as written through {@link #output}, in order. */
  public List<Path> writes() {
    return List.copyOf(writes);
  }

  public OutputRoot outputRoot() {
    return outputRoot;
  }

  /** Resolves an input path or glob: absolute as given, relative against the working directory. */
  public String input(String pathOrGlob) {
    Path p = Path.of(pathOrGlob);
    return p.isAbsolute() ? pathOrGlob : inputBase.resolve(pathOrGlob).normalize().toString();
  }

  /** The stage's bound config as JSON (for manifests and model artifacts). */
  public String configJson() {
    return configJson;
  }

  /** Registers a dead-letter output; the engine writes and counts all of them. */
  public void addDeadLetters(PCollection<DeadLetter> letters) {
    checkArgument(letters != null, "dead letters must not be null");
    deadLetters.add(letters);
  }

  public List<PCollection<DeadLetter>> deadLetters() {
    return List.copyOf(deadLetters);
  }

  /**
   * Registers failures of the stage's work for its grid cell ({@link #gridCell}), e.g. a training
   * that threw: each is a dead letter (written and counted with the others) and marks the cell as
   * failed with its reason, while the other cells go on.
   */
  public void addCellFailures(PCollection<DeadLetter> failures) {
    checkArgument(failures != null, "cell failures must not be null");
    cellFailures.add(failures);
  }

  public List<PCollection<DeadLetter>> cellFailures() {
    return List.copyOf(cellFailures);
  }

  /** Every input whose elements are {@code type}, in the order the pipeline file names them. */
  @SuppressWarnings("unchecked")
  public static <T> List<PCollection<T>> inputsOfType(List<PCollection<?>> inputs, Class<T> type) {
    List<PCollection<T>> out = new java.util.ArrayList<>();
    for (PCollection<?> in : inputs) {
      org.apache.beam.sdk.values.TypeDescriptor<?> td = in.getCoder().getEncodedTypeDescriptor();
      if (td != null && type.isAssignableFrom(td.getRawType())) {
        out.add((PCollection<T>) in);
      }
    }
    return out;
  }

  /** Finds the first input carrying elements of {@code type} (inputs are matched by type). */
  @SuppressWarnings("unchecked")
  public static <T> Optional<PCollection<T>> inputOfType(List<PCollection<?>> inputs, Class<T> type) {
    for (PCollection<?> in : inputs) {
      org.apache.beam.sdk.values.TypeDescriptor<?> td = in.getCoder().getEncodedTypeDescriptor();
      if (td != null && type.isAssignableFrom(td.getRawType())) {
        return Optional.of((PCollection<T>) in);
      }
    }
    return Optional.empty();
  }
}
