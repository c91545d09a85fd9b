package org.unetpipelines.bench;

import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * The one percentile definition of every benchmark: linear interpolation between closest ranks
 * (commons-math3 {@code R_7}, the same as numpy's default {@code np.percentile}), so Java figures
 * and the Python reference scripts' figures are computed alike.
 */
final class Stats {
  private Stats() {}

  /** The {@code p}-th percentile (0..100) of {@code values} (any order; not modified). */
  static double percentile(double[] values, double p) {
    return new Percentile().withEstimationType(Percentile.EstimationType.R_7).evaluate(values, p);
  }

  static double median(double[] values) {
    return percentile(values, 50);
  }
}
