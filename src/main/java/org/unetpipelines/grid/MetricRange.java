package org.unetpipelines.grid;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Set;

/**
 * The values a metric can take, {@code [lower, upper]} (either end may be infinite). Confidence
 * intervals are kept inside it (see {@link ConfidenceInterval}); a value outside it is an error.
 */
public record MetricRange(double lower, double upper) {
  public static final MetricRange UNBOUNDED = new MetricRange(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  public static final MetricRange UNIT = new MetricRange(0, 1);
  public static final MetricRange NON_NEGATIVE = new MetricRange(0, Double.POSITIVE_INFINITY);

  /** Metrics that are fractions: the eval package's segmentation, challenge and classification scores. */
  static final Set<String> UNIT_METRICS = Set.of(
      "pixel_error", "iou", "dice", "iou_background", "dice_background", "mean_iou", "accuracy",
      "precision", "recall", "sensitivity", "specificity", "f1", "f2",
      "adapted_rand_error", "rand_precision", "rand_recall", "rand_error", "rand_error_2012",
      "v_rand", "v_info", "warping_error", "top1_accuracy", "top5_accuracy", "error_rate");
  /** Metrics that are non-negative but unbounded above (entropies in nats, losses). */
  static final Set<String> NON_NEGATIVE_METRICS = Set.of(
      "vi_split", "vi_merge", "vi", "loss", "cross_entropy", "dice_loss", "bce_dice");

  public MetricRange {
    checkArgument(!Double.isNaN(lower) && !Double.isNaN(upper) && lower < upper,
        "a metric range needs lower < upper, got [%s, %s]", lower, upper);
  }

  /**
   * The range of a metric known by name: {@link #UNIT} for fractions (iou, dice, pixel_error,
   * v_rand, ...), {@link #NON_NEGATIVE} for vi_split, vi_merge and losses, otherwise
   * {@link #UNBOUNDED}. Validation metrics logged by training ({@code val_iou}) take the range of
   * the metric after the prefix; so do grid metric names prefixed by their split ({@code holdout/iou}).
   */
  public static MetricRange forMetric(String metric) {
    String m = metric.substring(metric.lastIndexOf('/') + 1);
    m = m.startsWith("val_") ? m.substring(4) : m;
    if (UNIT_METRICS.contains(m)) {
      return UNIT;
    }
    if (NON_NEGATIVE_METRICS.contains(m)) {
      return NON_NEGATIVE;
    }
    return UNBOUNDED;
  }

  public boolean contains(double v) {
    return v >= lower && v <= upper;
  }

  @Override
  public String toString() {
    return "[" + lower + ", " + upper + "]";
  }
}
