package org.unetpipelines.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The U-Net building blocks, shared by every encoder-decoder model (U-Net, UNet++, ...). Each takes
 * the {@link Layers} of its own sub-scope, so graph names read like the paper's figure:
 * {@code down2/conv1}, {@code up1/upconv}, ...
 */
public final class Blocks {
  private Blocks() {}

  /**
   * Two 3x3 convolutions, each followed by batch norm (optional) and ReLU.
   * [N,H,W,Cin] -> [N,H-4,W-4,filters] (valid) or [N,H,W,filters] (same).
   */
  public static Operand<TFloat32> doubleConv(Layers l, Operand<TFloat32> x, int filters, Padding padding, boolean batchNorm) {
    return doubleConv(l, x, filters, padding, batchNorm, 0f);
  }

  /**
   * Two 3x3 convolutions, each followed by batch norm (optional), ReLU and dropout ({@code dropout}
   * = 0: none; graph names {@code drop1}, {@code drop2}). With dropout this is UNet++'s "standard
   * unit" (conv3x3-ReLU-Dropout twice). Shapes as {@link #doubleConv(Layers, Operand, int, Padding, boolean)}.
   */
  public static Operand<TFloat32> doubleConv(Layers l, Operand<TFloat32> x, int filters, Padding padding, boolean batchNorm,
      float dropout) {
    Operand<TFloat32> y = x;
    for (int i = 1; i <= 2; i++) {
      y = l.conv("conv" + i, y, 3, filters, padding, !batchNorm); // a bias before batch norm is redundant
      if (batchNorm) {
        y = l.batchNorm("bn" + i, y);
      }
      y = l.dropout("drop" + i, l.relu(y), dropout);
    }
    return y;
  }

  /** Contracting step: 2x2 max pool, then {@link #doubleConv}. [N,H,W,C] -> [N,H/2(-4),W/2(-4),filters]. */
  public static Operand<TFloat32> down(Layers l, Operand<TFloat32> x, int filters, Padding padding, boolean batchNorm) {
    return down(l, x, filters, padding, batchNorm, 0f);
  }

  /** {@link #down(Layers, Operand, int, Padding, boolean)} with dropout after each ReLU (0 = none). */
  public static Operand<TFloat32> down(Layers l, Operand<TFloat32> x, int filters, Padding padding, boolean batchNorm,
      float dropout) {
    return doubleConv(l, l.maxPool2x2("pool", x), filters, padding, batchNorm, dropout);
  }

  /** Doubles the resolution and sets the channels to {@code filters}. [N,H,W,C] -> [N,2H,2W,filters]. */
  public static Operand<TFloat32> upsample(Layers l, Operand<TFloat32> x, int filters, Upsampling method) {
    switch (method) {
      case TRANSPOSE:
        return l.transposedConv("upconv", x, filters);
      case PIXEL_SHUFFLE:
        return l.pixelShuffle("shuffle", x, filters);
      default:
        Operand<TFloat32> r = l.upsample2x("resize", x, method == Upsampling.BILINEAR);
        return l.conv("upconv", r, 2, filters, Padding.SAME, true);
    }
  }

  /**
   * Expanding step: upsample to {@code filters} channels, concatenate the (center-cropped) skip
   * (none when {@code skip} is null), then {@link #doubleConv}. [N,H,W,C] + skip -> [N,2H(-4),2W(-4),filters].
   */
  public static Operand<TFloat32> up(Layers l, Operand<TFloat32> x, Operand<TFloat32> skip, int filters,
      Upsampling method, Padding padding, boolean batchNorm) {
    Operand<TFloat32> u = upsample(l, x, filters, method);
    return doubleConv(l, skip == null ? u : l.cropConcat("concat", skip, u), filters, padding, batchNorm);
  }
}
