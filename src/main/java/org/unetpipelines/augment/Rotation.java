package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.unetpipelines.image.ImageArray;

/**
 * Rotation about the image centre by any angle, counter-clockwise as displayed (rows grow
 * downwards). Multiples of 90 degrees are exact index permutations (90 and 270 swap height and
 * width, like {@code numpy.rot90}); other angles keep the size and sample through {@link Warp}
 * (image with the given order, mask nearest, weights linear), filling corners by mirror reflection.
 * Trigonometry uses {@link StrictMath} so results are identical on every JVM.
 */
public final class Rotation {
  private Rotation() {}

  public static ImageStack rotate(ImageStack in, double degrees, Interpolation imageOrder) {
    checkNotNull(in, "layers");
    checkArgument(Double.isFinite(degrees), "angle must be finite, got %s", degrees);
    double turns = degrees / 90.0;
    if (turns == Math.rint(turns)) {
      int k = (int) Math.floorMod((long) turns, 4L);
      return in.map(img -> quarterTurns(img, k));
    }
    return interpolated(in, degrees, imageOrder);
  }

  /** The sampled rotation (also used for multiples of 90 degrees in tests). */
  static ImageStack interpolated(ImageStack in, double degrees, Interpolation imageOrder) {
    double rad = Math.toRadians(degrees);
    float cos = (float) StrictMath.cos(rad);
    float sin = (float) StrictMath.sin(rad);
    float cy = (in.height() - 1) / 2f;
    float cx = (in.width() - 1) / 2f;
    CoordinateMap map = (y, x0, n, sy, sx) -> {
      float dy = y - cy;
      for (int i = 0; i < n; i++) {
        float dx = x0 + i - cx;
        sy[i] = cy + sin * dx + cos * dy;
        sx[i] = cx + cos * dx - sin * dy;
      }
    };
    return Warp.warp(in, map, imageOrder, 0, 0, in.height(), in.width());
  }

  /** {@code k} counter-clockwise quarter turns, exactly ({@code numpy.rot90(img, k)}). */
  public static ImageArray quarterTurns(ImageArray img, int k) {
    int h = img.height();
    int w = img.width();
    int c = img.channels();
    float[] src = img.data();
    k = Math.floorMod(k, 4);
    if (k == 0) {
      return img.copy();
    }
    int oh = k == 2 ? h : w;
    int ow = k == 2 ? w : h;
    float[] out = new float[src.length];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int syy;
        int sxx;
        if (k == 1) {
          syy = x;
          sxx = w - 1 - y;
        } else if (k == 2) {
          syy = h - 1 - y;
          sxx = w - 1 - x;
        } else {
          syy = h - 1 - x;
          sxx = y;
        }
        System.arraycopy(src, (syy * w + sxx) * c, out, (y * ow + x) * c, c);
      }
    }
    return ImageArray.wrap(oh, ow, c, img.depth(), out);
  }
}
