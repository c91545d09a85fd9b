package org.unetpipelines.train.task;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The foreground IoU that segmentation reports during validation (the eval room computes the full metric
 * set on held-out data). Counts accumulate over batches; see {@link #iou()}.
 */
public final class ForegroundIoU {
  private final int classes;
  private final long[] intersection;
  private final long[] union;

  public ForegroundIoU(int classes) {
    checkArgument(classes >= 1, "classes must be >= 1, got %s", classes);
    this.classes = classes;
    this.intersection = new long[Math.max(2, classes)];
    this.union = new long[Math.max(2, classes)];
  }

  /**
   * Adds a batch: {@code probabilities} and {@code targets} are [n, H, W, K] (K = 1: sigmoid
   * probability vs. {0, 1} target at threshold 0.5; K >= 2: argmax vs. one-hot).
   */
  public void add(float[] probabilities, float[] targets) {
    checkArgument(probabilities.length == targets.length, "probabilities (%s) and targets (%s) differ in length",
        probabilities.length, targets.length);
    int k = classes;
    for (int p = 0; p < probabilities.length / k; p++) {
      int pred;
      int truth;
      if (k == 1) {
        pred = probabilities[p] > 0.5f ? 1 : 0;
        truth = targets[p] > 0.5f ? 1 : 0;
      } else {
        pred = argmax(probabilities, p * k, k);
        truth = argmax(targets, p * k, k);
      }
      for (int c = 1; c < intersection.length; c++) {
        boolean a = pred == c;
        boolean b = truth == c;
        if (a && b) {
          intersection[c]++;
        }
        if (a || b) {
          union[c]++;
        }
      }
    }
  }

  private static int argmax(float[] v, int off, int k) {
    int best = 0;
    for (int c = 1; c < k; c++) {
      if (v[off + c] > v[off + best]) {
        best = c;
      }
    }
    return best;
  }

  /** Mean IoU over the foreground classes (class 1 for sigmoid); a class absent from both counts 1. */
  public double iou() {
    double sum = 0;
    int n = 0;
    for (int c = 1; c < intersection.length; c++) {
      sum += union[c] == 0 ? 1.0 : (double) intersection[c] / union[c];
      n++;
    }
    return sum / n;
  }
}
