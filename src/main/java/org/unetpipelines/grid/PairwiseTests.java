package org.unetpipelines.grid;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.inference.TTest;
import org.apache.commons.math3.stat.inference.WilcoxonSignedRankTest;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * Two-sample tests and the effect size of a grid comparison, two-sided, on commons-math3.
 *
 * <ul>
 *   <li>{@link #welch}: Welch's unequal-variance t-test ({@link TTest#t(double[], double[])},
 *       {@link TTest#tTest(double[], double[])}; scipy {@code ttest_ind(a, b, equal_var=False)}).
 *   <li>{@link #pairedT}: the paired t-test on {@code a[i] - b[i]} ({@link TTest#pairedT},
 *       {@link TTest#pairedTTest}; scipy {@code ttest_rel}).
 *   <li>{@link #wilcoxon}: the Wilcoxon signed-rank test on {@code a[i] - b[i]}: zero differences are
 *       dropped (scipy's {@code zero_method="wilcox"}); the statistic is {@code min(W+, W-)}. With at
 *       most {@link #WILCOXON_EXACT_MAX_N} non-zero differences, no tied |differences| and no zeros
 *       the p-value is exact ({@link WilcoxonSignedRankTest} with {@code exactPValue}, capped at 1;
 *       its enumeration costs 2^n, hence the bound). Otherwise the normal approximation with the
 *       tie correction of the variance and a continuity correction (scipy {@code method="approx",
 *       correction=True}): computed here because commons-math3 3.6.1's asymptotic p-value has no tie
 *       correction and applies its continuity correction away from the mean (it gives p-values that
 *       are too small).
 *   <li>{@link #cohensD}: {@code (mean(a) - mean(b)) / s_pooled}, {@code s_pooled^2 = ((n_a - 1) s_a^2
 *       + (n_b - 1) s_b^2) / (n_a + n_b - 2)}.
 * </ul>
 * A test is undefined (empty) when it has too few values or the variance it divides by is zero.
 */
public final class PairwiseTests {
  /** Largest number of non-zero differences for which the Wilcoxon p-value is enumerated exactly. */
  public static final int WILCOXON_EXACT_MAX_N = 20;

  private static final TTest T_TEST = new TTest();

  private PairwiseTests() {}

  /** A test's statistic and two-sided p-value. */
  public record Result(double statistic, double pValue, boolean exact) {}

  /** Welch's t-test; needs 2 values per sample and a non-zero variance in at least one. */
  public static Optional<Result> welch(double[] a, double[] b) {
    if (a.length < 2 || b.length < 2 || (StatUtils.variance(a) == 0 && StatUtils.variance(b) == 0)) {
      return Optional.empty();
    }
    return Optional.of(new Result(T_TEST.t(a, b), T_TEST.tTest(a, b), false));
  }

  /** The paired t-test; needs 2 pairs and differences that are not all equal. */
  public static Optional<Result> pairedT(double[] a, double[] b) {
    checkPaired(a, b);
    if (a.length < 2 || StatUtils.variance(differences(a, b)) == 0) {
      return Optional.empty();
    }
    return Optional.of(new Result(T_TEST.pairedT(a, b), T_TEST.pairedTTest(a, b), false));
  }

  /** The Wilcoxon signed-rank test (see the class comment); needs one non-zero difference. */
  public static Optional<Result> wilcoxon(double[] a, double[] b) {
    checkPaired(a, b);
    double[] d = differences(a, b);
    int zeros = (int) Arrays.stream(d).filter(x -> x == 0).count();
    double[] nz = Arrays.stream(d).filter(x -> x != 0).toArray();
    int n = nz.length;
    if (n == 0) {
      return Optional.empty();
    }
    double[] abs = Arrays.stream(nz).map(Math::abs).toArray();
    boolean ties = Arrays.stream(abs).distinct().count() < n;
    double total = n * (n + 1) / 2.0;
    if (zeros == 0 && !ties && n <= WILCOXON_EXACT_MAX_N) {
      // commons-math3 ranks y - x; feed it (0, d) so that its W+ is the W+ of d = a - b.
      double[] zero = new double[n];
      WilcoxonSignedRankTest w = new WilcoxonSignedRankTest();
      double wMax = w.wilcoxonSignedRank(zero, nz);
      double p = Math.min(1.0, w.wilcoxonSignedRankTest(zero, nz, true));
      return Optional.of(new Result(total - wMax, p, true));
    }
    double[] ranks = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE).rank(abs);
    double wPlus = 0;
    for (int i = 0; i < n; i++) {
      if (nz[i] > 0) {
        wPlus += ranks[i];
      }
    }
    double t = Math.min(wPlus, total - wPlus);
    double mean = total / 2;
    double var24 = n * (n + 1.0) * (2.0 * n + 1.0) - tieTerm(abs) / 2;
    double se = Math.sqrt(var24 / 24);
    double z = (t - mean - 0.5 * Math.signum(t - mean)) / se;
    double p = Math.min(1.0, 2 * new NormalDistribution(null, 0, 1).cumulativeProbability(-Math.abs(z)));
    return Optional.of(new Result(t, p, false));
  }

  /** Cohen's d with the pooled standard deviation; needs 3 values in all and a non-zero pooled variance. */
  public static OptionalDouble cohensD(double[] a, double[] b) {
    int na = a.length;
    int nb = b.length;
    if (na < 1 || nb < 1 || na + nb < 3) {
      return OptionalDouble.empty();
    }
    double va = na > 1 ? StatUtils.variance(a) : 0;
    double vb = nb > 1 ? StatUtils.variance(b) : 0;
    double pooled = ((na - 1) * va + (nb - 1) * vb) / (na + nb - 2);
    if (pooled == 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((StatUtils.mean(a) - StatUtils.mean(b)) / Math.sqrt(pooled));
  }

  /** Sum over groups of tied values of t^3 - t. */
  private static double tieTerm(double[] abs) {
    double[] s = abs.clone();
    Arrays.sort(s);
    double sum = 0;
    int i = 0;
    while (i < s.length) {
      int j = i;
      while (j + 1 < s.length && s[j + 1] == s[i]) {
        j++;
      }
      double t = j - i + 1;
      sum += t * t * t - t;
      i = j + 1;
    }
    return sum;
  }

  private static double[] differences(double[] a, double[] b) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] - b[i];
    }
    return d;
  }

  private static void checkPaired(double[] a, double[] b) {
    checkArgument(a.length == b.length, "paired samples need equal lengths, got %s and %s", a.length, b.length);
  }
}
