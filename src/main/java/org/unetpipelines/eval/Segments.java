package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.HashMap;
import java.util.Map;

/**
 * Segment-level comparison of two label images: connected-component labelling, the contingency
 * table, and the ISBI 2012 / SNEMI3D scores defined on it, computed exactly as scikit-image's
 * {@code skimage.measure.label(..., connectivity=1)}, {@code skimage.metrics.adapted_rand_error} and
 * {@code skimage.metrics.variation_of_information} compute them.
 *
 * <p>Notation: n_ij = number of pixels with true label i and test label j, counted only over pixels
 * whose true label is not ignored; a_i = sum_j n_ij (true segment sizes), b_j = sum_i n_ij (test
 * segment sizes), N = sum_ij n_ij.
 */
public final class Segments {
  private Segments() {}

  /**
   * Labels the 4-connected components of the foreground 1, 2, ... in raster order of their first
   * pixel; background is 0. Same as {@code skimage.measure.label(fg, connectivity=1)}.
   */
  public static int[] label4(boolean[] foreground, int height, int width) {
    checkArgument(foreground.length == height * width,
        "mask has %s pixels, expected %sx%s", foreground.length, height, width);
    // Union-find over pixel indices, then renumber roots in raster order.
    int n = foreground.length;
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        if (!foreground[i]) {
          continue;
        }
        if (x > 0 && foreground[i - 1]) {
          union(parent, i, i - 1);
        }
        if (y > 0 && foreground[i - width]) {
          union(parent, i, i - width);
        }
      }
    }
    int[] labels = new int[n];
    int[] rootLabel = new int[n];
    int next = 0;
    for (int i = 0; i < n; i++) {
      if (!foreground[i]) {
        continue;
      }
      int r = find(parent, i);
      if (rootLabel[r] == 0) {
        rootLabel[r] = ++next;
      }
      labels[i] = rootLabel[r];
    }
    return labels;
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      if (ra < rb) {
        parent[rb] = ra;
      } else {
        parent[ra] = rb;
      }
    }
  }

  /** The contingency table of two label images, ignoring pixels whose true label is {@code ignoreTrue}. */
  public static Contingency contingency(int[] truth, int[] test, int ignoreTrue) {
    checkArgument(truth.length == test.length,
        "truth has %s pixels but test has %s", truth.length, test.length);
    Map<Long, long[]> joint = new HashMap<>();
    Map<Integer, long[]> rows = new HashMap<>();
    Map<Integer, long[]> cols = new HashMap<>();
    long total = 0;
    for (int k = 0; k < truth.length; k++) {
      int i = truth[k];
      if (i == ignoreTrue) {
        continue;
      }
      int j = test[k];
      joint.computeIfAbsent(((long) i << 32) ^ (j & 0xffffffffL), key -> new long[1])[0]++;
      rows.computeIfAbsent(i, key -> new long[1])[0]++;
      cols.computeIfAbsent(j, key -> new long[1])[0]++;
      total++;
    }
    return new Contingency(counts(joint), countsI(rows), countsI(cols), total);
  }

  private static long[] counts(Map<Long, long[]> m) {
    return m.values().stream().mapToLong(v -> v[0]).toArray();
  }

  private static long[] countsI(Map<Integer, long[]> m) {
    return m.values().stream().mapToLong(v -> v[0]).toArray();
  }

  /**
   * Non-zero cells of a contingency table and its marginals.
   *
   * @param joint the non-zero n_ij
   * @param trueSizes the non-zero a_i
   * @param testSizes the non-zero b_j
   * @param total N
   */
  public record Contingency(long[] joint, long[] trueSizes, long[] testSizes, long total) {

    /**
     * The adapted Rand error and its precision and recall, as skimage's {@code adapted_rand_error}
     * (alpha = 0.5). With S = sum n_ij^2 - N, A = sum a_i^2 - N, B = sum b_j^2 - N (twice the
     * number of pixel pairs in the same segment in both, in the truth, in the test):
     * error = 1 - 2 S / (A + B) = 1 - the Rand F-score; precision = S / A and recall = S / B, which
     * is what skimage's code returns (its docstring describes the two the other way round; we
     * follow the code, checked against skimage 0.19 in the golden test). Degenerate denominators
     * give 1 (nothing can be split or merged).
     */
    public RandScore adaptedRand() {
      double s = sumSq(joint) - total;
      double a = sumSq(trueSizes) - total;
      double b = sumSq(testSizes) - total;
      double precision = a == 0 ? 1.0 : s / a;
      double recall = b == 0 ? 1.0 : s / b;
      double f = (a + b) == 0 ? 1.0 : 2 * s / (a + b);
      return new RandScore(1 - f, precision, recall);
    }

    /**
     * Variation of information split in two conditional entropies, in bits, with p_ij = n_ij / N:
     * split = H(test | truth) = -sum p_ij log2(p_ij / p_i) (over-segmentation: true segments broken
     * apart), merge = H(truth | test) = -sum p_ij log2(p_ij / p_j) (under-segmentation: true segments
     * joined). skimage's {@code variation_of_information(truth, test)} returns [split, merge]. Both
     * are 0 when no pixel is counted.
     */
    public ViScore variationOfInformation() {
      if (total == 0) {
        return new ViScore(0, 0);
      }
      double n = total;
      // H(test|truth) = H(joint) - H(truth); H(truth|test) = H(joint) - H(test).
      double hJoint = entropy(joint, n);
      double hTrue = entropy(trueSizes, n);
      double hTest = entropy(testSizes, n);
      return new ViScore(Math.max(0, hJoint - hTrue), Math.max(0, hJoint - hTest));
    }

    private static double sumSq(long[] v) {
      double s = 0;
      for (long x : v) {
        s += (double) x * x;
      }
      return s;
    }

    private static double entropy(long[] counts, double n) {
      double h = 0;
      for (long c : counts) {
        if (c > 0) {
          double p = c / n;
          h -= p * Math.log(p);
        }
      }
      return h / Math.log(2);
    }
  }

  /** Adapted Rand error = 1 - Rand F-score, with the Rand precision and recall it came from. */
  public record RandScore(double error, double precision, double recall) {}

  /** Variation of information parts in bits: split = H(test|truth), merge = H(truth|test). */
  public record ViScore(double split, double merge) {
    public double total() {
      return split + merge;
    }
  }
}
