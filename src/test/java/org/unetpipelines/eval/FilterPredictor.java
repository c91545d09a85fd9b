package org.unetpipelines.eval;

/**
 * Test fake: a single-channel "valid" 2-D correlation with a fixed kernel, followed by an optional
 * offset, as a {@link Predictor} of any tile size. Translation-equivariant with a receptive field
 * of the kernel size, like a valid-padding U-Net.
 */
final class FilterPredictor implements Predictor {
  private final float[][] kernel;
  private final int inH;
  private final int inW;

  FilterPredictor(float[][] kernel, int inH, int inW) {
    this.kernel = kernel;
    this.inH = inH;
    this.inW = inW;
  }

  @Override public int inputHeight() { return inH; }
  @Override public int inputWidth() { return inW; }
  @Override public int inputChannels() { return 1; }
  @Override public int outputHeight() { return inH - kernel.length + 1; }
  @Override public int outputWidth() { return inW - kernel[0].length + 1; }
  @Override public int classes() { return 1; }

  @Override
  public float[][] predict(float[][] tiles) {
    float[][] out = new float[tiles.length][];
    int oh = outputHeight();
    int ow = outputWidth();
    for (int t = 0; t < tiles.length; t++) {
      float[] o = new float[oh * ow];
      for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
          float s = 0;
          for (int ky = 0; ky < kernel.length; ky++) {
            for (int kx = 0; kx < kernel[0].length; kx++) {
              s += kernel[ky][kx] * tiles[t][(y + ky) * inW + (x + kx)];
            }
          }
          o[y * ow + x] = s;
        }
      }
      out[t] = o;
    }
    return out;
  }
}
