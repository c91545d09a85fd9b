package org.unetpipelines.eval;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.text.StringEscapeUtils;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;
import org.unetpipelines.records.MetricRecord;

/**
 * The classifier section of the HTML report ({@link HtmlReport}). For every run / variant / dataset /
 * split whose aggregate records hold a confusion matrix ({@code confusion_<true>_<predicted>}, n = the
 * cell's count) or per-class accuracies ({@code accuracy_class_<k>}, value = accuracy, n = the class's
 * support), as {@code Evaluate} writes them for classifiers ({@link ClassificationMetrics}): the
 * confusion matrix as a heat map (rows = true class, columns = predicted class, colour and label =
 * count) and the per-class accuracies as bars, both rendered with XChart (the report's plotting
 * library), and the counts as a table.
 */
public final class ClassifierReport {
  /** More classes than this are tabulated in the metric files only: a heat map of them is unreadable. */
  public static final int MAX_DRAWN_CLASSES = 100;

  /** Classes up to which the counts are also written as a table and printed in the heat map's cells. */
  public static final int MAX_TABULATED_CLASSES = 20;

  /** Heat map colours: white (no images) to dark blue (the largest count). */
  private static final Color[] HEAT = {Color.WHITE, new Color(0x6baed6), new Color(0x08306b)};

  private ClassifierReport() {}

  /**
   * One classifier evaluation, read back from its aggregate records.
   *
   * @param key run / variant / dataset / split
   * @param confusion {@code [true][predicted]} counts, K x K (cells without a record are 0)
   * @param accuracy per class, NaN for a class without an {@code accuracy_class_k} record (no images)
   * @param support images per true class (the accuracy record's n)
   */
  public record Classes(String key, long[][] confusion, double[] accuracy, long[] support) {
    public int classes() {
      return confusion.length;
    }
  }

  /** Every classifier evaluation among {@code metrics}, sorted by key; K = 1 + the largest class index named. */
  public static List<Classes> of(List<MetricRecord> metrics) {
    Map<String, Map<Long, Long>> cells = new TreeMap<>();
    Map<String, Map<Integer, MetricRecord>> accuracy = new TreeMap<>();
    Map<String, Integer> classes = new TreeMap<>();
    for (MetricRecord r : metrics) {
      if (r.getImageId() != null) {
        continue;
      }
      String key = String.join(" / ", r.getRun(), r.getVariant(), r.getDataset(), r.getSplit());
      int[] cell = ClassificationMetrics.cellOfConfusionMetric(r.getMetric());
      int k = ClassificationMetrics.classOfAccuracyMetric(r.getMetric());
      if (cell != null) {
        cells.computeIfAbsent(key, x -> new TreeMap<>()).merge(((long) cell[0] << 32) | cell[1], r.getN(), Long::sum);
        classes.merge(key, Math.max(cell[0], cell[1]) + 1, Math::max);
      } else if (k >= 0) {
        accuracy.computeIfAbsent(key, x -> new TreeMap<>()).put(k, r);
        classes.merge(key, k + 1, Math::max);
      }
    }
    List<Classes> out = new ArrayList<>();
    classes.forEach((key, k) -> {
      long[][] m = new long[k][k];
      cells.getOrDefault(key, Map.of()).forEach((c, n) -> m[(int) (c >>> 32)][(int) (c & 0xffffffffL)] = n);
      double[] acc = new double[k];
      long[] support = new long[k];
      for (int c = 0; c < k; c++) {
        MetricRecord r = accuracy.getOrDefault(key, Map.of()).get(c);
        acc[c] = r == null ? Double.NaN : r.getValue();
        support[c] = r == null ? 0 : r.getN();
      }
      out.add(new Classes(key, m, acc, support));
    });
    return out;
  }

  /** Appends the section (nothing when no record is a classifier's). */
  static void section(StringBuilder h, List<MetricRecord> metrics) {
    List<Classes> all = of(metrics);
    if (all.isEmpty()) {
      return;
    }
    h.append("<h2>Classes</h2>\n<p>Confusion matrix: rows are the true class, columns the predicted class (the ")
        .append("top-1 class), each cell the number of images; the diagonal is what was right. Per-class accuracy: ")
        .append("the share of a class's images predicted as that class (n = the class's images).</p>\n");
    for (Classes c : all) {
      String key = esc(c.key());
      h.append("<h3>").append(key).append("</h3>\n");
      if (c.classes() > MAX_DRAWN_CLASSES) {
        h.append("<p>").append(c.classes()).append(" classes: too many to draw (at most ").append(MAX_DRAWN_CLASSES)
            .append("); the confusion_* and accuracy_class_* records are in the metric files.</p>\n");
        continue;
      }
      h.append("<div class=grid>\n");
      figure(h, heatMap("confusion matrix", c.confusion()), "confusion matrix " + key,
          "confusion matrix: rows = true class, columns = predicted class, cell = images");
      figure(h, accuracyBars("per-class accuracy", c.accuracy()), "per-class accuracy " + key,
          "per-class accuracy (classes without images are left out)");
      h.append("</div>\n");
      if (c.classes() <= MAX_TABULATED_CLASSES) {
        table(h, c);
      }
    }
  }

  private static void figure(StringBuilder h, byte[] png, String alt, String caption) {
    h.append("<figure><img alt=\"").append(alt).append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption>").append(esc(caption))
        .append("</figcaption></figure>\n");
  }

  private static void table(StringBuilder h, Classes c) {
    int k = c.classes();
    h.append("<table class=confusion><tr><th class=l>true \\ predicted</th>");
    for (int p = 0; p < k; p++) {
      h.append("<th>").append(p).append("</th>");
    }
    h.append("<th>n</th><th>accuracy</th></tr>\n");
    for (int t = 0; t < k; t++) {
      h.append("<tr><th class=l>").append(t).append("</th>");
      for (int p = 0; p < k; p++) {
        h.append("<td>").append(c.confusion()[t][p]).append("</td>");
      }
      h.append("<td>").append(c.support()[t]).append("</td><td>")
          .append(Double.isNaN(c.accuracy()[t]) ? "" : String.format(Locale.ROOT, "%.4f", c.accuracy()[t]))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  /**
   * The PNG of a confusion matrix as an XChart heat map: x = predicted class, y = true class (class 0
   * at the top), colour from white (0) to dark blue (the largest count); counts printed in the cells
   * up to {@link #MAX_TABULATED_CLASSES} classes.
   *
   * @param counts {@code [true][predicted]}, K x K
   */
  public static byte[] heatMap(String title, long[][] counts) {
    int k = counts.length;
    int side = Math.max(360, Math.min(900, 40 * k + 160));
    HeatMapChart chart = new HeatMapChartBuilder().width(side + 100).height(side).title(title)
        .xAxisTitle("predicted class").yAxisTitle("true class").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setRangeColors(HEAT);
    chart.getStyler().setShowValue(k <= MAX_TABULATED_CLASSES);
    chart.getStyler().setHeatMapValueDecimalPattern("#0");
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    List<Integer> predicted = new ArrayList<>();
    List<Integer> truth = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      predicted.add(c);
      truth.add(k - 1 - c); // the y axis grows upwards: the last true class first puts class 0 on top
    }
    List<Number[]> heat = new ArrayList<>();
    for (int t = 0; t < k; t++) {
      for (int p = 0; p < k; p++) {
        heat.add(new Number[] {p, k - 1 - t, counts[t][p]});
      }
    }
    chart.addSeries("images", predicted, truth, heat);
    return png(chart, title);
  }

  /** The PNG of per-class accuracies as XChart bars in [0, 1]; NaN (a class without images) is left out. */
  public static byte[] accuracyBars(String title, double[] accuracy) {
    List<String> classes = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (int c = 0; c < accuracy.length; c++) {
      if (!Double.isNaN(accuracy[c])) {
        classes.add(Integer.toString(c));
        values.add(accuracy[c]);
      }
    }
    CategoryChart chart = new CategoryChartBuilder().width(Math.max(420, Math.min(1200, 30 * classes.size() + 160)))
        .height(340).title(title).xAxisTitle("class").yAxisTitle("accuracy").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(1.0);
    chart.getStyler().setYAxisDecimalPattern("#0.0#");
    chart.getStyler().setLabelsVisible(classes.size() <= MAX_TABULATED_CLASSES);
    chart.getStyler().setDecimalPattern("#0.00");
    if (classes.isEmpty()) {
      classes.add("-"); // no class has images: an empty axis rather than no chart
      values.add(0.0);
    }
    chart.addSeries("accuracy", classes, values);
    return png(chart, title);
  }

  private static byte[] png(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, String title) {
    System.setProperty("java.awt.headless", "true");
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render the " + title + " chart", e);
    }
  }

  private static String esc(String s) {
    return StringEscapeUtils.escapeHtml4(s);
  }
}
