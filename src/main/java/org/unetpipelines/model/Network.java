package org.unetpipelines.model;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A network as a graph sees it: named inputs to named outputs (heads), written once against
 * {@link Layers} so every pass (training, inference, a second application on other inputs) is built
 * by the same code and shares the same variables. Its variables live under {@code params/<scope>/},
 * so several networks can live in one graph, each with its own trainable set (ReDo: F, G_1..G_k, D, δ).
 */
public interface Network {

  /** Variable scope of this network in its graph, e.g. {@code unet}, {@code F}, {@code G1}. */
  String scope();

  /**
   * Builds one pass.
   *
   * @param layers the layer library rooted at this network's scope (in the pass's mode)
   * @param inputs named input tensors
   * @return named outputs in a stable order
   */
  Map<String, Operand<TFloat32>> forward(Layers layers, Map<String, Operand<TFloat32>> inputs);
}
