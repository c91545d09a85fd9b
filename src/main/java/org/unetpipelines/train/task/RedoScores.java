package org.unetpipelines.train.task;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ReDo's accuracy and IoU of the first region's mask (foreground = m_0 >= 0.5) against ground-truth
 * masks, under two polarity rules. <b>Set</b>: which region is the object is decided once for the
 * whole set (the polarity with the higher mean IoU), then accuracy and IoU are that polarity's means.
 * <b>Image</b> (the original code's {@code evaluate}): per image, the better of the two polarities,
 * separately for accuracy and IoU, then averaged (optimistic). An image whose truth and prediction
 * are both empty has IoU 1. Images without a mask are skipped. Evaluation only: nothing trains on it.
 */
public final class RedoScores {
  private final double[] accuracy = new double[2];
  private final double[] iou = new double[2];
  private double bestAccuracy;
  private double bestIou;
  private long images;

  /**
   * @param masks soft masks [n, pixels, regions] (row-major)
   * @param truth ground truth [n, pixels] in {0, 1}
   * @param hasMask [n]: 1 where the image has a ground-truth mask
   */
  public void add(float[] masks, float[] truth, float[] hasMask, int regions) {
    int n = hasMask.length;
    checkArgument(n > 0 && truth.length % n == 0 && masks.length == truth.length * regions,
        "masks %s, truth %s and flags %s do not describe the same images", masks.length, truth.length, n);
    int pixels = truth.length / n;
    for (int i = 0; i < n; i++) {
      if (hasMask[i] < 0.5f) {
        continue;
      }
      long[][] counts = new long[2][3]; // per polarity: correct, intersection, union
      for (int p = 0; p < pixels; p++) {
        boolean first = masks[(i * pixels + p) * regions] >= 0.5f;
        boolean object = truth[i * pixels + p] >= 0.5f;
        for (int pol = 0; pol < 2; pol++) {
          boolean predicted = pol == 0 ? first : !first;
          counts[pol][0] += predicted == object ? 1 : 0;
          counts[pol][1] += predicted && object ? 1 : 0;
          counts[pol][2] += predicted || object ? 1 : 0;
        }
      }
      double[] a = new double[2];
      double[] u = new double[2];
      for (int pol = 0; pol < 2; pol++) {
        a[pol] = (double) counts[pol][0] / pixels;
        u[pol] = counts[pol][2] == 0 ? 1.0 : (double) counts[pol][1] / counts[pol][2];
        accuracy[pol] += a[pol];
        iou[pol] += u[pol];
      }
      bestAccuracy += Math.max(a[0], a[1]);
      bestIou += Math.max(u[0], u[1]);
      images++;
    }
  }

  /** Images scored so far. */
  public long images() {
    return images;
  }

  /**
   * {@code iou_set}, {@code accuracy_set}, {@code object_region} (0: region 0 is the object, 1: region 1),
   * {@code iou_image}, {@code accuracy_image}; empty when no image had a mask.
   */
  public Map<String, Double> result() {
    Map<String, Double> m = new LinkedHashMap<>();
    if (images == 0) {
      return m;
    }
    int pol = iou[1] > iou[0] ? 1 : 0;
    m.put("iou_set", iou[pol] / images);
    m.put("accuracy_set", accuracy[pol] / images);
    m.put("object_region", (double) pol);
    m.put("iou_image", bestIou / images);
    m.put("accuracy_image", bestAccuracy / images);
    return m;
  }
}
