package org.unetpipelines.image;

/** Small separable filters on single-channel float images. */
public final class Filters {
  private Filters() {}

  /** Gaussian blur with mirrored borders; kernel radius ceil(3 sigma). */
  public static float[] gaussianBlur(float[] img, int height, int width, double sigma) {
    if (sigma <= 0) {
      return img.clone();
    }
    int radius = (int) Math.ceil(3 * sigma);
    float[] k = new float[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      k[i + radius] = (float) Math.exp(-(i * i) / (2 * sigma * sigma));
      sum += k[i + radius];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= (float) sum;
    }
    float[] tmp = new float[img.length];
    float[] out = new float[img.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        float acc = 0;
        for (int j = -radius; j <= radius; j++) {
          acc += k[j + radius] * img[y * width + mirror(x + j, width)];
        }
        tmp[y * width + x] = acc;
      }
    }
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        float acc = 0;
        for (int j = -radius; j <= radius; j++) {
          acc += k[j + radius] * tmp[mirror(y + j, height) * width + x];
        }
        out[y * width + x] = acc;
      }
    }
    return out;
  }

  /** Index reflected into [0, n) with the edge repeated ("symmetric"), for any offset. */
  static int mirror(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * n;
    int m = Math.floorMod(i, period);
    return m < n ? m : period - 1 - m;
  }
}
