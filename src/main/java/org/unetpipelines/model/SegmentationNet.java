package org.unetpipelines.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A segmentation network as the trainer sees it: a function from images {@code [N, H, W, C]} to
 * logits {@code [N, H', W', K]}, written once against {@link Layers} so the same code builds the
 * training graph and the inference graph (which share variables).
 */
public interface SegmentationNet {

  /** Model family for artifacts, e.g. {@code unet}. */
  String family();

  /** A short label of the configuration, e.g. {@code depth4-f16-same-transpose}. */
  String variant();

  /** Output channels: 1 means a sigmoid foreground probability, >= 2 a softmax over classes. */
  int classes();

  int inputChannels();

  /**
   * The output size {@code {H', W'}} for an input of {@code height x width}.
   *
   * @throws IllegalArgumentException naming the nearest valid sizes when the input does not fit
   */
  int[] outputSize(int height, int width);

  /** Architecture facts for {@code model.json} (e.g. depth, padding, upsampling); keys are JSON names. */
  default java.util.Map<String, Object> properties() {
    return java.util.Map.of();
  }

  /** Builds the forward pass. {@code images}: [N, H, W, C] in [0, 1]. Returns logits [N, H', W', K]. */
  Operand<TFloat32> logits(Layers layers, Operand<TFloat32> images);
}
