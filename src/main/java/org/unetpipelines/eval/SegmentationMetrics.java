package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.LinkedHashMap;
import java.util.Map;
import org.unetpipelines.image.ImageArray;

/**
 * The binary segmentation metrics of one foreground probability map against one truth mask, under
 * the names the {@code metrics} command, the {@code Evaluate} stage and the report use.
 *
 * <p>Definitions (foreground = cell, truth label &gt; 0; predicted foreground = p &gt; threshold):
 * <ul>
 *   <li>{@code pixel_error}: the ISBI 2012 challenge's pixel error, 1 - max over t in {0.0, 0.1,
 *       ..., 1.0} of the foreground F1 of (p &gt; t) — see {@link #pixelError}.</li>
 *   <li>{@code iou}, {@code dice}: foreground IoU tp/(tp+fp+fn) and Dice 2tp/(2tp+fp+fn) at the
 *       threshold; {@code iou_background}, {@code dice_background}: the same with the classes
 *       swapped; {@code mean_iou}: their average.</li>
 *   <li>{@code accuracy}, {@code precision}, {@code recall}, {@code sensitivity},
 *       {@code specificity}, {@code f1}, {@code f2}: see {@link Confusion}.</li>
 *   <li>{@code adapted_rand_error}, {@code rand_precision}, {@code rand_recall}, {@code vi_split},
 *       {@code vi_merge}: {@link Segments} scores of the 4-connected components of the predicted
 *       foreground (test) against the 4-connected components of the true foreground (truth), the
 *       true background (membrane, label 0) ignored.</li>
 * </ul>
 */
public final class SegmentationMetrics {

  /** The default binarisation threshold. */
  public static final double DEFAULT_THRESHOLD = 0.5;

  /** Thresholds of the ISBI pixel error: 0.0, 0.1, ..., 1.0. */
  public static final double[] ISBI_THRESHOLDS = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};

  /** The metric names {@link #compute} returns, in order. */
  public static final java.util.List<String> NAMES = java.util.List.of(
      "pixel_error", "iou", "dice", "iou_background", "dice_background", "mean_iou", "accuracy",
      "precision", "recall", "sensitivity", "specificity", "f1", "f2",
      "adapted_rand_error", "rand_precision", "rand_recall", "vi_split", "vi_merge");

  private SegmentationMetrics() {}

  /**
   * ISBI 2012 pixel error: 1 - the maximal foreground F1 over the thresholds 0.0..1.0 step 0.1
   * (binarised p &gt; t). Thresholds are compared as floats, e.g. 0.1 means {@code p > 0.1f}.
   */
  public static double pixelError(float[] prob, boolean[] truth) {
    double best = 0;
    for (double t : ISBI_THRESHOLDS) {
      best = Math.max(best, Confusion.of(prob, truth, t).f1());
    }
    return 1 - best;
  }

  /**
   * All metrics of {@link #NAMES}.
   *
   * @param prob foreground probability per pixel, row-major {@code height x width}, in [0, 1]
   * @param truth true foreground per pixel
   * @param threshold binarisation threshold in [0, 1] for everything but the pixel error
   */
  public static Map<String, Double> compute(float[] prob, boolean[] truth, int height, int width, double threshold) {
    checkArgument(threshold >= 0 && threshold <= 1, "threshold must be in [0, 1], got %s", threshold);
    checkArgument(prob.length == height * width && truth.length == height * width,
        "prediction has %s pixels and truth %s, expected %sx%s = %s",
        prob.length, truth.length, height, width, height * width);
    Confusion c = Confusion.of(prob, truth, threshold);
    Confusion bg = c.inverted();
    boolean[] predFg = new boolean[prob.length];
    float t = (float) threshold;
    for (int i = 0; i < prob.length; i++) {
      predFg[i] = prob[i] > t;
    }
    Segments.Contingency table = Segments.contingency(
        Segments.label4(truth, height, width), Segments.label4(predFg, height, width), 0);
    Segments.RandScore rand = table.adaptedRand();
    Segments.ViScore vi = table.variationOfInformation();

    Map<String, Double> m = new LinkedHashMap<>();
    m.put("pixel_error", pixelError(prob, truth));
    m.put("iou", c.iou());
    m.put("dice", c.dice());
    m.put("iou_background", bg.iou());
    m.put("dice_background", bg.dice());
    m.put("mean_iou", (c.iou() + bg.iou()) / 2);
    m.put("accuracy", c.accuracy());
    m.put("precision", c.precision());
    m.put("recall", c.recall());
    m.put("sensitivity", c.sensitivity());
    m.put("specificity", c.specificity());
    m.put("f1", c.f1());
    m.put("f2", c.f2());
    m.put("adapted_rand_error", rand.error());
    m.put("rand_precision", rand.precision());
    m.put("rand_recall", rand.recall());
    m.put("vi_split", vi.split());
    m.put("vi_merge", vi.merge());
    return m;
  }

  /** {@link #compute} on images: {@code prob} single-channel F32 in [0, 1], truth foreground = value &gt; 0. */
  public static Map<String, Double> compute(ImageArray prob, ImageArray truth, double threshold) {
    checkArgument(prob.sameSize(truth),
        "prediction is %sx%s but truth is %sx%s; they must have the same size",
        prob.height(), prob.width(), truth.height(), truth.width());
    checkArgument(prob.channels() == 1, "prediction must have 1 channel (foreground probability), got %s", prob.channels());
    return compute(probabilities(prob), foreground(truth), prob.height(), prob.width(), threshold);
  }

  /**
   * Probabilities of a single-channel map: integer depths divided by their maximum (see
   * {@link ImageArray#normalized()}), floats as they are.
   */
  public static float[] probabilities(ImageArray prob) {
    return prob.channel(0).normalized();
  }

  /** Foreground of a mask: first channel &gt; 0. */
  public static boolean[] foreground(ImageArray mask) {
    ImageArray m = mask.channel(0);
    float[] d = m.data();
    boolean[] fg = new boolean[d.length];
    for (int i = 0; i < d.length; i++) {
      fg[i] = d[i] > 0;
    }
    return fg;
  }
}
