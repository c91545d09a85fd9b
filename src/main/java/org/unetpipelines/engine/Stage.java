package org.unetpipelines.engine;

import java.util.List;
import org.apache.beam.sdk.values.PCollection;

/**
 * A pipeline stage type as the engine sees it: a YAML {@code type}, a typed config record, the
 * inputs it takes and the element type it emits. Implementations are thin: they turn the config
 * into the stage's public {@code PTransform} (usable without the engine) and apply it.
 *
 * <p>Stages are found with {@link java.util.ServiceLoader}: annotate the implementation with
 * {@code @AutoService(Stage.class)}, which writes {@code META-INF/services/org.unetpipelines.engine.Stage}
 * at compile time. The engine names no stage class.
 *
 * @param <C> the config record; its components carry {@link Param} annotations
 */
public interface Stage<C extends Record> {

  /** The YAML {@code type}, e.g. {@code ReadImageSet}. */
  String type();

  /** One line for {@code unet-pipelines stages}. */
  String description();

  Class<C> configClass();

  InputSpec inputs();

  /** Element type of the output collection (Sample, ShardSet, ModelArtifact, MetricRecord...). */
  Class<?> outputType();

  /** Cross-field checks of a bound config; each string is one error. Runs before anything runs. */
  default List<String> check(C config) {
    return List.of();
  }

  /**
   * Adds the stage to the pipeline. Resolve every path the stage writes with
   * {@link StageContext#output} (the engine checks them against the output root and each other) and
   * paths under the root it only reads with {@link StageContext#outputToRead}.
   *
   * @param inputs the input collections in the order the pipeline file names them
   */
  PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, C config);

  /**
   * Whether, in a grid, the engine adds this stage for all cells at once ({@link #expandCells})
   * instead of once per cell: then the cells' work (e.g. their trainings) can be elements of one
   * collection that a runner spreads over its workers.
   */
  default boolean expandsCellsTogether() {
    return false;
  }

  /**
   * Adds this stage for several grid cells at once (only called when {@link #expandsCellsTogether}).
   * Each cell has its own context (its name {@code Stage[cell]}, seed, output root, dead letters),
   * inputs and config, at the same index; returns each cell's output at that index.
   *
   * @param maxParallel at most this many cells' work at once (0 = no bound)
   */
  default List<PCollection<?>> expandCells(List<StageContext> contexts, List<List<PCollection<?>>> inputs,
      List<C> configs, int maxParallel) {
    throw new UnsupportedOperationException(type() + " is added once per grid cell");
  }
}
