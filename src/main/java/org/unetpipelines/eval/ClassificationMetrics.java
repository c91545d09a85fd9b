package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Metrics of a classifier's class probabilities against integer labels.
 *
 * <ul>
 *   <li>top-k accuracy: the fraction of samples whose true class is among the k classes with the
 *       highest probability. Ties are broken towards the lower class index (a class ranks above the
 *       true class if its probability is higher, or equal with a lower index), as a stable sort
 *       by descending probability would.</li>
 *   <li>predicted class, per-class accuracy and the confusion matrix: the predicted class is the top-1
 *       class under the same tie rule; class k's accuracy is the share of its samples predicted as k.</li>
 *   <li>cross-entropy: the mean over samples of -ln(p[label]), in nats, with p clamped to
 *       {@link #EPSILON} from below so a zero probability gives a large finite loss.</li>
 * </ul>
 */
public final class ClassificationMetrics {

  /** Smallest probability used in the cross-entropy. */
  public static final double EPSILON = 1e-12;

  private ClassificationMetrics() {}

  /** True when {@code label} is among the top {@code k} entries of {@code probs}. */
  public static boolean inTopK(float[] probs, int label, int k) {
    checkArgument(k >= 1, "k must be >= 1, got %s", k);
    checkArgument(label >= 0 && label < probs.length,
        "label %s out of range 0..%s", label, probs.length - 1);
    float p = probs[label];
    int above = 0;
    for (int c = 0; c < probs.length; c++) {
      if (probs[c] > p || (probs[c] == p && c < label)) {
        above++;
      }
    }
    return above < k;
  }

  /** The predicted class: the highest probability, the lowest index among equal ones (the top-1 of {@link #inTopK}). */
  public static int predicted(float[] probs) {
    checkArgument(probs.length > 0, "no class probabilities");
    int best = 0;
    for (int c = 1; c < probs.length; c++) {
      if (probs[c] > probs[best]) {
        best = c;
      }
    }
    return best;
  }

  /** Metric name of the per-class accuracy of class {@code k}: {@code accuracy_class_<k>}. */
  public static String classAccuracyMetric(int k) {
    return "accuracy_class_" + k;
  }

  /** Metric name of confusion-matrix cell (true class, predicted class): {@code confusion_<true>_<predicted>}. */
  public static String confusionMetric(int trueClass, int predictedClass) {
    return "confusion_" + trueClass + "_" + predictedClass;
  }

  /** The class k of a {@link #classAccuracyMetric} name, or -1 when {@code metric} is not one. */
  public static int classOfAccuracyMetric(String metric) {
    java.util.regex.Matcher m = CLASS_ACCURACY.matcher(metric);
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** The (true, predicted) classes of a {@link #confusionMetric} name, or null when {@code metric} is not one. */
  public static int[] cellOfConfusionMetric(String metric) {
    java.util.regex.Matcher m = CONFUSION.matcher(metric);
    return m.matches() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : null;
  }

  private static final java.util.regex.Pattern CLASS_ACCURACY =
      java.util.regex.Pattern.compile("accuracy_class_(\\d{1,9})");
  private static final java.util.regex.Pattern CONFUSION =
      java.util.regex.Pattern.compile("confusion_(\\d{1,9})_(\\d{1,9})");

  /**
   * The confusion matrix: {@code [true][predicted]} counts, K x K.
   *
   * @param probs one probability row per sample
   */
  public static long[][] confusion(float[][] probs, int[] labels) {
    checkRows(probs, labels);
    int k = probs[0].length;
    long[][] m = new long[k][k];
    for (int i = 0; i < labels.length; i++) {
      checkArgument(probs[i].length == k && labels[i] >= 0 && labels[i] < k,
          "row %s: %s probabilities, label %s (expected %s classes)", i, probs[i].length, labels[i], k);
      m[labels[i]][predicted(probs[i])]++;
    }
    return m;
  }

  /** Fraction of rows whose label is in the top {@code k}. */
  public static double topKAccuracy(float[][] probs, int[] labels, int k) {
    checkRows(probs, labels);
    int hits = 0;
    for (int i = 0; i < labels.length; i++) {
      hits += inTopK(probs[i], labels[i], k) ? 1 : 0;
    }
    return (double) hits / labels.length;
  }

  /** -ln(max(p[label], EPSILON)) of one sample. */
  public static double crossEntropy(float[] probs, int label) {
    checkArgument(label >= 0 && label < probs.length,
        "label %s out of range 0..%s", label, probs.length - 1);
    return -Math.log(Math.max(probs[label], EPSILON));
  }

  /** Mean {@link #crossEntropy(float[], int)} over rows. */
  public static double crossEntropy(float[][] probs, int[] labels) {
    checkRows(probs, labels);
    double s = 0;
    for (int i = 0; i < labels.length; i++) {
      s += crossEntropy(probs[i], labels[i]);
    }
    return s / labels.length;
  }

  private static void checkRows(float[][] probs, int[] labels) {
    checkArgument(probs.length == labels.length,
        "%s probability rows but %s labels", probs.length, labels.length);
    checkArgument(labels.length > 0, "no samples");
  }
}
