package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Cubic B-spline helpers: the interpolating prefilter (image values to spline coefficients) and the
 * cardinal weights used to upsample a coarse grid.
 *
 * <p>The prefilter is Unser's separable recursive filter (pole {@code z = sqrt(3) - 2}, gain 6): one
 * causal and one anti-causal first-order pass per line, with the mirror ({@link Boundary#REFLECT})
 * initialisation that scipy.ndimage uses for {@code mode='mirror'}. Cost: O(h·w), about 8 flops per
 * pixel.
 */
public final class BSpline {
  private BSpline() {}

  static final double POLE = Math.sqrt(3.0) - 2.0;
  private static final double GAIN = 6.0;
  /** Terms of the causal initial sum kept; |z|^24 < 2e-14. */
  private static final int HORIZON = 24;

  /** The cubic B-spline basis function beta3(t). */
  static double beta3(double t) {
    double a = Math.abs(t);
    if (a < 1) {
      return (4 - 6 * a * a + 3 * a * a * a) / 6;
    }
    if (a < 2) {
      double b = 2 - a;
      return b * b * b / 6;
    }
    return 0;
  }

  /**
   * Converts a planar {@code h x w} image (row-major) into cubic B-spline coefficients in place, with
   * mirror boundaries on both axes.
   */
  public static void prefilter(float[] plane, int h, int w) {
    prefilter(plane, plane, h, w);
  }

  /**
   * Writes the B-spline coefficients of {@code src} into {@code dst} (may be the same array); the
   * first pass reads {@code src}, so no separate copy is needed.
   */
  public static void prefilter(float[] src, float[] dst, int h, int w) {
    checkArgument(src.length == h * w && dst.length == h * w,
        "planes have %s and %s values, expected %s*%s", src.length, dst.length, h, w);
    float[] plane = dst;
    if (w <= 1 && src != dst) {
      System.arraycopy(src, 0, dst, 0, src.length);
    }
    if (w > 1) {
      for (int y = 0; y < h; y += ROW_BLOCK) {
        filterRows(src, plane, y, Math.min(ROW_BLOCK, h - y), w);
      }
    }
    if (h > 1) {
      filterColumns(plane, h, w);
    }
  }

  /** Rows processed together: independent recursions interleave instead of waiting on each other. */
  private static final int ROW_BLOCK = 8;

  /** Rows {@code y0..y0+rows-1} in place; the inner loops run across the rows of the block. */
  private static void filterRows(float[] src, float[] c, int y0, int rows, int w) {
    final double z = POLE;
    final float zf = (float) z;
    final float k = (float) (z / (z * z - 1));
    int[] base = new int[rows];
    for (int r = 0; r < rows; r++) {
      int off = (y0 + r) * w;
      base[r] = off;
      for (int i = 0; i < w; i++) {
        c[off + i] = src[off + i] * (float) GAIN;
      }
      c[off] = (float) causalInit(c, off, 1, w);
    }
    for (int x = 1; x < w; x++) {
      for (int r = 0; r < rows; r++) {
        int p = base[r] + x;
        c[p] = c[p] + zf * c[p - 1];
      }
    }
    for (int r = 0; r < rows; r++) {
      int last = base[r] + w - 1;
      c[last] = k * (c[last] + zf * c[last - 1]);
    }
    for (int x = w - 2; x >= 0; x--) {
      for (int r = 0; r < rows; r++) {
        int p = base[r] + x;
        c[p] = zf * (c[p + 1] - c[p]);
      }
    }
  }

  /** c+[0] for a line at {@code off} with stride {@code stride} (values already multiplied by the gain). */
  private static double causalInit(float[] c, int off, int stride, int n) {
    final double z = POLE;
    if (n <= HORIZON) {
      // exact mirror-periodic sum (period 2n-2), as scipy's _init_causal_mirror
      double zn1 = Math.pow(z, n - 1);
      double sum = c[off] + zn1 * c[off + (n - 1) * stride];
      double zi = z;
      for (int i = 1; i < n - 1; i++) {
        sum += zi * (c[off + i * stride] + zn1 * c[off + (n - 1 - i) * stride]);
        zi *= z;
      }
      return sum / (1 - zn1 * zn1);
    }
    double sum = c[off];
    double zi = z;
    for (int i = 1; i < HORIZON; i++) {
      sum += zi * c[off + i * stride];
      zi *= z;
    }
    return sum;
  }

  /** All columns at once, walking rows so the inner loop is contiguous. */
  private static void filterColumns(float[] c, int h, int w) {
    final double z = POLE;
    final float zf = (float) z;
    for (int i = 0; i < c.length; i++) {
      c[i] *= GAIN;
    }
    float[] first = new float[w];
    for (int x = 0; x < w; x++) {
      first[x] = (float) causalInit(c, x, w, h);
    }
    System.arraycopy(first, 0, c, 0, w);
    for (int y = 1; y < h; y++) {
      int row = y * w;
      int prev = row - w;
      for (int x = 0; x < w; x++) {
        c[row + x] = c[row + x] + zf * c[prev + x];
      }
    }
    int last = (h - 1) * w;
    int beforeLast = last - w;
    float k = (float) (z / (z * z - 1));
    for (int x = 0; x < w; x++) {
      c[last + x] = k * (c[last + x] + zf * c[beforeLast + x]);
    }
    for (int y = h - 2; y >= 0; y--) {
      int row = y * w;
      int next = row + w;
      for (int x = 0; x < w; x++) {
        c[row + x] = zf * (c[next + x] - c[row + x]);
      }
    }
  }

  /**
   * Cardinal cubic B-spline weights on {@code n} knots at {@code 0..n-1} with mirror boundary: returns
   * {@code w[k]} such that the spline through values {@code v} evaluates to {@code sum_k w[k]·v[k]} at
   * position {@code t}. Exact (solves the n x n interpolation system); meant for small coarse grids.
   */
  static double[][] cardinalWeights(int n, double[] positions) {
    checkArgument(n >= 1, "knots must be >= 1, got %s", n);
    double[][] out = new double[positions.length][n];
    if (n == 1) {
      for (double[] row : out) {
        row[0] = 1;
      }
      return out;
    }
    // A[i][m]: spline value at knot i from coefficient m (mirror-folded); P = A^-1
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int m = i - 1; m <= i + 1; m++) {
        a[i][Boundary.REFLECT.fold(m, n)] += beta3(i - m);
      }
    }
    double[][] p = invert(a);
    for (int k = 0; k < positions.length; k++) {
      double t = positions[k];
      int base = (int) Math.floor(t);
      for (int m = base - 1; m <= base + 2; m++) {
        double b = beta3(t - m);
        if (b == 0) {
          continue;
        }
        double[] prow = p[Boundary.REFLECT.fold(m, n)];
        for (int j = 0; j < n; j++) {
          out[k][j] += b * prow[j];
        }
      }
    }
    return out;
  }

  /** Gauss-Jordan inverse with partial pivoting (small, well-conditioned matrices). */
  private static double[][] invert(double[][] a) {
    int n = a.length;
    double[][] m = new double[n][2 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, m[i], 0, n);
      m[i][n + i] = 1;
    }
    for (int col = 0; col < n; col++) {
      int piv = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) {
          piv = r;
        }
      }
      double[] tmp = m[col];
      m[col] = m[piv];
      m[piv] = tmp;
      double d = m[col][col];
      for (int j = 0; j < 2 * n; j++) {
        m[col][j] /= d;
      }
      for (int r = 0; r < n; r++) {
        if (r != col && m[r][col] != 0) {
          double f = m[r][col];
          for (int j = 0; j < 2 * n; j++) {
            m[r][j] -= f * m[col][j];
          }
        }
      }
    }
    double[][] inv = new double[n][n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(m[i], n, inv[i], 0, n);
    }
    return inv;
  }
}
