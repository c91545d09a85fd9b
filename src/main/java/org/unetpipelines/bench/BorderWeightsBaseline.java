package org.unetpipelines.bench;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import org.unetpipelines.image.ImageArray;

/**
 * BASELINE ONLY, not for pipelines: {@link org.unetpipelines.augment.BorderWeights} as it was before
 * issue 13 made it faster (commit 9bb9aae), kept verbatim apart from its name and package: one
 * full-image distance transform per cell, no cut-off. {@code bench border-weights} times it next to
 * the current implementation, and BorderWeightsTest checks the current one equals it within 1e-6
 * on the ISBI 2012 labels.
 *
 * <p>The U-Net paper's pixel-wise loss weight map (Ronneberger et al. 2015, eq. 2):
 *
 * <pre>w(x) = w_c(x) + w0 · exp(−(d1(x) + d2(x))² / (2σ²))</pre>
 *
 * where d1 and d2 are the Euclidean distances from pixel x to the nearest and the second-nearest
 * cell. Cells are the 4-connected components of the foreground ({@code mask > 0}; channel 0). The
 * class-balancing term is {@code w_c(x) = n / (2 · n_class(x))} (each of foreground and background
 * carries half the total weight), or 1 when balancing is off. With fewer than two cells the border
 * term is 0.
 *
 * <p>Distances are exact: one Felzenszwalb-Huttenlocher squared Euclidean distance transform per
 * cell (two 1-D lower-envelope passes, O(h·w) each; the column pass skips columns the cell does not
 * touch), keeping the two smallest distances per pixel. Total cost O(K · h · w) for K cells.
 */
public final class BorderWeightsBaseline {
  private BorderWeightsBaseline() {}

  private static final double INF = 1e20;

  /** The weight map (F32, one channel) of a label mask. */
  public static ImageArray weightMap(ImageArray mask, double w0, double sigma, boolean classBalance) {
    checkNotNull(mask, "mask");
    checkArgument(w0 >= 0 && Double.isFinite(w0), "w0 must be a finite value >= 0, got %s", w0);
    checkArgument(sigma > 0 && Double.isFinite(sigma), "sigma must be a finite value > 0, got %s", sigma);
    int h = mask.height();
    int w = mask.width();
    int n = h * w;
    int[] labels = new int[n];
    int cells = label(mask, labels);
    double[] out = new double[n];
    int fg = 0;
    for (int l : labels) {
      if (l > 0) {
        fg++;
      }
    }
    int bg = n - fg;
    for (int p = 0; p < n; p++) {
      boolean isFg = labels[p] > 0;
      out[p] = classBalance ? n / (2.0 * (isFg ? fg : bg)) : 1.0;
    }
    if (cells >= 2 && w0 > 0) {
      double[] best1 = new double[n];
      double[] best2 = new double[n];
      Arrays.fill(best1, INF);
      Arrays.fill(best2, INF);
      double[] dist = new double[n];
      Edt edt = new Edt(Math.max(h, w));
      int[][] boxes = boxes(labels, cells, h, w);
      for (int cell = 1; cell <= cells; cell++) {
        edt.cellDistance(labels, cell, boxes[cell], h, w, dist);
        for (int p = 0; p < n; p++) {
          double d = dist[p];
          if (d < best1[p]) {
            best2[p] = best1[p];
            best1[p] = d;
          } else if (d < best2[p]) {
            best2[p] = d;
          }
        }
      }
      double twoSigma2 = 2 * sigma * sigma;
      for (int p = 0; p < n; p++) {
        double s = Math.sqrt(best1[p]) + Math.sqrt(best2[p]);
        out[p] += w0 * StrictMath.exp(-s * s / twoSigma2);
      }
    }
    float[] f = new float[n];
    for (int p = 0; p < n; p++) {
      f[p] = (float) out[p];
    }
    return ImageArray.wrap(h, w, 1, ImageArray.Depth.F32, f);
  }

  /** 4-connected component labels (1..K) of {@code mask > 0} into {@code labels}; returns K. */
  public static int label(ImageArray mask, int[] labels) {
    int h = mask.height();
    int w = mask.width();
    int c = mask.channels();
    float[] m = mask.data();
    int[] stack = new int[h * w];
    int next = 0;
    for (int p = 0; p < h * w; p++) {
      if (labels[p] != 0 || !(m[p * c] > 0)) {
        continue;
      }
      next++;
      int top = 0;
      stack[top++] = p;
      labels[p] = next;
      while (top > 0) {
        int q = stack[--top];
        int y = q / w;
        int x = q % w;
        if (x > 0) {
          top = visit(q - 1, m, c, labels, next, stack, top);
        }
        if (x < w - 1) {
          top = visit(q + 1, m, c, labels, next, stack, top);
        }
        if (y > 0) {
          top = visit(q - w, m, c, labels, next, stack, top);
        }
        if (y < h - 1) {
          top = visit(q + w, m, c, labels, next, stack, top);
        }
      }
    }
    return next;
  }

  private static int visit(int q, float[] m, int c, int[] labels, int label, int[] stack, int top) {
    if (labels[q] == 0 && m[q * c] > 0) {
      labels[q] = label;
      stack[top++] = q;
    }
    return top;
  }

  /** Column range [minX, maxX] per label. */
  private static int[][] boxes(int[] labels, int cells, int h, int w) {
    int[][] b = new int[cells + 1][];
    for (int k = 1; k <= cells; k++) {
      b[k] = new int[] {Integer.MAX_VALUE, -1};
    }
    for (int p = 0; p < labels.length; p++) {
      int l = labels[p];
      if (l > 0) {
        int x = p % w;
        b[l][0] = Math.min(b[l][0], x);
        b[l][1] = Math.max(b[l][1], x);
      }
    }
    return b;
  }

  /** Felzenszwalb-Huttenlocher squared EDT with reusable buffers. */
  static final class Edt {
    private final double[] f;
    private final double[] d;
    private final int[] v;
    private final double[] z;

    Edt(int maxLen) {
      f = new double[maxLen];
      d = new double[maxLen];
      v = new int[maxLen];
      z = new double[maxLen + 1];
    }

    /** Squared distance from every pixel to the nearest pixel labelled {@code cell}. */
    void cellDistance(int[] labels, int cell, int[] colRange, int h, int w, double[] out) {
      Arrays.fill(out, INF);
      for (int x = colRange[0]; x <= colRange[1]; x++) {
        for (int y = 0; y < h; y++) {
          f[y] = labels[y * w + x] == cell ? 0 : INF;
        }
        transform(h);
        for (int y = 0; y < h; y++) {
          out[y * w + x] = d[y];
        }
      }
      for (int y = 0; y < h; y++) {
        System.arraycopy(out, y * w, f, 0, w);
        transform(w);
        System.arraycopy(d, 0, out, y * w, w);
      }
    }

    /** 1-D squared distance transform of f[0..n-1] into d[0..n-1] (lower envelope of parabolas). */
    void transform(int n) {
      int k = 0;
      v[0] = 0;
      z[0] = Double.NEGATIVE_INFINITY;
      z[1] = Double.POSITIVE_INFINITY;
      for (int q = 1; q < n; q++) {
        double s = intersect(q, v[k]);
        while (s <= z[k]) {
          k--;
          s = intersect(q, v[k]);
        }
        k++;
        v[k] = q;
        z[k] = s;
        z[k + 1] = Double.POSITIVE_INFINITY;
      }
      k = 0;
      for (int q = 0; q < n; q++) {
        while (z[k + 1] < q) {
          k++;
        }
        double dq = q - v[k];
        d[q] = dq * dq + f[v[k]];
      }
    }

    private double intersect(int q, int p) {
      return ((f[q] + (double) q * q) - (f[p] + (double) p * p)) / (2.0 * q - 2.0 * p);
    }
  }
}
