package org.unetpipelines.grid;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Holm-Bonferroni step-down adjustment of a family of p-values (commons-math3 has none): sorted
 * ascending p_(1) &le; ... &le; p_(m), the adjusted p_(i) is {@code max over j <= i of min(1, (m - j
 * + 1) p_(j))}. NaN entries (undefined tests) stay NaN and do not count in m.
 */
public final class Holm {
  private Holm() {}

  /** Adjusted p-values, in the order of {@code p}. */
  public static double[] adjust(double[] p) {
    Integer[] idx = IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i])).boxed().toArray(Integer[]::new);
    Arrays.sort(idx, Comparator.comparingDouble(i -> p[i])); // stable: equal p keep their order
    double[] out = new double[p.length];
    Arrays.fill(out, Double.NaN);
    int m = idx.length;
    double running = 0;
    for (int r = 0; r < m; r++) {
      running = Math.max(running, Math.min(1.0, (m - r) * p[idx[r]]));
      out[idx[r]] = running;
    }
    return out;
  }
}
