package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.List;
import org.unetpipelines.image.ImageArray;

/**
 * The U-Net paper's pixel-wise loss weight map (Ronneberger et al. 2015, eq. 2):
 *
 * <pre>w(x) = w_c(x) + w0 · exp(−(d1(x) + d2(x))² / (2σ²))</pre>
 *
 * where d1 and d2 are the Euclidean distances from pixel x to the nearest and the second-nearest
 * cell. Cells are the 4-connected components of the foreground ({@code mask > 0}; channel 0). The
 * class-balancing term is {@code w_c(x) = n / (2 · n_class(x))} (each of foreground and background
 * carries half the total weight), or 1 when balancing is off. With fewer than two cells the border
 * term is 0.
 *
 * <p>Distances are exact where they matter. The border term only counts where both d1 and d2 are
 * within the <em>reach</em> {@code R = σ·sqrt(2·ln(w0 / ε))}, ε = {@value #NEGLIGIBLE}: beyond it
 * {@code w0·exp(−(d1+d2)²/(2σ²)) < ε} and the term is left out (so the map differs from the
 * untruncated formula by less than ε anywhere; where d2 ≤ R it is the same to the last bit). So
 * each cell's exact squared Euclidean distance transform ({@link CellDistance}) runs only in the
 * cell's bounding box grown by R on every side, which holds every pixel within R of the cell, and
 * the two smallest distances per pixel are kept; the exponential is evaluated once per distinct
 * distance pair ({@link BorderTerm}). Cost: about the sum of those windows' areas (about 5 image
 * areas on the ISBI 2012 labels), instead of K full images for K cells (100 to 140 there); the
 * result is the same as before this windowing within 1e-6 (BorderWeightsTest).
 */
public final class BorderWeights {
  private BorderWeights() {}

  public static final double DEFAULT_W0 = 10.0;
  public static final double DEFAULT_SIGMA = 5.0;

  /** The border term is left out where it is below this (absolute) value. */
  public static final double NEGLIGIBLE = 1e-6;

  /**
   * The weight map as a {@link SampleOp} (draws nothing): the sample keeps its image and mask and
   * gets {@link #weightMap} of its mask as weights. Parameters: {@code w0}, {@code sigma}. A sample
   * without a mask is rejected.
   */
  public static SampleOp op(double w0, double sigma, boolean classBalance) {
    checkArgument(w0 >= 0 && Double.isFinite(w0), "w0 must be a finite value >= 0, got %s", w0);
    checkArgument(sigma > 0 && Double.isFinite(sigma), "sigma must be a finite number of pixels > 0, got %s", sigma);
    return (in, rng) -> {
      checkArgument(in.mask() != null, "the sample has no mask: a border weight map needs a label mask");
      ImageStack out = new ImageStack(in.image(), in.mask(), weightMap(in.mask(), w0, sigma, classBalance));
      return List.of(SampleOp.Outcome.of(out, "w0", w0, "sigma", sigma));
    };
  }

  /**
   * The reach R in pixels: where d2 &gt; R, {@code w0·exp(−(d1+d2)²/(2σ²)) < NEGLIGIBLE}
   * (0 when w0 itself is below it).
   */
  public static double reach(double w0, double sigma) {
    return w0 > NEGLIGIBLE ? sigma * Math.sqrt(2 * Math.log(w0 / NEGLIGIBLE)) : 0;
  }

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
    int[][] boxes = new int[cells + 1][];
    int fg = boxes(labels, boxes, h, w);
    double wcFg = classBalance ? n / (2.0 * fg) : 1.0;
    double wcBg = classBalance ? n / (2.0 * (n - fg)) : 1.0;
    float[] f = new float[n];
    double reach = reach(w0, sigma);
    if (cells >= 2 && w0 > 0 && reach > 0) {
      // squared distances are integers: d2 <= R exactly when d2² <= floor(R²)
      int limit2 = (int) Math.min(Math.floor(reach * reach), (long) (h - 1) * (h - 1) + (long) (w - 1) * (w - 1));
      int grow = (int) Math.ceil(reach);
      int[] best1 = new int[n]; // per pixel: smallest squared distance to a cell (0 inside one)
      int[] best2 = new int[n]; // and second smallest (to another cell)
      for (int p = 0; p < n; p++) {
        best1[p] = labels[p] > 0 ? 0 : Integer.MAX_VALUE;
      }
      Arrays.fill(best2, Integer.MAX_VALUE);
      BorderTerm term = BorderTerm.of(w0, sigma, limit2);
      CellDistance cd = new CellDistance(h, w);
      for (int cell = 1; cell <= cells; cell++) {
        int[] b = boxes[cell];
        cd.accumulate(labels, cell, b, Math.max(0, b[0] - grow), Math.min(h - 1, b[1] + grow),
            Math.max(0, b[2] - grow), Math.min(w - 1, b[3] + grow), limit2, term.isqrt, best1, best2);
      }
      for (int p = 0; p < n; p++) {
        double wc = labels[p] > 0 ? wcFg : wcBg;
        int b2 = best2[p];
        f[p] = (float) (b2 <= limit2 ? wc + term.of(best1[p], b2) : wc);
      }
    } else {
      for (int p = 0; p < n; p++) {
        f[p] = (float) (labels[p] > 0 ? wcFg : wcBg);
      }
    }
    return ImageArray.wrap(h, w, 1, ImageArray.Depth.F32, f);
  }

  /**
   * {@code w0·exp(−(√b1 + √b2)²/(2σ²))} for squared distances b1, b2 (integers up to {@code max2}),
   * each pair computed once with StrictMath and remembered: a squared pixel distance is a sum of two
   * squares, and there are only a few hundred of those below R², so a map needs a few thousand
   * distinct pairs where a 512x512 image has 262,144 pixels. Same values, bit for bit, as computing
   * the formula at every pixel. For a large reach (more than {@link #MAX_TABLE} such values) it
   * computes every call instead of keeping a table.
   */
  static final class BorderTerm {
    static final int MAX_TABLE = 1024;

    /** The last table of each thread, reused while w0, sigma and the limit stay the same. */
    private static final ThreadLocal<BorderTerm> LAST = new ThreadLocal<>();

    static BorderTerm of(double w0, double sigma, int max2) {
      BorderTerm t = LAST.get();
      if (t == null || t.w0 != w0 || t.sigma != sigma || t.isqrt.length != max2 + 1) {
        t = new BorderTerm(w0, sigma, max2);
        LAST.set(t);
      }
      return t;
    }

    private final double w0;
    private final double sigma;
    private final double twoSigma2;
    /** floor(sqrt(v)) for v = 0..max2. */
    final int[] isqrt;
    private final int[] index;
    private final int count;
    private final double[] table;

    BorderTerm(double w0, double sigma, int max2) {
      this.w0 = w0;
      this.sigma = sigma;
      this.twoSigma2 = 2 * sigma * sigma;
      isqrt = new int[max2 + 1];
      for (int v = 0, r = 0; v <= max2; v++) {
        while ((r + 1) * (r + 1) <= v) {
          r++;
        }
        isqrt[v] = r;
      }
      index = new int[max2 + 1];
      Arrays.fill(index, -1);
      int c = 0;
      boolean[] sum = new boolean[max2 + 1];
      for (int a = 0; a * a <= max2; a++) {
        for (int b = a; a * a + b * b <= max2; b++) {
          sum[a * a + b * b] = true;
        }
      }
      for (int v = 0; v <= max2; v++) {
        if (sum[v]) {
          index[v] = c++;
        }
      }
      count = c;
      table = c <= MAX_TABLE ? new double[c * c] : null;
      if (table != null) {
        Arrays.fill(table, Double.NaN);
      }
    }

    double of(int b1, int b2) {
      if (table == null) {
        double s = Math.sqrt(b1) + Math.sqrt(b2);
        return w0 * StrictMath.exp(-s * s / twoSigma2);
      }
      int k = index[b1] * count + index[b2];
      double t = table[k];
      if (Double.isNaN(t)) {
        double s = Math.sqrt(b1) + Math.sqrt(b2);
        t = w0 * StrictMath.exp(-s * s / twoSigma2);
        table[k] = t;
      }
      return t;
    }
  }

  /**
   * 4-connected component labels (1..K, raster order of each cell's first pixel) of channel 0
   * {@code > 0} into {@code labels}; returns K. Works on horizontal runs: each run is joined
   * (union-find) with the runs it touches in the row above, then every run is filled with its
   * component's number; the same labels as {@link org.unetpipelines.eval.Segments#label4}, with one
   * union per touching pair of runs instead of per pixel.
   */
  static int label(ImageArray mask, int[] labels) {
    int h = mask.height();
    int w = mask.width();
    int c = mask.channels();
    float[] m = mask.data();
    int[] runStart = new int[16];
    int[] runEnd = new int[16];
    int[] runRow = new int[16];
    int[] parent = new int[16];
    int runs = 0;
    int prevStart = 0; // the row above's runs: prevStart..prevEnd-1
    int prevEnd = 0;
    for (int y = 0; y < h; y++) {
      int rowFirst = runs;
      int q0 = prevStart;
      int x = 0;
      int base = y * w;
      while (x < w) {
        while (x < w && !(m[(base + x) * c] > 0)) {
          x++;
        }
        if (x == w) {
          break;
        }
        int start = x;
        while (x < w && m[(base + x) * c] > 0) {
          x++;
        }
        if (runs == runStart.length) {
          int len = runs * 2;
          runStart = Arrays.copyOf(runStart, len);
          runEnd = Arrays.copyOf(runEnd, len);
          runRow = Arrays.copyOf(runRow, len);
          parent = Arrays.copyOf(parent, len);
        }
        int r = runs++;
        runStart[r] = start;
        runEnd[r] = x - 1;
        runRow[r] = y;
        parent[r] = r;
        // runs of the row above that share a column with [start, x-1]
        while (q0 < prevEnd && runEnd[q0] < start) {
          q0++;
        }
        for (int q = q0; q < prevEnd && runStart[q] <= x - 1; q++) {
          union(parent, r, q);
        }
      }
      prevStart = rowFirst;
      prevEnd = runs;
    }
    int[] number = new int[runs];
    int next = 0;
    for (int r = 0; r < runs; r++) {
      int root = find(parent, r);
      if (number[root] == 0) {
        number[root] = ++next;
      }
      Arrays.fill(labels, runRow[r] * w + runStart[r], runRow[r] * w + runEnd[r] + 1, number[root]);
    }
    return next;
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  /** Joins two runs' sets, the smaller index becoming the root (so roots are first runs in raster order). */
  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra < rb) {
      parent[rb] = ra;
    } else if (rb < ra) {
      parent[ra] = rb;
    }
  }

  /** Fills {@code boxes[1..K]} with each label's bounding box {minY, maxY, minX, maxX}; returns the foreground pixel count. */
  private static int boxes(int[] labels, int[][] boxes, int h, int w) {
    for (int k = 1; k < boxes.length; k++) {
      boxes[k] = new int[] {Integer.MAX_VALUE, -1, Integer.MAX_VALUE, -1};
    }
    int fg = 0;
    for (int y = 0, p = 0; y < h; y++) {
      for (int x = 0; x < w; x++, p++) {
        int l = labels[p];
        if (l > 0) {
          fg++;
          int[] bl = boxes[l];
          if (y < bl[0]) {
            bl[0] = y;
          }
          bl[1] = y;
          if (x < bl[2]) {
            bl[2] = x;
          }
          if (x > bl[3]) {
            bl[3] = x;
          }
        }
      }
    }
    return fg;
  }

  /**
   * One cell's exact squared Euclidean distances inside a window around it, merged into the two
   * smallest per pixel; reusable buffers. Separable (Felzenszwalb-Huttenlocher): a cell is connected,
   * so every column of its bounding box holds a cell pixel; the column pass gives, for each box
   * column and window row, the squared vertical distance to the cell's nearest pixel in that column
   * (two linear scans); the row pass builds the lower envelope of those columns' parabolas and
   * evaluates it along the window row (columns outside the box hold no cell pixel, so they add no
   * parabola). In a row, a run of the cell's own pixels (distance 0) needs only its two ends in the
   * envelope, and is not evaluated: {@code best1} is 0 on every cell pixel from the start.
   */
  static final class CellDistance {
    private final int[] columns;
    private final int[] seen;
    private final int[] bottom;
    private final int[] pos;
    private final int[] val;
    private final int[] runs;
    private final int[] v;
    private final long[] zn;
    private final long[] zd;
    private final int w;

    CellDistance(int h, int w) {
      this.w = w;
      columns = new int[h * w];
      seen = new int[w];
      bottom = new int[w];
      pos = new int[w];
      val = new int[w];
      runs = new int[w + 2];
      v = new int[w];
      zn = new long[w + 1];
      zd = new long[w + 1];
    }

    /**
     * For every pixel of window rows y0..y1, columns x0..x1 (containing the cell's box
     * {minY, maxY, minX, maxX}) outside the cell, whose squared distance d to the cell may be at
     * most {@code limit2}, updates the smallest ({@code best1}) and second smallest ({@code best2})
     * d seen. A stored d is exact when it is at most the limit, and beyond the limit otherwise.
     * {@code isqrt[v] = floor(sqrt(v))} for v up to the limit.
     */
    void accumulate(int[] labels, int cell, int[] box, int y0, int y1, int x0, int x1, int limit2, int[] isqrt,
        int[] best1, int[] best2) {
      int wh = y1 - y0 + 1;
      int bx0 = box[2];
      int bx1 = box[3];
      int bw = bx1 - bx0 + 1;
      // column pass, row by row (contiguous reads), over the box rows only: nearest cell row above,
      // then below, per box column. Every box column holds a cell pixel (a cell is connected), so
      // above the box the nearest is the column's top cell pixel, below it the bottom one.
      int ib0 = box[0] - y0;
      int ib1 = box[1] - y0;
      Arrays.fill(seen, 0, bw, Integer.MIN_VALUE / 2);
      for (int i = ib0; i <= ib1; i++) {
        int p = (y0 + i) * w + bx0;
        int c = i * bw;
        for (int j = 0; j < bw; j++) {
          if (labels[p + j] == cell) {
            seen[j] = i;
          }
          columns[c + j] = seen[j];
        }
      }
      System.arraycopy(seen, 0, bottom, 0, bw);
      Arrays.fill(seen, 0, bw, Integer.MAX_VALUE / 2);
      for (int i = ib1; i >= ib0; i--) {
        int p = (y0 + i) * w + bx0;
        int c = i * bw;
        for (int j = 0; j < bw; j++) {
          if (labels[p + j] == cell) {
            seen[j] = i;
          }
          int dy = Math.min(i - columns[c + j], seen[j] - i);
          columns[c + j] = dy * dy;
        }
      }
      for (int i = 0; i < ib0; i++) { // seen[j] is now the column's top cell row
        int c = i * bw;
        for (int j = 0; j < bw; j++) {
          int dy = seen[j] - i;
          columns[c + j] = dy * dy;
        }
      }
      for (int i = ib1 + 1; i < wh; i++) {
        int c = i * bw;
        for (int j = 0; j < bw; j++) {
          int dy = i - bottom[j];
          columns[c + j] = dy * dy;
        }
      }
      for (int i = 0; i < wh; i++) {
        // the row's parabolas (q - j)² + f_j that can come within the limit: columns off the cell
        // with f_j <= limit2, and the two ends of each run on the cell. Leaving out the others only
        // changes distances that are beyond the limit anyway (they stay beyond it). The pixels
        // within the limit are those within sqrt(limit2 - f_j) of some column j: the span xl..xr.
        int c = i * bw;
        int m = 0;
        int nr = 0;
        int xl = Integer.MAX_VALUE;
        int xr = Integer.MIN_VALUE;
        for (int j = 0; j < bw; j++) {
          int fj = columns[c + j];
          if (fj == 0) {
            boolean first = j == 0 || columns[c + j - 1] != 0;
            boolean lastOfRun = j == bw - 1 || columns[c + j + 1] != 0;
            if (first) {
              runs[nr++] = bx0 + j;
              xl = Math.min(xl, j - isqrt[limit2]);
            }
            if (first || lastOfRun) {
              pos[m] = j;
              val[m++] = 0;
            }
            if (lastOfRun) {
              runs[nr++] = bx0 + j;
              xr = j + isqrt[limit2];
            }
          } else if (fj <= limit2) {
            pos[m] = j;
            val[m++] = fj;
            int rj = isqrt[limit2 - fj];
            xl = Math.min(xl, j - rj);
            xr = Math.max(xr, j + rj);
          }
        }
        if (m == 0) {
          continue;
        }
        int xs = Math.max(x0, bx0 + xl);
        int xe = Math.min(x1, bx0 + xr);
        int last = envelope(m);
        int row = (y0 + i) * w;
        runs[nr] = xe + 1;
        runs[nr + 1] = xe + 1;
        // evaluate the span outside the cell's runs, walking the envelope's vertices left to right
        int x = xs;
        int k = 0;
        for (int run = 0; run <= nr; run += 2) {
          int segEnd = Math.min(xe, runs[run] - 1);
          for (; x <= segEnd; x++) {
            long q = x - bx0;
            while (k < last && zn[k + 1] < q * zd[k + 1]) {
              k++;
            }
            int dq = x - bx0 - pos[v[k]];
            int d = dq * dq + val[v[k]];
            // keep the two smallest, without branches
            int p = row + x;
            int b1 = best1[p];
            best1[p] = Math.min(d, b1);
            best2[p] = Math.min(Math.max(d, b1), best2[p]);
          }
          x = Math.max(x, runs[run + 1] + 1);
        }
      }
    }

    /**
     * Lower envelope of the parabolas (q - pos[i])² + val[i], i = 0..n-1 (positions increasing;
     * Felzenszwalb-Huttenlocher): vertices v[0..k] (indices into pos) and the boundaries between
     * them, z[i] = zn[i] / zd[i] (zd &gt; 0), kept as exact integer fractions so no division is
     * needed; returns k.
     */
    private int envelope(int n) {
      int k = 0;
      v[0] = 0;
      for (int i = 1; i < n; i++) {
        int q = pos[i];
        int fq = val[i] + q * q;
        while (true) {
          int p = pos[v[k]];
          long num = fq - (val[v[k]] + p * p);
          long den = 2L * (q - p);
          // the new parabola's crossing with v[k] lies at or before v[k]'s left boundary: v[k] is hidden
          if (k > 0 && num * zd[k] <= zn[k] * den) {
            k--;
            continue;
          }
          k++;
          v[k] = i;
          zn[k] = num;
          zd[k] = den;
          break;
        }
      }
      return k;
    }
  }
}
