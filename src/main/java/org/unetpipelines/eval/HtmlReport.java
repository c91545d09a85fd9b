package org.unetpipelines.eval;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.commons.text.StringEscapeUtils;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.MetricRecord;

/**
 * One self-contained HTML page (images embedded as base64, no scripts, opens from disk): the ISBI
 * challenge's scores of each run's stack of images ({@link ChallengeMetrics}: V_rand, V_info, 2012
 * Rand error, pixel error, warping error, with their chosen thresholds), the aggregate metrics table
 * (mean, std, 95 % CI, n per run; stack scores for the challenge metrics), a per-image table of the main metrics,
 * training curves (one XChart PNG per curve metric, a line per run and split: the mean value per
 * epoch, or per step when all points are in one epoch; metrics with a single point, such as final
 * validation values, go to a table), the training's validation pictures per epoch (e.g. ReDo's
 * images, masks and redrawn images), and overlays of a few samples with a legend. Classifier evaluations
 * also get a confusion-matrix heat map and per-class accuracy bars ({@link ClassifierReport}).
 */
public final class HtmlReport {
  /** File name of the page inside the output folder. */
  public static final String FILE = "report.html";

  /** Metrics shown per image, when present. */
  public static final List<String> PER_IMAGE = List.of(
      "pixel_error", "v_rand", "v_info", "rand_error_2012", "warping_error", "iou", "dice", "adapted_rand_error",
      "vi_split", "vi_merge", "top1", "cross_entropy", "redo_iou_image", "redo_accuracy_image");

  /** Most pictures shown per run and kind (evenly spaced over the epochs, the last one included). */
  public static final int MAX_PICTURES = 12;

  /** Suffix of the aggregate records holding a challenge score's chosen threshold. */
  static final String THRESHOLD_SUFFIX = "_threshold";

  /**
   * One sample's pictures.
   *
   * @param id sample id (with run)
   * @param overlayPng prediction vs truth overlay ({@link Overlays#overlay})
   * @param probabilityPng probability map, or null
   */
  public record Sample(String id, byte[] overlayPng, byte[] probabilityPng) {}

  /**
   * One validation picture a training wrote ({@code pictures/<epoch-NNNN | final>-<stem>.png}).
   *
   * @param run the training's run
   * @param name the file name without {@code .png}, e.g. {@code epoch-0003-redraw}
   */
  public record Picture(String run, String name, byte[] png) {}

  private HtmlReport() {}

  /** Writes {@link #FILE} into {@code dir} (created if absent) and returns its path. */
  public static Path write(Path dir, String title, List<MetricRecord> metrics, List<CurvePoint> curve,
      List<Sample> samples) {
    return write(dir, title, metrics, curve, List.of(), samples);
  }

  /** Writes {@link #FILE} with the trainings' validation pictures too. */
  public static Path write(Path dir, String title, List<MetricRecord> metrics, List<CurvePoint> curve,
      List<Picture> pictures, List<Sample> samples) {
    System.setProperty("java.awt.headless", "true");
    StringBuilder h = new StringBuilder();
    head(h, title);
    h.append("<h1>").append(esc(title)).append("</h1>\n");
    challengeTable(h, metrics);
    aggregateTable(h, metrics);
    ClassifierReport.section(h, metrics); // classifiers: confusion-matrix heat map, per-class accuracy bars
    perImageTable(h, metrics);
    curves(h, curve);
    pictures(h, pictures);
    overlays(h, samples);
    h.append("</body></html>\n");
    try {
      Files.createDirectories(dir);
      Path f = dir.resolve(FILE);
      Files.writeString(f, h, StandardCharsets.UTF_8);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write report into " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The page's start: doctype, title and the style every report of this project uses. */
  static void head(StringBuilder h, String title) {
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
        .append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}")
        .append("th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f2f2f2}")
        .append("td.l,th.l{text-align:left}.grid{display:flex;flex-wrap:wrap;gap:16px}")
        .append("figure{margin:0}figcaption{font-size:13px;max-width:520px;word-break:break-all}")
        .append("img.s{width:256px;image-rendering:pixelated;border:1px solid #999}")
        .append(".sw{display:inline-block;width:14px;height:14px;border:1px solid #555;vertical-align:middle;margin:0 4px 0 12px}")
        .append("</style></head><body>\n");
  }

  private static boolean isThreshold(MetricRecord r) {
    return r.getMetric().endsWith(THRESHOLD_SUFFIX)
        && ChallengeMetrics.STACK_SCORED.contains(r.getMetric().substring(0, r.getMetric().length() - THRESHOLD_SUFFIX.length()));
  }

  /** One row per run / variant / dataset / split with challenge scores: each score at its threshold, and n. */
  private static void challengeTable(StringBuilder h, List<MetricRecord> metrics) {
    Map<String, Map<String, MetricRecord>> scores = new TreeMap<>();
    Map<String, Map<String, Double>> thresholds = new TreeMap<>();
    for (MetricRecord r : metrics) {
      if (r.getImageId() != null) {
        continue;
      }
      String key = String.join(" / ", r.getRun(), r.getVariant(), r.getDataset(), r.getSplit());
      if (ChallengeMetrics.STACK_SCORED.contains(r.getMetric())) {
        scores.computeIfAbsent(key, k -> new TreeMap<>()).put(r.getMetric(), r);
      } else if (isThreshold(r)) {
        String base = r.getMetric().substring(0, r.getMetric().length() - THRESHOLD_SUFFIX.length());
        thresholds.computeIfAbsent(key, k -> new TreeMap<>()).put(base, r.getValue());
      }
    }
    if (scores.isEmpty()) {
      return;
    }
    h.append("<h2>ISBI challenge scores</h2>\n<p>Scores of the stack of images as the ISBI 2012 challenge ")
        .append("computes them, each at its best threshold t: V_rand and V_info (current leaderboard, higher is ")
        .append("better) after thinning the predicted borders, averaged over images; the 2012 Rand error and ")
        .append("the pixel error from counts pooled over images; the warping error averaged over images. The ")
        .append("U-Net paper: Rand error 0.0382, pixel error 0.0611, warping error 0.000353.</p>\n");
    h.append("<table><tr><th class=l>run / variant / dataset / split</th>");
    ChallengeMetrics.STACK_SCORED.forEach(m -> h.append("<th>").append(esc(m)).append("</th>"));
    h.append("<th>n</th></tr>\n");
    scores.forEach((key, vals) -> {
      h.append("<tr><td class=l>").append(esc(key)).append("</td>");
      long n = 0;
      for (String m : ChallengeMetrics.STACK_SCORED) {
        MetricRecord r = vals.get(m);
        Double t = thresholds.getOrDefault(key, Map.of()).get(m);
        h.append("<td>").append(r == null ? "" : num(r.getValue()))
            .append(t == null ? "" : String.format(Locale.ROOT, " (t %.1f)", t)).append("</td>");
        n = r == null ? n : Math.max(n, r.getN());
      }
      h.append("<td>").append(n).append("</td></tr>\n");
    });
    h.append("</table>\n");
  }

  private static void aggregateTable(StringBuilder h, List<MetricRecord> metrics) {
    List<MetricRecord> agg = metrics.stream().filter(r -> r.getImageId() == null && !isThreshold(r))
        .sorted(MetricFiles.ORDER).collect(Collectors.toList());
    h.append("<h2>Metrics</h2>\n");
    if (agg.isEmpty()) {
      h.append("<p>No aggregate metric records.</p>\n");
      return;
    }
    h.append("<table><tr><th class=l>run</th><th class=l>model</th><th class=l>variant</th><th class=l>dataset</th>")
        .append("<th class=l>split</th><th class=l>metric</th><th>mean (stack score)</th><th>std</th><th>95 % CI</th><th>n</th></tr>\n");
    for (MetricRecord r : agg) {
      h.append("<tr><td class=l>").append(esc(r.getRun())).append("</td><td class=l>").append(esc(r.getModel()))
          .append("</td><td class=l>").append(esc(r.getVariant())).append("</td><td class=l>")
          .append(esc(r.getDataset())).append("</td><td class=l>").append(esc(r.getSplit()))
          .append("</td><td class=l>").append(esc(r.getMetric())).append("</td><td>").append(num(r.getValue()))
          .append("</td><td>").append(num(r.getStd())).append("</td><td>")
          .append(r.getCiLow() == null ? "" : "[" + num(r.getCiLow()) + ", " + num(r.getCiHigh()) + "]")
          .append("</td><td>").append(r.getN()).append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void perImageTable(StringBuilder h, List<MetricRecord> metrics) {
    Map<String, Map<String, Double>> rows = new TreeMap<>();
    Set<String> cols = new LinkedHashSet<>();
    for (String m : PER_IMAGE) {
      for (MetricRecord r : metrics) {
        if (r.getImageId() != null && r.getMetric().equals(m)) {
          cols.add(m);
          rows.computeIfAbsent(r.getRun() + " / " + r.getImageId(), k -> new TreeMap<>()).put(m, r.getValue());
        }
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    h.append("<h2>Per image</h2>\n<table><tr><th class=l>run / image</th>");
    cols.forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
    h.append("</tr>\n");
    rows.forEach((id, vals) -> {
      h.append("<tr><td class=l>").append(esc(id)).append("</td>");
      cols.forEach(c -> h.append("<td>").append(vals.containsKey(c) ? num(vals.get(c)) : "").append("</td>"));
      h.append("</tr>\n");
    });
    h.append("</table>\n");
  }

  private static void curves(StringBuilder h, List<CurvePoint> curve) {
    h.append("<h2>Training curves</h2>\n");
    if (curve.isEmpty()) {
      h.append("<p>No training curve was given.</p>\n");
      return;
    }
    Map<String, List<CurvePoint>> byMetric = new TreeMap<>((a, b) ->
        a.equals("loss") ? (b.equals("loss") ? 0 : -1) : b.equals("loss") ? 1 : a.compareTo(b));
    for (CurvePoint p : curve) {
      byMetric.computeIfAbsent(p.getMetric(), k -> new ArrayList<>()).add(p);
    }
    List<CurvePoint> single = new ArrayList<>();
    h.append("<div class=grid>\n");
    for (Map.Entry<String, List<CurvePoint>> m : byMetric.entrySet()) {
      CurveSeries cs = curveSeries(m.getValue(), p -> p.getRun() + " / " + p.getSplit());
      if (cs == null) {
        single.addAll(m.getValue());
        continue;
      }
      byte[] png = curveChart(m.getKey(), cs.axis(), cs.series());
      h.append("<figure><img alt=\"").append(esc(m.getKey())).append(" per ").append(cs.axis())
          .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
          .append("\"><figcaption>").append(esc(m.getKey())).append(" per ").append(cs.axis())
          .append(cs.perEpoch() ? " (mean of the epoch's points)" : " (all points are in one epoch)")
          .append("</figcaption></figure>\n");
    }
    h.append("</div>\n");
    if (!single.isEmpty()) {
      h.append("<table><tr><th class=l>run</th><th class=l>split</th><th class=l>metric</th><th>step</th>")
          .append("<th>epoch</th><th>value</th></tr>\n");
      for (CurvePoint p : single) {
        h.append("<tr><td class=l>").append(esc(p.getRun())).append("</td><td class=l>").append(esc(p.getSplit()))
            .append("</td><td class=l>").append(esc(p.getMetric())).append("</td><td>").append(p.getStep())
            .append("</td><td>").append(p.getEpoch()).append("</td><td>").append(num(p.getValue()))
            .append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
  }

  /**
   * One curve metric's points as chart lines.
   *
   * @param axis "epoch" or "step"
   * @param series line name -> x -> the values at x (a line's y is their mean)
   */
  public record CurveSeries(String axis, Map<String, TreeMap<Integer, List<Double>>> series) {
    public boolean perEpoch() {
      return axis.equals("epoch");
    }
  }

  /**
   * The lines of one curve metric's points, a line per {@code line} key: x = epoch (the mean of the
   * epoch's points) when the points span two epochs or more, else step; null when every point has
   * the same epoch and step (a single value, e.g. a final validation score: a table shows those).
   */
  public static CurveSeries curveSeries(List<CurvePoint> pts, java.util.function.Function<CurvePoint, String> line) {
    boolean perEpoch = pts.stream().map(CurvePoint::getEpoch).distinct().count() >= 2;
    boolean perStep = pts.stream().map(CurvePoint::getStep).distinct().count() >= 2;
    if (!perEpoch && !perStep) {
      return null;
    }
    Map<String, TreeMap<Integer, List<Double>>> series = new TreeMap<>();
    for (CurvePoint p : pts) {
      int x = perEpoch ? p.getEpoch() : (int) p.getStep();
      series.computeIfAbsent(line.apply(p), k -> new TreeMap<>()).computeIfAbsent(x, k -> new ArrayList<>())
          .add(p.getValue());
    }
    return new CurveSeries(perEpoch ? "epoch" : "step", series);
  }

  /** The PNG of one curve metric: a line per run / split, x = epoch or step, y = mean value at x. */
  public static byte[] curveChart(String metric, String xAxis, Map<String, TreeMap<Integer, List<Double>>> series) {
    return curveChart(metric, xAxis, series, 520, 340);
  }

  /** {@link #curveChart(String, String, Map)} at a size (many lines need room for their legend). */
  public static byte[] curveChart(String metric, String xAxis, Map<String, TreeMap<Integer, List<Double>>> series,
      int width, int height) {
    XYChart chart = new XYChartBuilder().width(width).height(height).title(metric).xAxisTitle(xAxis)
        .yAxisTitle(metric).build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
    chart.getStyler().setDecimalPattern("#0.####");
    for (Map.Entry<String, TreeMap<Integer, List<Double>>> s : series.entrySet()) {
      double[] x = s.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
      double[] y = s.getValue().values().stream()
          .mapToDouble(v -> v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)).toArray();
      chart.addSeries(s.getKey(), x, y).setMarker(x.length > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    }
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render the " + metric + " chart", e);
    }
  }

  private static void pictures(StringBuilder h, List<Picture> pictures) {
    if (pictures.isEmpty()) {
      return;
    }
    h.append("<h2>Validation pictures per epoch</h2>\n<p>What the training drew on its first validation images ")
        .append("after each epoch. ReDo (<code>redraw</code>): one row per image; columns: the image, the soft ")
        .append("mask of region 0 (black 0, white 1), then the image with region 0, region 1, ... redrawn by its ")
        .append("generator (h_k + (1 &minus; m_k) x).</p>\n<div class=grid>\n");
    for (Picture p : pictures) {
      h.append("<figure><img alt=\"").append(esc(p.run() + " " + p.name())).append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(p.png())).append("\"><figcaption>").append(esc(p.run()))
          .append(": ").append(esc(p.name())).append("</figcaption></figure>\n");
    }
    h.append("</div>\n");
  }

  /**
   * The validation pictures in a training's {@code pictures} folder, by file name (so by epoch, then
   * {@code final}); per stem at most {@link #MAX_PICTURES}, evenly spaced, the last included. None
   * if the folder does not exist.
   */
  public static List<Picture> readPictures(Path dir, String run) {
    List<Picture> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (var files = Files.list(dir)) {
      Map<String, List<Path>> byStem = new TreeMap<>();
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".png")).sorted().toList()) {
        String name = f.getFileName().toString();
        String stem = name.substring(name.indexOf('-', name.startsWith("epoch-") ? 6 : 0) + 1, name.length() - 4);
        byStem.computeIfAbsent(stem, k -> new ArrayList<>()).add(f);
      }
      for (List<Path> all : byStem.values()) {
        int n = all.size();
        int show = Math.min(n, MAX_PICTURES);
        Set<Integer> picked = new java.util.TreeSet<>();
        for (int i = 0; i < show; i++) {
          picked.add(show == 1 ? n - 1 : (int) Math.round(i * (n - 1) / (double) (show - 1)));
        }
        for (int i : picked) {
          Path f = all.get(i);
          String name = f.getFileName().toString();
          out.add(new Picture(run, name.substring(0, name.length() - 4), Files.readAllBytes(f)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read pictures from " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static void overlays(StringBuilder h, List<Sample> samples) {
    h.append("<h2>Samples</h2>\n");
    if (samples.isEmpty()) {
      h.append("<p>No overlays were written (Evaluate with overlays: true writes them).</p>\n");
      return;
    }
    h.append("<p>Prediction vs truth, foreground = cell:")
        .append(swatch(Overlays.TP_RGB, Overlays.TP_ALPHA)).append("true positive (light tint)")
        .append(swatch(Overlays.FP_RGB, Overlays.ERROR_ALPHA)).append("false positive")
        .append(swatch(Overlays.FN_RGB, Overlays.ERROR_ALPHA)).append("false negative")
        .append("<span class=sw style=\"background:#808080\"></span>true negative (image only)")
        .append(". Right: predicted foreground probability (black 0, white 1).</p>\n<div class=grid>\n");
    for (Sample s : samples) {
      h.append("<figure><img class=s alt=\"overlay ").append(esc(s.id())).append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(s.overlayPng())).append("\">");
      if (s.probabilityPng() != null) {
        h.append(" <img class=s alt=\"probability ").append(esc(s.id())).append("\" src=\"data:image/png;base64,")
            .append(Base64.getEncoder().encodeToString(s.probabilityPng())).append("\">");
      }
      h.append("<figcaption>").append(esc(s.id())).append("</figcaption></figure>\n");
    }
    h.append("</div>\n");
  }

  /** A legend swatch: the colour over mid-gray with the overlay's alpha. */
  private static String swatch(int[] rgb, float alpha) {
    int[] c = new int[3];
    for (int i = 0; i < 3; i++) {
      c[i] = Math.round((1 - alpha) * 128 + alpha * rgb[i]);
    }
    return String.format(Locale.ROOT, "<span class=sw style=\"background:rgb(%d,%d,%d)\"></span>", c[0], c[1], c[2]);
  }

  static String esc(String s) {
    return StringEscapeUtils.escapeHtml4(s);
  }

  static String num(Double v) {
    if (v == null || v.isNaN()) {
      return "";
    }
    double a = Math.abs(v);
    return a != 0 && (a < 1e-3 || a >= 1e5) ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4f", v);
  }

  /**
   * Reads the first {@code limit} overlays (sorted by file name) from a folder of
   * {@code STEM.overlay.png} / {@code STEM.prob.png} pairs as written by Evaluate; none if the folder
   * does not exist.
   */
  public static List<Sample> readOverlays(Path dir, int limit) {
    List<Sample> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (var files = Files.list(dir)) {
      List<Path> overlays = files.filter(f -> f.getFileName().toString().endsWith(".overlay.png")).sorted()
          .limit(limit).collect(Collectors.toList());
      for (Path f : overlays) {
        String name = f.getFileName().toString();
        String stem = name.substring(0, name.length() - ".overlay.png".length());
        Path prob = dir.resolve(stem + ".prob.png");
        out.add(new Sample(stem, Files.readAllBytes(f), Files.isRegularFile(prob) ? Files.readAllBytes(prob) : null));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read overlays from " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }
}
