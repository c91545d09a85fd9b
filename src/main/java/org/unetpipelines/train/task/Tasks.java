package org.unetpipelines.train.task;

import java.util.ArrayList;
import java.util.List;
import org.unetpipelines.model.ClassificationModel;
import org.unetpipelines.model.ModelConfig;
import org.unetpipelines.model.SegmentationModel;
import org.unetpipelines.train.FlipMode;
import org.unetpipelines.train.LossKind;
import org.unetpipelines.train.TrainConfig;

/** The task each kind of model family trains with: the one place a {@link ModelConfig} meets a {@link Task}. */
public final class Tasks {
  private Tasks() {}

  /**
   * The task for {@code model} trained with {@code config}.
   *
   * @throws IllegalArgumentException when the input size does not fit the network (naming valid sizes),
   *     or a training key does not apply to the model's task
   */
  public static Task of(ModelConfig model, TrainConfig config) {
    if (model instanceof SegmentationModel s) {
      List<String> classificationOnly = classificationOnlyKeys(config);
      if (!classificationOnly.isEmpty()) {
        throw new IllegalArgumentException(String.join(", ", classificationOnly) + " only apply to classification "
            + "families (resnet, sunet); " + model.family() + " segments: augment with Train's 'augment:' chain (drawn "
            + "every step, e.g. [{type: ElasticDeform}, {type: Flip}, {type: Rotate, mode: right}]) or in pipeline "
            + "stages (Flip, Rotate, MirrorPad, ElasticDeform) instead");
      }
      return new Segmentation(s.net(), config.height(), config.width(), config.loss());
    }
    if (config.validateOn() == org.unetpipelines.train.ValidationMode.WHOLE_IMAGE) {
      throw new IllegalArgumentException("'validate_on: whole_image' predicts and scores whole segmentations; "
          + model.family() + " is not a segmentation family: use center_tile");
    }
    if (model instanceof ClassificationModel c) {
      if (config.loss() != LossKind.CROSS_ENTROPY) {
        throw new IllegalArgumentException("'loss' " + config.loss().name().toLowerCase(java.util.Locale.ROOT)
            + " is a segmentation loss; " + model.family() + " trains softmax cross-entropy (leave 'loss' out)");
      }
      ClassificationInput input = new ClassificationInput(config.height(), config.width(), config.cropPadding(),
          config.flip(), config.rotation());
      double decay = config.weightDecay() == null ? Classification.DEFAULT_WEIGHT_DECAY : config.weightDecay();
      return new Classification(c.net(), input, decay);
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

  private static List<String> classificationOnlyKeys(TrainConfig c) {
    List<String> keys = new ArrayList<>();
    if (c.weightDecay() != null && c.weightDecay() != 0) {
      keys.add("'weight_decay'");
    }
    if (c.cropPadding() != 0) {
      keys.add("'crop_padding'");
    }
    if (c.flip() != FlipMode.NONE) {
      keys.add("'flip'");
    }
    if (c.rotation() != 0) {
      keys.add("'rotation'");
    }
    return keys;
  }
}
