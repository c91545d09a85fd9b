package org.unetpipelines.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * An image classifier: images {@code [N, H, W, C]} in [0, 1] to class logits {@code [N, K]} (head
 * {@link #LOGITS}). Input name: {@link #IMAGE}. ResNet-(6n+2) and the Stacked U-Nets are classifiers.
 */
public interface ClassifierNet extends Network {
  /** The input of every classifier. */
  String IMAGE = "image";
  /** The only head: class logits [N, K]. */
  String LOGITS = "logits";

  /** Model family for artifacts and the YAML {@code family} key, e.g. {@code resnet}. */
  String family();

  /** A short label of the configuration, e.g. {@code resnet20-c1-k10}. */
  String variant();

  /** Number of classes K (>= 2: softmax). */
  int classes();

  int inputChannels();

  /**
   * Checks that the network can take {@code height x width} inputs.
   *
   * @throws IllegalArgumentException saying which sizes it takes when it cannot
   */
  void checkInputSize(int height, int width);

  /** Architecture facts for {@code model.json}; keys are JSON names. */
  default Map<String, Object> properties() {
    return Map.of();
  }

  @Override
  default String scope() {
    return family();
  }

  /** The forward pass. {@code images}: [N, H, W, C] in [0, 1]; returns logits [N, K]. */
  Operand<TFloat32> logits(Layers layers, Operand<TFloat32> images);

  @Override
  default Map<String, Operand<TFloat32>> forward(Layers layers, Map<String, Operand<TFloat32>> inputs) {
    Operand<TFloat32> image = inputs.get(IMAGE);
    if (image == null) {
      throw new IllegalArgumentException(family() + " takes the input '" + IMAGE + "', got " + inputs.keySet());
    }
    Map<String, Operand<TFloat32>> m = new LinkedHashMap<>();
    m.put(LOGITS, logits(layers, image));
    return m;
  }
}
