package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import org.unetpipelines.image.ImageArray;

/**
 * Pictures of a prediction against its truth for people to look at: the image in gray with true
 * positives tinted green, false positives red and false negatives blue (foreground = cell), and
 * the probability map as an 8-bit gray image.
 */
public final class Overlays {
  /** RGB of true positives (tint), false positives and false negatives; the report's legend uses them. */
  public static final int[] TP_RGB = {40, 200, 80};
  public static final int[] FP_RGB = {255, 30, 30};
  public static final int[] FN_RGB = {30, 110, 255};
  /** How much of the colour replaces the gray: TP light tint, errors strong. */
  static final float TP_ALPHA = 0.25f;
  static final float ERROR_ALPHA = 0.8f;

  private Overlays() {}

  /**
   * The overlay as an RGB U8 image.
   *
   * @param image the input image (its first channel is drawn, scaled to 0..255)
   * @param foreground predicted foreground probability per pixel
   * @param truth true foreground per pixel
   */
  public static ImageArray overlay(ImageArray image, float[] foreground, boolean[] truth, double threshold) {
    int n = image.height() * image.width();
    checkArgument(foreground.length == n && truth.length == n,
        "overlay of a %sx%s image needs %s pixels, got prediction %s and truth %s",
        image.height(), image.width(), n, foreground.length, truth.length);
    float[] gray = image.channel(0).normalized();
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    if (!image.depth().isInteger()) { // float images: stretch to their range
      for (float v : gray) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    float t = (float) threshold;
    float[] rgb = new float[n * 3];
    for (int i = 0; i < n; i++) {
      float g = image.depth().isInteger() ? gray[i] : (hi > lo ? (gray[i] - lo) / (hi - lo) : 0);
      g = Math.max(0, Math.min(1, g)) * 255f;
      boolean p = foreground[i] > t;
      int[] colour = p && truth[i] ? TP_RGB : p ? FP_RGB : truth[i] ? FN_RGB : null;
      float a = colour == null ? 0 : colour == TP_RGB ? TP_ALPHA : ERROR_ALPHA;
      for (int c = 0; c < 3; c++) {
        rgb[i * 3 + c] = colour == null ? g : (1 - a) * g + a * colour[c];
      }
    }
    return ImageArray.wrap(image.height(), image.width(), 3, ImageArray.Depth.U8, rgb);
  }

  /** A probability map as an image of the given integer depth: p * depth max. */
  public static ImageArray probabilityImage(int height, int width, float[] p, ImageArray.Depth depth) {
    checkArgument(depth.isInteger(), "probability images are 8- or 16-bit, got %s", depth);
    float[] d = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      d[i] = Math.max(0, Math.min(1, p[i])) * depth.max();
    }
    return ImageArray.wrap(height, width, 1, depth, d);
  }

  /**
   * A file stem for a sample id: its image extension dropped ({@code train/slice00.png} ->
   * {@code train_slice00}, {@code stack.tif#0003} -> {@code stack_0003}), then {@link #safeName}.
   */
  public static String stem(String id) {
    return safeName(id.replaceAll("(?i)\\.(png|tiff?|jpe?g|idx\\d?-ubyte(\\.gz)?)(?=#|$)", ""));
  }

  /** A file-name-safe form of a sample id: anything but letters, digits, '.', '-', '_' becomes '_'. */
  public static String safeName(String id) {
    String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
    return s.isEmpty() ? "_" : s;
  }
}
