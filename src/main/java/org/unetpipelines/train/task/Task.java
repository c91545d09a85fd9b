package org.unetpipelines.train.task;

import java.util.Map;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.Batch;

/**
 * What is being learned, for the one {@link org.unetpipelines.train.Trainer}: how samples become a
 * batch ({@link #feeds}, {@link #fill}), which networks, losses and training phases the graph holds
 * ({@link #build}), what validation measures ({@link #newValidation}) and what the SavedModel serves.
 *
 * <p>Tasks: {@link Segmentation} (image + mask + weights; one head, or several with deep supervision),
 * and the classification and adversarial tasks of the other families.
 */
public interface Task {

  /** Task name for logs and {@code model.json}, e.g. {@code segmentation}. */
  String name();

  /** Model family (the YAML {@code family}) and a short configuration label, for artifacts and resume checks. */
  String family();

  String variant();

  /**
   * The arrays one sample contributes to a batch: feed name to per-sample shape (no batch
   * dimension), in a stable order. The trainer makes one placeholder {@code [-1, shape...]} per feed
   * for training ({@code train_feed/<name>}) and one for validation ({@code eval_feed/<name>}).
   */
  Map<String, long[]> feeds();

  /**
   * Writes sample {@code s} as element {@code index} of a batch.
   *
   * @param batch feed name to the batch's flat array ({@code [n, shape...]})
   * @param key a deterministic 64-bit key of (training seed, epoch, sample id): the only source of
   *     randomness a task may use here, so that runs repeat exactly and resume continues the same curve
   * @param training true for a training batch (random windows, augmentation), false for validation
   */
  void fill(Sample s, int index, Map<String, float[]> batch, long key, boolean training);

  /** Builds the task's networks, losses, phases, validation and serving outputs into {@code graph}. */
  TaskGraph build(ModelGraph graph, Map<String, Placeholder<TFloat32>> trainFeeds,
      Map<String, Placeholder<TFloat32>> evalFeeds);

  /** A fresh accumulator for one validation run over batches. */
  Validation newValidation();

  /** The validation metric early stopping and the plateau schedule monitor (default: {@code loss}). */
  default String monitor() {
    return "loss";
  }

  /** Whether a larger {@link #monitor} value is better. */
  default boolean higherIsBetter() {
    return false;
  }

  /**
   * Called by the trainer after every step with the phases' {@link TaskGraph.Phase#statistics}; true
   * restarts training from a fresh initialization with a derived seed (every variable and optimizer
   * slot re-drawn, the step count of the new attempt from 0; the curve counts {@code restarts}).
   * Must be a function of its arguments only, so that runs repeat and resume exactly. Default: never.
   *
   * @param attemptStep steps done since the current attempt began (1 after its first step)
   * @param restarts restarts so far in this run (a task caps them)
   */
  default boolean restart(long attemptStep, int restarts, Map<String, Float> statistics) {
    return false;
  }

  /** The serving geometry recorded in the artifact and {@code model.json}. */
  Geometry geometry();

  /** Architecture and task facts for {@code model.json}. */
  default Map<String, Object> properties() {
    return Map.of();
  }

  /**
   * Input and output geometry of the served model.
   *
   * @param classes output channels of the served probabilities
   */
  record Geometry(int inputHeight, int inputWidth, int inputChannels, int outputHeight, int outputWidth, int classes) {}

  /** Accumulates validation over batches. */
  interface Validation {
    /** Adds one batch and the task's validation fetches for it (see {@link TaskGraph#validation()}). */
    void add(Batch batch, Map<String, float[]> fetched);

    /** Metric name to value over everything added; includes {@code loss}. */
    Map<String, Double> result();

    /**
     * Pictures of what was added, file stem to PNG bytes (default: none). The trainer writes them as
     * {@code pictures/<epoch-NNNN | final>-<stem>.png} in its output folder, where the report finds them.
     */
    default Map<String, byte[]> pictures() {
      return Map.of();
    }
  }
}
