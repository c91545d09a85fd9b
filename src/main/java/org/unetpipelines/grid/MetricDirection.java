package org.unetpipelines.grid;

import java.util.Set;

/** Whether a larger value of a metric is better, by its name (for "best" marks in reports). */
public enum MetricDirection {
  HIGHER_IS_BETTER,
  LOWER_IS_BETTER,
  /** A metric this table does not know (a threshold, a count): no cell is marked best. */
  UNKNOWN;

  static final Set<String> HIGHER = Set.of(
      "iou", "dice", "iou_background", "dice_background", "mean_iou", "accuracy", "precision", "recall",
      "sensitivity", "specificity", "f1", "f2", "rand_precision", "rand_recall", "v_rand", "v_info", "top1", "top5",
      "top1_accuracy", "top5_accuracy", "redo_accuracy", "redo_iou");
  static final Set<String> LOWER = Set.of(
      "pixel_error", "adapted_rand_error", "rand_error", "rand_error_2012", "warping_error", "vi_split", "vi_merge",
      "vi", "loss", "cross_entropy", "dice_loss", "bce_dice", "error_rate");

  /**
   * The direction of a metric named like the eval package's metrics; {@code val_} prefixes (training
   * curves) and {@code split/} or {@code model/} prefixes (grid metric names) are looked through.
   */
  public static MetricDirection forMetric(String metric) {
    String m = metric.substring(metric.lastIndexOf('/') + 1);
    if (m.startsWith("val_")) {
      m = m.substring(4);
    }
    if (HIGHER.contains(m)) {
      return HIGHER_IS_BETTER;
    }
    if (LOWER.contains(m)) {
      return LOWER_IS_BETTER;
    }
    return UNKNOWN;
  }
}
