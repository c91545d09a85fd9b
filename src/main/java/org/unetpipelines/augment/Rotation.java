package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
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

  /** How a random rotation chooses its angle. */
  public enum Mode {
    /** Always the given angle. */
    FIXED,
    /** Uniform in {@code [-angle, angle]}. */
    UNIFORM,
    /** One of 0, 90, 180, 270, uniformly. */
    RIGHT
  }

  /**
   * The rotation as a {@link SampleOp}: the angle by {@code mode} (one draw: uniform {@code
   * nextDouble}, right {@code nextInt(4)}; none for fixed), then {@link #rotate}. Parameter: {@code angle}.
   *
   * @param degrees the fixed angle, or the largest |angle| for uniform (0 < degrees <= 180); ignored for right
   */
  public static SampleOp op(Mode mode, double degrees, Interpolation imageOrder) {
    checkNotNull(mode, "mode");
    checkNotNull(imageOrder, "imageOrder");
    checkArgument(Double.isFinite(degrees), "angle must be finite, got %s", degrees);
    checkArgument(mode != Mode.UNIFORM || (degrees > 0 && degrees <= 180),
        "uniform mode needs 0 < angle <= 180 degrees (the largest |angle| drawn), got %s", degrees);
    return (in, rng) -> {
      double deg;
      switch (mode) {
        case FIXED:
          deg = degrees;
          break;
        case UNIFORM:
          deg = -degrees + 2 * degrees * rng.nextDouble();
          break;
        default:
          deg = 90.0 * rng.nextInt(4);
      }
      return List.of(SampleOp.Outcome.of(rotate(in, deg, imageOrder), "angle", deg));
    };
  }

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
