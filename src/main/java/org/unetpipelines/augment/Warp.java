package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;

import org.unetpipelines.image.ImageArray;

/**
 * Resamples images through a {@link CoordinateMap} with mirror ({@link Boundary#REFLECT}, scipy
 * {@code mode='mirror'}) boundaries. The source is prepared once (split into channel planes,
 * prefiltered for cubic), then each output row is computed from one row of coordinates shared by
 * all layers. Only the requested output window is computed.
 *
 * <p>Integer-depth images are clamped to their range after cubic interpolation (the spline
 * overshoots near edges); the nearest mode returns exactly the source values.
 */
public final class Warp {
  private Warp() {}

  /**
   * Warps every layer of {@code in}: the image with {@code imageOrder}, the mask with nearest, the
   * weights with linear. The output is {@code outH x outW}; output pixel {@code (y, x)} is the map's
   * pixel {@code (y0 + y, x0 + x)}.
   */
  public static ImageStack warp(ImageStack in, CoordinateMap map, Interpolation imageOrder,
      int y0, int x0, int outH, int outW) {
    checkArgument(outH > 0 && outW > 0, "output size must be positive, got %sx%s", outH, outW);
    Plane[] image = Plane.of(in.image(), imageOrder);
    Plane[] mask = in.mask() == null ? null : Plane.of(in.mask(), Interpolation.NEAREST);
    Plane[] weights = in.weights() == null ? null : Plane.of(in.weights(), Interpolation.LINEAR);
    float[] outImage = new float[outH * outW * image.length];
    float[] outMask = mask == null ? null : new float[outH * outW * mask.length];
    float[] outWeights = weights == null ? null : new float[outH * outW * weights.length];
    float[] sy = new float[outW];
    float[] sx = new float[outW];
    // the hot case (one-channel image, cubic, with a one-channel mask) samples both in one pass
    boolean fused = imageOrder == Interpolation.CUBIC && image.length == 1 && mask != null && mask.length == 1;
    for (int y = 0; y < outH; y++) {
      map.row(y0 + y, x0, outW, sy, sx);
      if (fused) {
        image[0].cubicRow(sy, sx, outW, outImage, y * outW, 1, mask[0], outMask);
      } else {
        sampleAll(image, sy, sx, outW, outImage, y * outW);
        if (mask != null) {
          sampleAll(mask, sy, sx, outW, outMask, y * outW);
        }
      }
      if (weights != null) {
        sampleAll(weights, sy, sx, outW, outWeights, y * outW);
      }
    }
    ImageArray img = ImageArray.wrap(outH, outW, image.length, in.image().depth(), outImage);
    if (imageOrder == Interpolation.CUBIC && in.image().depth().isInteger()) {
      clamp(outImage, in.image().depth().max());
    }
    return new ImageStack(img,
        mask == null ? null : ImageArray.wrap(outH, outW, mask.length, in.mask().depth(), outMask),
        weights == null ? null : ImageArray.wrap(outH, outW, weights.length, in.weights().depth(), outWeights));
  }

  private static void sampleAll(Plane[] planes, float[] sy, float[] sx, int n, float[] out, int pixelOffset) {
    int stride = planes.length;
    for (int c = 0; c < stride; c++) {
      planes[c].sampleRow(sy, sx, n, out, pixelOffset * stride + c, stride);
    }
  }

  /** The nearest pixel index, halves rounded up (the rule of every nearest path here). */
  static int nearest(float v) {
    int i = floor(v);
    return v - i >= 0.5f ? i + 1 : i;
  }

  /** floor for floats well inside the int range (cheaper than Math.floor's double round trip). */
  static int floor(float v) {
    int i = (int) v;
    return v < i ? i - 1 : i;
  }

  private static void clamp(float[] v, float max) {
    for (int i = 0; i < v.length; i++) {
      float f = v[i];
      v[i] = f < 0 ? 0 : (f > max ? max : f);
    }
  }

  /** One channel of a source, prepared for one interpolation order. */
  static final class Plane {
    private final float[] data;
    private final int h;
    private final int w;
    private final Interpolation order;

    Plane(float[] data, int h, int w, Interpolation order) {
      this.data = data;
      this.h = h;
      this.w = w;
      this.order = order;
    }

    static Plane[] of(ImageArray img, Interpolation order) {
      int c = img.channels();
      int h = img.height();
      int w = img.width();
      Plane[] planes = new Plane[c];
      float[] src = img.data();
      for (int ch = 0; ch < c; ch++) {
        float[] p;
        if (c == 1) {
          p = src;
        } else {
          p = new float[h * w];
          for (int i = 0; i < p.length; i++) {
            p[i] = src[i * c + ch];
          }
        }
        if (order == Interpolation.CUBIC) {
          float[] coefficients = new float[h * w];
          BSpline.prefilter(p, coefficients, h, w);
          p = coefficients;
        }
        planes[ch] = new Plane(p, h, w, order);
      }
      return planes;
    }

    void sampleRow(float[] sy, float[] sx, int n, float[] out, int off, int stride) {
      switch (order) {
        case NEAREST:
          nearestRow(sy, sx, n, out, off, stride);
          break;
        case LINEAR:
          linearRow(sy, sx, n, out, off, stride);
          break;
        default:
          cubicRow(sy, sx, n, out, off, stride, null, null);
      }
    }

    private int fy(int i) {
      return i >= 0 && i < h ? i : Boundary.REFLECT.fold(i, h);
    }

    private int fx(int i) {
      return i >= 0 && i < w ? i : Boundary.REFLECT.fold(i, w);
    }

    private void nearestRow(float[] sy, float[] sx, int n, float[] out, int off, int stride) {
      for (int i = 0; i < n; i++) {
        int iy = fy(nearest(sy[i]));
        int ix = fx(nearest(sx[i]));
        out[off + i * stride] = data[iy * w + ix];
      }
    }

    private void linearRow(float[] sy, float[] sx, int n, float[] out, int off, int stride) {
      for (int i = 0; i < n; i++) {
        float y = sy[i];
        float x = sx[i];
        int y0 = floor(y);
        int x0 = floor(x);
        float ty = y - y0;
        float tx = x - x0;
        int r0 = fy(y0) * w;
        int r1 = fy(y0 + 1) * w;
        int c0 = fx(x0);
        int c1 = fx(x0 + 1);
        float top = data[r0 + c0] + tx * (data[r0 + c1] - data[r0 + c0]);
        float bottom = data[r1 + c0] + tx * (data[r1 + c1] - data[r1 + c0]);
        out[off + i * stride] = top + ty * (bottom - top);
      }
    }

    /**
     * Cubic row; when {@code nearest} is given, also samples that (same-size, one-channel) plane
     * with nearest into {@code nearestOut} at the same offsets, reusing the floors and fractions.
     */
    void cubicRow(float[] sy, float[] sx, int n, float[] out, int off, int stride, Plane nearest,
        float[] nearestOut) {
      final float[] d = data;
      final int w = this.w;
      final float[] m = nearest == null ? null : nearest.data;
      for (int i = 0; i < n; i++) {
        float y = sy[i];
        float x = sx[i];
        int yi = floor(y);
        int xi = floor(x);
        float ty = y - yi;
        float tx = x - xi;
        // beta3 weights at offsets -1, 0, 1, 2
        float ty2 = ty * ty;
        float ty3 = ty2 * ty;
        float uy = 1 - ty;
        float wy0 = uy * uy * uy * (1f / 6);
        float wy1 = (4 - 6 * ty2 + 3 * ty3) * (1f / 6);
        float wy3 = ty3 * (1f / 6);
        float wy2 = 1 - wy0 - wy1 - wy3;
        float tx2 = tx * tx;
        float tx3 = tx2 * tx;
        float ux = 1 - tx;
        float wx0 = ux * ux * ux * (1f / 6);
        float wx1 = (4 - 6 * tx2 + 3 * tx3) * (1f / 6);
        float wx3 = tx3 * (1f / 6);
        float wx2 = 1 - wx0 - wx1 - wx3;
        float v;
        if (yi >= 1 && yi + 2 < h && xi >= 1 && xi + 2 < w) {
          int p = (yi - 1) * w + xi - 1;
          float r0 = wx0 * d[p] + wx1 * d[p + 1] + wx2 * d[p + 2] + wx3 * d[p + 3];
          p += w;
          float r1 = wx0 * d[p] + wx1 * d[p + 1] + wx2 * d[p + 2] + wx3 * d[p + 3];
          p += w;
          float r2 = wx0 * d[p] + wx1 * d[p + 1] + wx2 * d[p + 2] + wx3 * d[p + 3];
          p += w;
          float r3 = wx0 * d[p] + wx1 * d[p + 1] + wx2 * d[p + 2] + wx3 * d[p + 3];
          v = wy0 * r0 + wy1 * r1 + wy2 * r2 + wy3 * r3;
        } else {
          int c0 = fx(xi - 1);
          int c1 = fx(xi);
          int c2 = fx(xi + 1);
          int c3 = fx(xi + 2);
          int r0 = fy(yi - 1) * w;
          int r1 = fy(yi) * w;
          int r2 = fy(yi + 1) * w;
          int r3 = fy(yi + 2) * w;
          v = wy0 * (wx0 * d[r0 + c0] + wx1 * d[r0 + c1] + wx2 * d[r0 + c2] + wx3 * d[r0 + c3])
              + wy1 * (wx0 * d[r1 + c0] + wx1 * d[r1 + c1] + wx2 * d[r1 + c2] + wx3 * d[r1 + c3])
              + wy2 * (wx0 * d[r2 + c0] + wx1 * d[r2 + c1] + wx2 * d[r2 + c2] + wx3 * d[r2 + c3])
              + wy3 * (wx0 * d[r3 + c0] + wx1 * d[r3 + c1] + wx2 * d[r3 + c2] + wx3 * d[r3 + c3]);
        }
        out[off + i * stride] = v;
        if (m != null) {
          int iy = ty >= 0.5f ? yi + 1 : yi;
          int ix = tx >= 0.5f ? xi + 1 : xi;
          nearestOut[off + i] = m[fy(iy) * w + fx(ix)];
        }
      }
    }
  }
}
