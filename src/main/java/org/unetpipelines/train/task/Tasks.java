package org.unetpipelines.train.task;

import org.unetpipelines.model.ModelConfig;
import org.unetpipelines.model.SegmentationModel;
import org.unetpipelines.train.TrainConfig;

/** The task each kind of model family trains with: the one place a {@link ModelConfig} meets a {@link Task}. */
public final class Tasks {
  private Tasks() {}

  /**
   * The task for {@code model} trained with {@code config}.
   *
   * @throws IllegalArgumentException when the input size does not fit the network (naming valid sizes)
   */
  public static Task of(ModelConfig model, TrainConfig config) {
    if (model instanceof SegmentationModel s) {
      return new Segmentation(s.net(), config.height(), config.width(), config.loss());
    }
    if (model instanceof org.unetpipelines.model.redo.RedoConfig r) {
      if (config.initializer() != org.unetpipelines.model.WeightInit.ORTHOGONAL) {
        org.slf4j.LoggerFactory.getLogger(Tasks.class).warn("redo: the original initializes every weight orthogonally "
            + "(gain 0.8); this run uses initializer {} (set initializer: orthogonal)", config.initializer());
      }
      return new Redraw(r, config.height(), config.width(), config.learningRate());
    }
    throw new IllegalArgumentException("model family " + model.family() + " has no training task");
  }
}
