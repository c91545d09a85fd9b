package org.unetpipelines.eval;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * ReDo's unsupervised mask scores (Chen et al. 2019). An unsupervised mask extractor does not know
 * which of its regions is the object, so each image is scored for the predicted foreground
 * ({@code p > threshold}) and for its inverse, under two rules:
 *
 * <ul>
 *   <li><b>per image</b> ({@link #IOU_IMAGE}, {@link #ACCURACY_IMAGE}; the original code's
 *       {@code evaluate}): the better of the two polarities per image, separately for accuracy and
 *       for IoU, then averaged. Optimistic: a model that puts the object in region 0 on half the
 *       images and in region 1 on the other half scores as if it were always right.</li>
 *   <li><b>one polarity for the whole set</b> ({@link #IOU_SET}, {@link #ACCURACY_SET},
 *       {@link #INVERTED_SET}; {@link SetScore}): which side is the object is decided once for the
 *       set, as the polarity with the higher mean IoU over all images (the same decision for
 *       accuracy), never per image; then accuracy and IoU are that polarity's means.</li>
 * </ul>
 *
 * <p>An image whose prediction and truth are both empty has IoU 1 ({@link Confusion#iou}).
 */
public final class RedoMetrics {
  /** Per-image best polarity (the original's evaluation), per image and as the mean. */
  public static final String IOU_IMAGE = "redo_iou_image";
  public static final String ACCURACY_IMAGE = "redo_accuracy_image";
  /** One polarity for the whole set (aggregate records only). */
  public static final String IOU_SET = "redo_iou_set";
  public static final String ACCURACY_SET = "redo_accuracy_set";
  /** 1 when the set's object is the inverse of the served foreground, 0 when it is the foreground itself. */
  public static final String INVERTED_SET = "redo_inverted_set";

  private RedoMetrics() {}

  /**
   * One image's scores for both polarities.
   *
   * @param accuracy pixel accuracy with object = predicted foreground
   * @param iou object IoU with object = predicted foreground
   * @param invertedAccuracy the same with object = predicted background
   * @param invertedIou the same with object = predicted background
   */
  public record Polarities(double accuracy, double iou, double invertedAccuracy, double invertedIou) {
    /** The four values for a Beam coder ({@link #read} reads them back). */
    public void write(DataOutput out) throws IOException {
      out.writeDouble(accuracy);
      out.writeDouble(iou);
      out.writeDouble(invertedAccuracy);
      out.writeDouble(invertedIou);
    }

    public static Polarities read(DataInput in) throws IOException {
      return new Polarities(in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble());
    }

    /** The per-image best accuracy (independently of which polarity gives the best IoU). */
    public double bestAccuracy() {
      return Math.max(accuracy, invertedAccuracy);
    }

    public double bestIou() {
      return Math.max(iou, invertedIou);
    }
  }

  /** Both polarities of one image: foreground = {@code prob > threshold}, and its inverse. */
  public static Polarities of(float[] prob, boolean[] truth, double threshold) {
    Confusion c = Confusion.of(prob, truth, threshold);
    Confusion swapped = swapPrediction(c);
    return new Polarities(c.accuracy(), c.iou(), swapped.accuracy(), swapped.iou());
  }

  /** Best of mask and inverted mask pixel accuracy (per image). */
  public static double accuracy(float[] prob, boolean[] truth, double threshold) {
    return of(prob, truth, threshold).bestAccuracy();
  }

  /** Best of mask and inverted mask foreground IoU (per image). */
  public static double iou(float[] prob, boolean[] truth, double threshold) {
    return of(prob, truth, threshold).bestIou();
  }

  /** The counts of the inverted prediction: predicted foreground and background swap. */
  static Confusion swapPrediction(Confusion c) {
    return new Confusion(c.fn(), c.tn(), c.tp(), c.fp());
  }

  /**
   * Mergeable scores of a set under one polarity for the whole set: the mean (and spread) of each
   * polarity's accuracy and IoU over the images; {@link #inverted} decides once.
   */
  public static final class SetScore {
    private ExactMoments accuracy = new ExactMoments();
    private ExactMoments iou = new ExactMoments();
    private ExactMoments invertedAccuracy = new ExactMoments();
    private ExactMoments invertedIou = new ExactMoments();

    public SetScore add(Polarities p) {
      accuracy.add(p.accuracy());
      iou.add(p.iou());
      invertedAccuracy.add(p.invertedAccuracy());
      invertedIou.add(p.invertedIou());
      return this;
    }

    public SetScore merge(SetScore o) {
      accuracy.merge(o.accuracy);
      iou.merge(o.iou);
      invertedAccuracy.merge(o.invertedAccuracy);
      invertedIou.merge(o.invertedIou);
      return this;
    }

    /** The exact sums for a Beam coder ({@link #read} reads them back). */
    public void write(DataOutput out) throws IOException {
      accuracy.write(out);
      iou.write(out);
      invertedAccuracy.write(out);
      invertedIou.write(out);
    }

    public static SetScore read(DataInput in) throws IOException {
      SetScore s = new SetScore();
      s.accuracy = ExactMoments.read(in);
      s.iou = ExactMoments.read(in);
      s.invertedAccuracy = ExactMoments.read(in);
      s.invertedIou = ExactMoments.read(in);
      return s;
    }

    /** Images scored. */
    public long images() {
      return iou.n();
    }

    /**
     * The set's decision: true when the inverse's mean IoU is higher (ties: the foreground as predicted).
     * Both means have the same n, so the exact sums decide: the same on every runner.
     */
    public boolean inverted() {
      return invertedIou.sum().compareTo(iou.sum()) > 0;
    }

    /** The IoU over the set with the chosen polarity (mean, std, interval over images). */
    public MetricSummary iou() {
      return (inverted() ? invertedIou : iou).summary();
    }

    /** The accuracy over the set with the polarity chosen by IoU. */
    public MetricSummary accuracy() {
      return (inverted() ? invertedAccuracy : accuracy).summary();
    }
  }
}
