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

  /**
   * A contracting step's output and, when the expanding path max-unpools, where its pool took each
   * maximum ({@link Layers.MaxPooled#positions()}, [N,H,W,C] of the step's input; null otherwise).
   */
  public record Down(Operand<TFloat32> output, Operand<TFloat32> positions) {}

  /**
   * {@link #down} that keeps the pool's positions when {@code method} is {@link Upsampling#MAX_UNPOOL}
   * (the same pooled values either way). [N,H,W,C] -> [N,H/2(-4),W/2(-4),filters] (+ positions [N,H,W,C]).
   */
  public static Down down(Layers l, Operand<TFloat32> x, int filters, Padding padding, boolean batchNorm,
      Upsampling method) {
    if (method != Upsampling.MAX_UNPOOL) {
      return new Down(down(l, x, filters, padding, batchNorm), null);
    }
    Layers.MaxPooled pooled = l.maxPool2x2WithPositions("pool", x);
    return new Down(doubleConv(l, pooled.values(), filters, padding, batchNorm), pooled.positions());
  }

  /**
   * Doubles the resolution and sets the channels to {@code filters}. [N,H,W,C] -> [N,2H,2W,filters].
   * {@link Upsampling#MAX_UNPOOL} needs the pool positions: use the overload that takes them.
   */
  public static Operand<TFloat32> upsample(Layers l, Operand<TFloat32> x, int filters, Upsampling method) {
    return upsample(l, x, null, filters, method);
  }

  /**
   * Doubles the resolution and sets the channels to {@code filters}. {@code positions}: for
   * {@link Upsampling#MAX_UNPOOL} the matching {@link Down#positions()} (with {@code filters}
   * channels, at least [2H, 2W]; larger ones are center-cropped), null for the other methods.
   * [N,H,W,C] -> [N,2H,2W,filters].
   */
  public static Operand<TFloat32> upsample(Layers l, Operand<TFloat32> x, Operand<TFloat32> positions, int filters,
      Upsampling method) {
    if ((method == Upsampling.MAX_UNPOOL) != (positions != null)) {
      throw new IllegalArgumentException(method == Upsampling.MAX_UNPOOL
          ? "max_unpool upsampling needs the positions of the matching pool (Blocks.down(..., MAX_UNPOOL) keeps them)"
          : "pool positions are only used by max_unpool upsampling, not " + method.name().toLowerCase(java.util.Locale.ROOT));
    }
    switch (method) {
      case MAX_UNPOOL:
        // the unpool needs the pooled tensor's channels: [N,H,W,C] -> [N,H,W,filters] -> [N,2H,2W,filters]
        return l.maxUnpool2x2("unpool", l.conv("upconv", x, 1, filters, Padding.SAME, true), positions);
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
    return up(l, x, skip, null, filters, method, padding, batchNorm);
  }

  /**
   * {@link #up} with the matching {@link Down#positions()} for {@link Upsampling#MAX_UNPOOL} (null for
   * the other methods). The positions do not depend on the skip: a U-Net without skips unpools too.
   * [N,H,W,C] + skip -> [N,2H(-4),2W(-4),filters].
   */
  public static Operand<TFloat32> up(Layers l, Operand<TFloat32> x, Operand<TFloat32> skip,
      Operand<TFloat32> positions, int filters, Upsampling method, Padding padding, boolean batchNorm) {
    Operand<TFloat32> u = upsample(l, x, positions, filters, method);
    return doubleConv(l, skip == null ? u : l.cropConcat("concat", skip, u), filters, padding, batchNorm);
  }
}
