package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Running mean / standard deviation of metric values (Welford's algorithm, mergeable so it can be
 * a combiner's accumulator), and the 95 % confidence interval of the mean.
 *
 * <p>std is the sample standard deviation sqrt(sum (x - mean)^2 / (n - 1)); the interval is
 * mean +- t(0.975, n - 1) * std / sqrt(n) with Student's t quantile (commons-math3). Both are
 * undefined (NaN) for n &lt; 2.
 */
public final class MetricSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Confidence level of {@link #ciLow()} / {@link #ciHigh()}. */
  public static final double CONFIDENCE = 0.95;

  private long n;
  private double mean;
  private double m2;

  public static MetricSummary of(double... values) {
    MetricSummary s = new MetricSummary();
    for (double v : values) {
      s.add(v);
    }
    return s;
  }

  /** A summary from its moments: count, mean and M2, the sum of squared deviations from the mean. */
  public static MetricSummary ofMoments(long n, double mean, double m2) {
    checkArgument(n >= 0 && m2 >= 0, "a summary needs n >= 0 and m2 >= 0, got n=%s m2=%s", (Long) n, (Double) m2);
    MetricSummary s = new MetricSummary();
    s.n = n;
    s.mean = n == 0 ? 0 : mean;
    s.m2 = m2;
    return s;
  }

  public MetricSummary add(double x) {
    checkArgument(!Double.isNaN(x), "metric value must not be NaN");
    n++;
    double d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
    return this;
  }

  /** Adds another summary's values (Chan et al.'s parallel update). */
  public MetricSummary merge(MetricSummary o) {
    if (o.n == 0) {
      return this;
    }
    if (n == 0) {
      n = o.n;
      mean = o.mean;
      m2 = o.m2;
      return this;
    }
    long total = n + o.n;
    double d = o.mean - mean;
    mean += d * o.n / total;
    m2 += o.m2 + d * d * ((double) n * o.n / total);
    n = total;
    return this;
  }

  public long n() {
    return n;
  }

  public double mean() {
    return n == 0 ? Double.NaN : mean;
  }

  public double std() {
    return n < 2 ? Double.NaN : Math.sqrt(m2 / (n - 1));
  }

  private double halfWidth() {
    if (n < 2) {
      return Double.NaN;
    }
    double t = new TDistribution(null, n - 1).inverseCumulativeProbability(0.5 + CONFIDENCE / 2);
    return t * std() / Math.sqrt(n);
  }

  public double ciLow() {
    return mean() - halfWidth();
  }

  public double ciHigh() {
    return mean() + halfWidth();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricSummary s && s.n == n && Double.compare(s.mean, mean) == 0 && Double.compare(s.m2, m2) == 0;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(n, mean, m2);
  }
}
