package org.unetpipelines.augment;

import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Sample;

/** A {@link Sample} record's image, mask and weights as the {@link ImageStack} augmentations move together, and back. */
public final class SampleLayers {
  private SampleLayers() {}

  /** The sample's layers as images (mask and weights may be absent). */
  public static ImageStack of(Sample s) {
    return new ImageStack(
        Tensors.toImage(s.getImage()),
        s.getMask() == null ? null : Tensors.toImage(s.getMask()),
        s.getWeights() == null ? null : Tensors.toImage(s.getWeights()));
  }

  /**
   * Sets the builder's image, mask and weights to {@code layers} (integer depths rounded and clamped
   * as {@link Tensors#toTensor} does, exactly as the shards the augmentation stages write).
   */
  public static Sample.Builder set(Sample.Builder b, ImageStack layers) {
    return b.setImage(Tensors.toTensor(layers.image()))
        .setMask(layers.mask() == null ? null : Tensors.toTensor(layers.mask()))
        .setWeights(layers.weights() == null ? null : Tensors.toTensor(layers.weights()));
  }
}
