package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import org.unetpipelines.image.ImageArray;

/**
 * Per-pixel class probabilities, {@code [height, width, classes]} row-major. One class: the
 * sigmoid foreground probability; more: softmax probabilities with class 0 = background.
 */
public record ProbabilityMap(int height, int width, int classes, float[] data) {

  public ProbabilityMap {
    checkArgument(height > 0 && width > 0 && classes > 0,
        "probability map must be positive, got %sx%sx%s", height, width, classes);
    checkArgument(data.length == height * width * classes,
        "probability map %sx%sx%s needs %s values, got %s", height, width, classes,
        height * width * classes, data.length);
  }

  /** Foreground probability: the only channel, or 1 - p(class 0). */
  public float[] foreground() {
    if (classes == 1) {
      return data.clone();
    }
    float[] out = new float[height * width];
    for (int i = 0; i < out.length; i++) {
      out[i] = 1 - data[i * classes];
    }
    return out;
  }

  /** Most probable class per pixel (foreground p &gt; threshold for one class). */
  public int[] labels(double threshold) {
    int[] out = new int[height * width];
    float t = (float) threshold;
    for (int i = 0; i < out.length; i++) {
      if (classes == 1) {
        out[i] = data[i] > t ? 1 : 0;
      } else {
        int best = 0;
        for (int c = 1; c < classes; c++) {
          if (data[i * classes + c] > data[i * classes + best]) {
            best = c;
          }
        }
        out[i] = best;
      }
    }
    return out;
  }

  /** The foreground probability as a single-channel F32 image. */
  public ImageArray foregroundImage() {
    return ImageArray.wrap(height, width, 1, ImageArray.Depth.F32, foreground());
  }
}
