package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.LinkedHashMap;
import java.util.Map;

/** The validation metrics a run can select its best checkpoint by, and which way is better. */
public final class ValidationMetrics {
  private ValidationMetrics() {}

  /** Metric name to true when larger is better. */
  public static final Map<String, Boolean> HIGHER_IS_BETTER = table();

  private static Map<String, Boolean> table() {
    Map<String, Boolean> m = new LinkedHashMap<>();
    m.put("loss", false);
    m.put("iou", true);
    m.put("dice", true);
    m.put("pixel_error", false);
    m.put("v_rand", true);
    m.put("v_info", true);
    m.put("rand_error_2012", false);
    m.put("warping_error", false);
    m.put("top1", true);
    m.put("top5", true);
    m.put("accuracy", true);
    return Map.copyOf(m);
  }

  /** The metrics only whole-image validation gives (segmentation's centre-tile validation has loss and iou). */
  public static final java.util.Set<String> WHOLE_IMAGE_ONLY = java.util.Set.of("dice", "pixel_error", "v_rand",
      "v_info", "rand_error_2012", "warping_error");

  /** Whether a larger value of {@code metric} is better. */
  public static boolean higherIsBetter(String metric) {
    Boolean h = HIGHER_IS_BETTER.get(metric);
    checkArgument(h != null, "'%s' is not a validation metric to select by; known: %s", metric,
        String.join(", ", names()));
    return h;
  }

  /** The known names, in a stable order. */
  public static java.util.List<String> names() {
    return java.util.List.of("loss", "iou", "dice", "pixel_error", "v_rand", "v_info", "rand_error_2012",
        "warping_error", "top1", "top5", "accuracy");
  }
}
