package org.unetpipelines.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A segmentation network: images {@code [N, H, W, C]} in [0, 1] to one or more named heads of
 * logits {@code [N, H', W', K]} (U-Net: one head {@code logits}; UNet++ with deep supervision: the
 * four heads {@code L1..L4} on X^{0,1..4}). Input name: {@link #IMAGE}.
 */
public interface SegmentationNet extends Network {
  /** The input of every segmentation network. */
  String IMAGE = "image";
  /** The name of the only head of a single-head network. */
  String LOGITS = "logits";

  /** Model family for artifacts and the YAML {@code family} key, e.g. {@code unet}. */
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
  default Map<String, Object> properties() {
    return Map.of();
  }

  @Override
  default String scope() {
    return family();
  }

  /** Names of the logit heads {@link #heads} returns, in order. */
  default List<String> headNames() {
    return List.of(LOGITS);
  }

  /**
   * How several heads are combined at inference ({@code ensemble}: mean of the heads'
   * probabilities) or which single head is served; {@code null} for a single-head network.
   */
  default String inferenceHead() {
    return null;
  }

  /** How several heads' losses are combined in training: {@code sum} (Keras) or {@code mean}. */
  default String headLoss() {
    return "sum";
  }

  /** Builds the heads. {@code images}: [N, H, W, C] in [0, 1]. Returns logits [N, H', W', K] per head. */
  default Map<String, Operand<TFloat32>> heads(Layers layers, Operand<TFloat32> images) {
    Map<String, Operand<TFloat32>> m = new LinkedHashMap<>();
    m.put(LOGITS, logits(layers, images));
    return m;
  }

  /** The forward pass of a single-head network. {@code images}: [N, H, W, C]; returns [N, H', W', K]. */
  default Operand<TFloat32> logits(Layers layers, Operand<TFloat32> images) {
    throw new UnsupportedOperationException(family() + " has several heads; use heads()");
  }

  @Override
  default Map<String, Operand<TFloat32>> forward(Layers layers, Map<String, Operand<TFloat32>> inputs) {
    Operand<TFloat32> image = inputs.get(IMAGE);
    if (image == null) {
      throw new IllegalArgumentException(family() + " takes the input '" + IMAGE + "', got " + inputs.keySet());
    }
    return heads(layers, image);
  }
}
