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
    throw new IllegalArgumentException("model family " + model.family() + " has no training task");
  }
}
