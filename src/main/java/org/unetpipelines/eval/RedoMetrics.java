package org.unetpipelines.eval;

/**
 * ReDo's unsupervised mask scores (Chen et al. 2019). An unsupervised mask extractor does not know
 * which of its two regions is the object, so each score is computed for the predicted mask and for
 * its inverse, and the better of the two is kept (each score independently, as ReDo's evaluation
 * does).
 *
 * <ul>
 *   <li>{@link #accuracy}: max(acc(m), acc(1 - m)) where acc is the fraction of pixels whose
 *       predicted foreground (p &gt; threshold) equals the true foreground;</li>
 *   <li>{@link #iou}: max(IoU(m), IoU(1 - m)) of the foreground.</li>
 * </ul>
 */
public final class RedoMetrics {
  private RedoMetrics() {}

  /** Best of mask and inverted mask pixel accuracy. */
  public static double accuracy(float[] prob, boolean[] truth, double threshold) {
    Confusion c = Confusion.of(prob, truth, threshold);
    return Math.max(c.accuracy(), swapPrediction(c).accuracy());
  }

  /** Best of mask and inverted mask foreground IoU. */
  public static double iou(float[] prob, boolean[] truth, double threshold) {
    Confusion c = Confusion.of(prob, truth, threshold);
    return Math.max(c.iou(), swapPrediction(c).iou());
  }

  /** The counts of the inverted prediction: predicted foreground and background swap. */
  static Confusion swapPrediction(Confusion c) {
    return new Confusion(c.fn(), c.tn(), c.tp(), c.fp());
  }
}
