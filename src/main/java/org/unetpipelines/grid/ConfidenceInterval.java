package org.unetpipelines.grid;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * A confidence interval of a mean that stays inside the metric's range.
 *
 * <p>The rule: with n &ge; 2 values, the Student-t interval {@code mean +- t(1 - alpha/2, n - 1) *
 * s / sqrt(n)} (commons-math3 {@link TDistribution}) when it lies inside the metric's
 * {@link MetricRange}; otherwise (a mean near a bound, e.g. an IoU of 0.99 with a wide spread) the
 * bootstrap percentile interval: {@code resamples} resamples with replacement, the
 * {@code alpha/2} and {@code 1 - alpha/2} percentiles (commons-math3 {@link Percentile} R_7, as
 * numpy and scipy's {@code bootstrap}) of their means. A bootstrap mean lies between the smallest
 * and largest value, so that interval is inside the range whenever the values are. The resampling
 * stream is seeded and the values are sorted first, so the interval depends only on the values and
 * the seed, never on their order. With n &lt; 2 there is no interval.
 *
 * <p>Student-t first because for the few runs of a typical grid (3-5 seeds) the percentile
 * bootstrap is too narrow (with n = 3 it can only see 10 distinct resample means).
 */
public record ConfidenceInterval(double low, double high, Method method) {
  /** Resamples of the bootstrap interval. */
  public static final int DEFAULT_RESAMPLES = 10_000;

  /** How an interval was computed; {@link #label()} is what the summary files write. */
  public enum Method {
    STUDENT_T, BOOTSTRAP_PERCENTILE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ConfidenceInterval {
    checkArgument(low <= high, "interval low %s > high %s", low, high);
  }

  /** The interval by the rule above; empty for fewer than 2 values. */
  public static Optional<ConfidenceInterval> of(double[] values, MetricRange range, double confidence, long seed,
      int resamples) {
    checkConfidence(confidence);
    if (values.length < 2) {
      return Optional.empty();
    }
    for (double v : values) {
      checkArgument(range.contains(v), "value %s is outside the metric's range %s", v, range);
    }
    ConfidenceInterval t = studentT(values, confidence);
    if (range.contains(t.low()) && range.contains(t.high())) {
      return Optional.of(t);
    }
    return Optional.of(bootstrapPercentile(values, confidence, seed, resamples));
  }

  /** {@code mean +- t(1 - alpha/2, n - 1) * s / sqrt(n)}; n &ge; 2. */
  public static ConfidenceInterval studentT(double[] values, double confidence) {
    checkConfidence(confidence);
    int n = values.length;
    checkArgument(n >= 2, "a t interval needs at least 2 values, got %s", n);
    double mean = StatUtils.mean(values);
    double se = Math.sqrt(StatUtils.variance(values) / n);
    // Solver accuracy 1e-14 (the default 1e-9 moves the interval by ~1e-9)
    double t = new TDistribution(null, n - 1, 1e-14).inverseCumulativeProbability(0.5 + confidence / 2);
    return new ConfidenceInterval(mean - t * se, mean + t * se, Method.STUDENT_T);
  }

  /** The percentile bootstrap interval of the mean (values sorted first; the stream seeded by {@code seed}). */
  public static ConfidenceInterval bootstrapPercentile(double[] values, double confidence, long seed, int resamples) {
    checkConfidence(confidence);
    int n = values.length;
    checkArgument(n >= 1, "a bootstrap interval needs values");
    checkArgument(resamples >= 100, "bootstrap resamples must be >= 100, got %s", resamples);
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    SplittableRandom rng = new SplittableRandom(seed);
    double[] means = new double[resamples];
    for (int b = 0; b < resamples; b++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += sorted[rng.nextInt(n)];
      }
      means[b] = sum / n;
    }
    Percentile p = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
    p.setData(means);
    double alpha = 1 - confidence;
    return new ConfidenceInterval(p.evaluate(100 * alpha / 2), p.evaluate(100 * (1 - alpha / 2)),
        Method.BOOTSTRAP_PERCENTILE);
  }

  private static void checkConfidence(double confidence) {
    checkArgument(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got %s", confidence);
  }
}
