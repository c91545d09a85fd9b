package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The binary confusion counts of a foreground prediction against a foreground truth, and every
 * metric that is a function of them.
 *
 * <p>Conventions: a pixel is predicted foreground when its probability is strictly greater than the
 * threshold ({@code p > t}). Ratios whose denominator is zero (for example precision when nothing is
 * predicted) are defined as 1 when their numerator's "perfect" case holds (both sides empty, so
 * nothing was missed or wrongly claimed) and the formulas below say so per metric.
 *
 * @param tp predicted foreground, truly foreground
 * @param fp predicted foreground, truly background
 * @param fn predicted background, truly foreground
 * @param tn predicted background, truly background
 */
public record Confusion(long tp, long fp, long fn, long tn) {

  public Confusion {
    checkArgument(tp >= 0 && fp >= 0 && fn >= 0 && tn >= 0,
        "confusion counts must be non-negative, got tp=%s fp=%s fn=%s tn=%s", tp, fp, fn, tn);
  }

  /**
   * Counts {@code prob[i] > threshold} against {@code truth[i]}; the threshold is rounded to the
   * nearest float first, so 0.1 means {@code p > 0.1f}.
   *
   * @param prob foreground probability per pixel
   * @param truth true foreground per pixel, same length
   */
  public static Confusion of(float[] prob, boolean[] truth, double threshold) {
    checkArgument(prob.length == truth.length,
        "prediction has %s pixels but truth has %s", prob.length, truth.length);
    long tp = 0;
    long fp = 0;
    long fn = 0;
    long tn = 0;
    float t = (float) threshold;
    for (int i = 0; i < prob.length; i++) {
      boolean p = prob[i] > t;
      if (p) {
        if (truth[i]) {
          tp++;
        } else {
          fp++;
        }
      } else if (truth[i]) {
        fn++;
      } else {
        tn++;
      }
    }
    return new Confusion(tp, fp, fn, tn);
  }

  public long total() {
    return tp + fp + fn + tn;
  }

  /** The same counts with foreground and background swapped (for background IoU / Dice). */
  public Confusion inverted() {
    return new Confusion(tn, fn, fp, tp);
  }

  /** (tp + tn) / total. */
  public double accuracy() {
    return ratio(tp + tn, total());
  }

  /** tp / (tp + fp); 1 when nothing is predicted foreground. */
  public double precision() {
    return ratio(tp, tp + fp);
  }

  /** tp / (tp + fn), the true positive rate; 1 when there is no true foreground. */
  public double recall() {
    return ratio(tp, tp + fn);
  }

  /** Same as {@link #recall()}. */
  public double sensitivity() {
    return recall();
  }

  /** tn / (tn + fp), the true negative rate; 1 when there is no true background. */
  public double specificity() {
    return ratio(tn, tn + fp);
  }

  /**
   * F-beta = (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp); 1 when tp + fn + fp = 0 (nothing to find,
   * nothing claimed).
   */
  public double fBeta(double beta) {
    checkArgument(beta > 0, "beta must be > 0, got %s", beta);
    double b2 = beta * beta;
    return ratio((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp);
  }

  /** F1 = 2 tp / (2 tp + fp + fn), the harmonic mean of precision and recall. */
  public double f1() {
    return fBeta(1);
  }

  /** F2 = 5 tp / (5 tp + 4 fn + fp), weighting recall more than precision. */
  public double f2() {
    return fBeta(2);
  }

  /** Intersection over union of the foreground: tp / (tp + fp + fn); 1 when both are empty. */
  public double iou() {
    return ratio(tp, tp + fp + fn);
  }

  /** Dice coefficient of the foreground: 2 tp / (2 tp + fp + fn); equals F1. */
  public double dice() {
    return ratio(2.0 * tp, 2.0 * tp + fp + fn);
  }

  private static double ratio(double num, double den) {
    return den == 0 ? 1.0 : num / den;
  }
}
