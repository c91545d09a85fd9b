package org.unetpipelines.image;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic segmentation data, so examples and tests need no downloads. Every image is
 * a pure function of (seed, index, sizes): the same call always returns the same pixels.
 *
 * <ul>
 *   <li>{@link #membranes}: EM-like cells. Cells are a Voronoi tessellation of random seed points;
 *       a pixel is membrane when its distance to the bisector between its nearest and second-nearest
 *       seed is below half the membrane width (2-4 px, drawn per cell pair). Interiors get a
 *       per-cell grey level plus smooth texture; the whole image is blurred (Gaussian, sigma 1) and
 *       gets Gaussian noise. Mask: 255 = cell, 0 = membrane, as in ISBI 2012.
 *   <li>{@link #ellipses}: bright rotated ellipses on a noisy dark background (the "Understanding
 *       U-Net" task). Mask: 255 inside any ellipse, 0 outside.
 *   <li>{@link #objects}: one textured object of a random smooth shape on a textured background, RGB
 *       (ReDo's setting, for unsupervised segmentation). Object and background appearance are drawn
 *       independently from distributions whose colours overlap, so per-pixel colour clustering does
 *       not find the object; the textures differ (fine gratings inside, slow waves outside). Mask:
 *       255 inside the object, 0 outside (for evaluation only).
 * </ul>
 */
public final class Synthetic {
  private Synthetic() {}

  /** An image (8-bit, grey or RGB) and its label mask (8-bit, single-channel). */
  public record Pair(ImageArray image, ImageArray mask) {}

  /** The random stream for one synthetic image: murmur3_128 of (seed, kind, index). */
  static SplittableRandom rng(long seed, String kind, long index) {
    long h = Hashing.murmur3_128()
        .newHasher()
        .putLong(seed)
        .putString(kind, StandardCharsets.UTF_8)
        .putLong(index)
        .hash()
        .asLong();
    return new SplittableRandom(h);
  }

  /**
   * EM-like membrane image number {@code index}.
   *
   * @param cells number of Voronoi cells (>= 2)
   * @param noise standard deviation of the additive noise, in grey levels (0..255)
   */
  public static Pair membranes(long seed, long index, int height, int width, int cells, double noise) {
    checkArgument(height >= 8 && width >= 8, "image must be at least 8x8, got %sx%s", height, width);
    checkArgument(cells >= 2, "cells must be >= 2, got %s", cells);
    checkArgument(noise >= 0, "noise must be >= 0, got %s", noise);
    SplittableRandom r = rng(seed, "membranes", index);
    double[] sy = new double[cells];
    double[] sx = new double[cells];
    double[] level = new double[cells];
    for (int i = 0; i < cells; i++) {
      sy[i] = r.nextDouble() * height;
      sx[i] = r.nextDouble() * width;
      level[i] = 150 + 70 * r.nextDouble();
    }
    // Texture: a few low-frequency waves shared by all cells.
    int waves = 4;
    double[] wf = new double[waves * 4];
    for (int k = 0; k < waves; k++) {
      wf[4 * k] = (0.05 + 0.2 * r.nextDouble());
      wf[4 * k + 1] = r.nextDouble() * Math.PI * 2;
      wf[4 * k + 2] = r.nextDouble() * Math.PI * 2;
      wf[4 * k + 3] = 6 + 6 * r.nextDouble();
    }
    long widthSeed = r.nextLong();
    float[] img = new float[height * width];
    float[] mask = new float[height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int a = -1;
        int b = -1;
        double da = Double.MAX_VALUE;
        double db = Double.MAX_VALUE;
        for (int i = 0; i < cells; i++) {
          double dy = y - sy[i];
          double dx = x - sx[i];
          double d = dy * dy + dx * dx;
          if (d < da) {
            db = da;
            b = a;
            da = d;
            a = i;
          } else if (d < db) {
            db = d;
            b = i;
          }
        }
        double sep = Math.hypot(sy[a] - sy[b], sx[a] - sx[b]);
        double toBisector = (db - da) / (2 * Math.max(sep, 1e-9));
        double w = 2 + 2 * pairUnit(widthSeed, a, b); // 2..4 px
        int i = y * width + x;
        if (toBisector < w / 2) {
          mask[i] = 0;
          img[i] = 40;
        } else {
          mask[i] = 255;
          double t = 0;
          for (int k = 0; k < waves; k++) {
            t += wf[4 * k + 3] * Math.sin(wf[4 * k] * (y * Math.cos(wf[4 * k + 1]) + x * Math.sin(wf[4 * k + 1])) + wf[4 * k + 2]);
          }
          img[i] = (float) (level[a] + t);
        }
      }
    }
    float[] blurred = Filters.gaussianBlur(img, height, width, 1.0);
    addNoise(blurred, r, noise);
    return new Pair(
        ImageArray.wrap(height, width, 1, ImageArray.Depth.U8, clamp255(blurred)),
        ImageArray.wrap(height, width, 1, ImageArray.Depth.U8, mask));
  }

  /**
   * Ellipses image number {@code index}: {@code count} ellipses with semi-axes between
   * {@code minRadius} and {@code maxRadius} pixels, random centre and orientation.
   */
  public static Pair ellipses(long seed, long index, int height, int width, int count, double minRadius,
      double maxRadius, double noise) {
    checkArgument(height >= 8 && width >= 8, "image must be at least 8x8, got %sx%s", height, width);
    checkArgument(count >= 1, "count must be >= 1, got %s", count);
    checkArgument(minRadius > 0 && maxRadius >= minRadius, "need 0 < min_radius <= max_radius, got %s, %s", minRadius, maxRadius);
    checkArgument(noise >= 0, "noise must be >= 0, got %s", noise);
    SplittableRandom r = rng(seed, "ellipses", index);
    float[] img = new float[height * width];
    float[] mask = new float[height * width];
    java.util.Arrays.fill(img, 50f);
    for (int e = 0; e < count; e++) {
      double cy = r.nextDouble() * height;
      double cx = r.nextDouble() * width;
      double ay = minRadius + r.nextDouble() * (maxRadius - minRadius);
      double ax = minRadius + r.nextDouble() * (maxRadius - minRadius);
      double th = r.nextDouble() * Math.PI;
      double c = Math.cos(th);
      double s = Math.sin(th);
      float bright = (float) (170 + 60 * r.nextDouble());
      int y0 = (int) Math.max(0, Math.floor(cy - Math.max(ay, ax)));
      int y1 = (int) Math.min(height - 1, Math.ceil(cy + Math.max(ay, ax)));
      int x0 = (int) Math.max(0, Math.floor(cx - Math.max(ay, ax)));
      int x1 = (int) Math.min(width - 1, Math.ceil(cx + Math.max(ay, ax)));
      for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
          double dy = y - cy;
          double dx = x - cx;
          double u = (dx * c + dy * s) / ax;
          double v = (-dx * s + dy * c) / ay;
          if (u * u + v * v <= 1) {
            img[y * width + x] = bright;
            mask[y * width + x] = 255;
          }
        }
      }
    }
    addNoise(img, r, noise);
    return new Pair(
        ImageArray.wrap(height, width, 1, ImageArray.Depth.U8, clamp255(img)),
        ImageArray.wrap(height, width, 1, ImageArray.Depth.U8, mask));
  }

  /** Shortest and longest grating period of an object's texture, in pixels. */
  static final double OBJECT_PERIOD_MIN = 4;
  static final double OBJECT_PERIOD_MAX = 8;
  /**
   * Smallest and largest shading depth a of an object's texture: its colour is mu (1 + a t), one hue
   * whose brightness the gratings modulate (a = 0.2 at mu = 128 is 26 grey levels).
   */
  static final double OBJECT_SHADING_MIN = 0.15;
  static final double OBJECT_SHADING_MAX = 0.3;
  /** Smallest and largest colour amplitude |A| of a background's texture, grey levels per channel. */
  static final double BACKGROUND_AMPLITUDE_MIN = 35;
  static final double BACKGROUND_AMPLITUDE_MAX = 70;
  /** Shortest and longest wave period of a background's texture, in pixels. */
  static final double BACKGROUND_PERIOD_MIN = 12;
  static final double BACKGROUND_PERIOD_MAX = 40;

  /**
   * Object image number {@code index}: RGB (U8) image and its object mask (U8, 255 inside).
   *
   * <p>Shape: a star-convex blob around a centre within +-15 % of the image centre, radius
   * r(theta) = R (1 + a2 cos(2 theta + p2) + a3 cos(3 theta + p3) + a4 cos(4 theta + p4)) with
   * a_j ~ U(0, 0.25 / (j - 1)) (smooth, always positive) and mean radius R = s * min(height, width),
   * s ~ U(minScale, maxScale). Appearance, object and background drawn independently. The object is
   * one hue whose brightness its texture modulates: colour mu (1 + a t) with mu ~ U(70, 185) per channel
   * and one shading depth a ~ U(0.15, 0.3); its t is two gratings (0.7 and 0.3, periods 4-8 px, random
   * orientation and phase). The background spans dark to light along its own colour direction: mu + A t
   * with mu ~ U(70, 185) and A of random sign, |A| ~ U(35, 70), per channel; its t is three slow waves
   * (periods 12-40 px, random weights 0.5-1, normalised). So the two regions' colours overlap.
   *
   * <p>Why one hue (the third version of this data): ReDo assumes that regions whose appearances are
   * drawn independently are separate regions. In the first two versions the object's colour was
   * mu + A t with A drawn per channel, so its light and dark stripes (mu + A and mu - A) had nearly
   * independent colours: by ReDo's own assumption they were two regions, and ReDo split them in most
   * seeds, at stripe amplitudes |A| ~ U(35, 70) and U(20, 40) alike (BENCHMARKS.md). With one hue the
   * stripes depend on each other (a stripe redrawn in another hue looks like no real object), as the
   * parts of a real object do. Then Gaussian noise of {@code noise} grey levels, rounded and clamped
   * to 0..255.
   *
   * @param minScale smallest mean radius as a share of the shorter side (0 &lt; minScale &lt;= maxScale &lt;= 0.5)
   */
  public static Pair objects(long seed, long index, int height, int width, double minScale, double maxScale,
      double noise) {
    checkArgument(height >= 8 && width >= 8, "image must be at least 8x8, got %sx%s", height, width);
    checkArgument(minScale > 0 && maxScale >= minScale && maxScale <= 0.5,
        "need 0 < min_scale <= max_scale <= 0.5, got %s, %s", minScale, maxScale);
    checkArgument(noise >= 0, "noise must be >= 0, got %s", noise);
    SplittableRandom r = rng(seed, "objects", index);
    double cy = height / 2.0 + (r.nextDouble() * 0.3 - 0.15) * height;
    double cx = width / 2.0 + (r.nextDouble() * 0.3 - 0.15) * width;
    double radius = (minScale + r.nextDouble() * (maxScale - minScale)) * Math.min(height, width);
    double[] amp = new double[5];
    double[] phase = new double[5];
    for (int j = 2; j <= 4; j++) {
      amp[j] = r.nextDouble() * 0.25 / (j - 1);
      phase[j] = r.nextDouble() * 2 * Math.PI;
    }
    double[][] objectWaves = {wave(r, OBJECT_PERIOD_MIN, OBJECT_PERIOD_MAX, 0.7),
        wave(r, OBJECT_PERIOD_MIN, OBJECT_PERIOD_MAX, 0.3)};
    double[][] backgroundWaves = new double[3][];
    double weights = 0;
    for (int k = 0; k < 3; k++) {
      backgroundWaves[k] = wave(r, BACKGROUND_PERIOD_MIN, BACKGROUND_PERIOD_MAX, 0.5 + 0.5 * r.nextDouble());
      weights += backgroundWaves[k][3];
    }
    for (double[] w : backgroundWaves) {
      w[3] /= weights;
    }
    double[][] objectColour = shading(r, OBJECT_SHADING_MIN, OBJECT_SHADING_MAX);
    double[][] backgroundColour = colour(r, BACKGROUND_AMPLITUDE_MIN, BACKGROUND_AMPLITUDE_MAX);
    float[] img = new float[height * width * 3];
    float[] mask = new float[height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double dy = y - cy;
        double dx = x - cx;
        double th = Math.atan2(dy, dx);
        double rr = radius * (1 + amp[2] * Math.cos(2 * th + phase[2]) + amp[3] * Math.cos(3 * th + phase[3])
            + amp[4] * Math.cos(4 * th + phase[4]));
        boolean inside = dy * dy + dx * dx <= rr * rr;
        double t = texture(inside ? objectWaves : backgroundWaves, y, x);
        double[][] c = inside ? objectColour : backgroundColour;
        int i = y * width + x;
        mask[i] = inside ? 255 : 0;
        for (int ch = 0; ch < 3; ch++) {
          img[3 * i + ch] = (float) (c[0][ch] + c[1][ch] * t);
        }
      }
    }
    addNoise(img, r, noise);
    return new Pair(
        ImageArray.wrap(height, width, 3, ImageArray.Depth.U8, clamp255(img)),
        ImageArray.wrap(height, width, 1, ImageArray.Depth.U8, mask));
  }

  /** A grating {period, orientation, phase, weight}: weight * sin(2 pi (x cos o + y sin o) / period + phase). */
  private static double[] wave(SplittableRandom r, double minPeriod, double maxPeriod, double weight) {
    return new double[] {minPeriod + r.nextDouble() * (maxPeriod - minPeriod), r.nextDouble() * Math.PI,
        r.nextDouble() * 2 * Math.PI, weight};
  }

  private static double texture(double[][] waves, int y, int x) {
    double t = 0;
    for (double[] w : waves) {
      t += w[3] * Math.sin(2 * Math.PI * (x * Math.cos(w[1]) + y * Math.sin(w[1])) / w[0] + w[2]);
    }
    return t;
  }

  /** {mean colour mu, amplitude a mu}: mu ~ U(70, 185) per channel, one a ~ U(lo, hi) for all channels. */
  private static double[][] shading(SplittableRandom r, double lo, double hi) {
    double[][] c = new double[2][3];
    double a = lo + (hi - lo) * r.nextDouble();
    for (int ch = 0; ch < 3; ch++) {
      c[0][ch] = meanLevel(r);
      c[1][ch] = a * c[0][ch];
    }
    return c;
  }

  /** A region's mean grey level in one channel, U(70, 185): the same range for object and background. */
  private static double meanLevel(SplittableRandom r) {
    return 70 + 115 * r.nextDouble();
  }

  /** {mean colour, amplitude}: mean ~ U(70, 185), |amplitude| ~ U(lo, hi) with a random sign, per channel. */
  private static double[][] colour(SplittableRandom r, double lo, double hi) {
    double[][] c = new double[2][3];
    for (int ch = 0; ch < 3; ch++) {
      c[0][ch] = meanLevel(r);
      c[1][ch] = (lo + (hi - lo) * r.nextDouble()) * (r.nextBoolean() ? 1 : -1);
    }
    return c;
  }

  private static double pairUnit(long seed, int a, int b) {
    int lo = Math.min(a, b);
    int hi = Math.max(a, b);
    long h = Hashing.murmur3_128().newHasher().putLong(seed).putInt(lo).putInt(hi).hash().asLong();
    return (h >>> 11) * 0x1.0p-53;
  }

  private static void addNoise(float[] img, SplittableRandom r, double sigma) {
    if (sigma == 0) {
      return;
    }
    for (int i = 0; i < img.length; i++) {
      img[i] += (float) (sigma * gaussian(r));
    }
  }

  /** A standard normal draw (Box-Muller, one value per call; deterministic for the stream). */
  static double gaussian(SplittableRandom r) {
    double u1 = 1.0 - r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private static float[] clamp255(float[] v) {
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.round(Math.max(0, Math.min(255, v[i])));
    }
    return v;
  }
}
