package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.unetpipelines.grid.GridStatistics;
import org.unetpipelines.grid.MetricDirection;
import org.unetpipelines.grid.Observation;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.GridComparison;
import org.unetpipelines.records.GridSummary;

/**
 * The report of an experiment grid, one self-contained HTML page in the style of {@link HtmlReport}:
 * <ul>
 *   <li>a table of cells x metrics: mean ± std over the cell's runs, the best mean of each metric in
 *       bold, and marks of significance against the baseline cell (Holm-adjusted p of the paired t-test
 *       where seeds pair the runs, else Welch's: * p &lt; 0.05, ** p &lt; 0.01, *** p &lt; 0.001), with each run
 *       linked to its own report (its samples and curves);
 *   <li>the runs that failed, with their reasons;
 *   <li>a strip plot per main metric (XChart): one row per cell, a dot per run, a diamond at the mean;
 *   <li>training curves (XChart) with one line per cell: the mean of its runs at each epoch or step.
 * </ul>
 * Figures grow with the number of cells, so the page reads at 2 cells and at 40.
 */
public final class GridReport {
  public static final String FILE = "report.html";
  /** Metrics shown as strip plots (when present): the main ones; the table shows every metric. */
  public static final List<String> PLOTTED = HtmlReport.PER_IMAGE;
  /** Curve lines beyond this many are not drawn (the table and strip plots still show every cell). */
  static final int MAX_CURVE_LINES = 60;

  /**
   * One run of a cell.
   *
   * @param cell the statistics' cell (axis values without the replicate axis)
   * @param replicate the replicate (seed) value, or null
   * @param name the run's full cell name
   * @param status complete or failed
   * @param reason why it failed (empty when complete)
   * @param link the run's own report, relative to this report's folder, or null
   */
  public record Run(String cell, String replicate, String name, String status, String reason, String link) {}

  /** What the page shows. */
  public record Input(String title, List<String> cells, String baseline, List<GridSummary> summaries,
      List<GridComparison> comparisons, List<Observation> observations, List<Run> runs,
      Map<String, List<CurvePoint>> curves) {
    public Input {
      checkArgument(title != null && !title.isBlank(), "a grid report needs a title");
      cells = List.copyOf(cells);
      summaries = List.copyOf(summaries);
      comparisons = List.copyOf(comparisons);
      observations = List.copyOf(observations);
      runs = List.copyOf(runs);
      curves = new LinkedHashMap<>(curves);
    }
  }

  private GridReport() {}

  /** Writes {@link #FILE} into {@code dir} (created if absent) and returns its path. */
  public static Path write(Path dir, Input in) {
    System.setProperty("java.awt.headless", "true");
    StringBuilder h = new StringBuilder();
    HtmlReport.head(h, in.title());
    h.append("<style>td.b{font-weight:bold}td.f{color:#b00}sup{color:#06c}</style>\n");
    h.append("<h1>").append(esc(in.title())).append("</h1>\n");
    long failed = in.runs().stream().filter(r -> !"complete".equals(r.status())).count();
    h.append("<p>").append(in.cells().size()).append(in.cells().size() == 1 ? " cell, " : " cells, ")
        .append(in.runs().size()).append(" runs (").append(failed).append(" failed). ")
        .append(in.baseline() == null ? "No baseline: comparisons of all pairs are in comparisons.csv."
            : "Baseline: <b>" + esc(in.baseline()) + "</b>; marks: Holm-adjusted p against it of the paired t-test "
                + "(runs paired by seed) or, without pairs, Welch's t-test: * p &lt; 0.05, ** p &lt; 0.01, "
                + "*** p &lt; 0.001.")
        .append(" Best mean per metric in bold. Every number is in summary.csv and comparisons.csv beside this page.</p>\n");
    List<String> metrics = metrics(in.summaries());
    table(h, in, metrics);
    failures(h, in);
    strips(h, in, metrics);
    curves(h, in);
    h.append("</body></html>\n");
    try {
      Files.createDirectories(dir);
      Path f = dir.resolve(FILE);
      Files.writeString(f, h, StandardCharsets.UTF_8);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the grid report into " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The table's metrics: the main ones first (in {@link #PLOTTED} order), then the rest by name. */
  static List<String> metrics(List<GridSummary> summaries) {
    Set<String> all = new java.util.TreeSet<>();
    summaries.forEach(s -> all.add(s.getMetric()));
    List<String> out = new ArrayList<>();
    for (String m : PLOTTED) {
      all.stream().filter(x -> base(x).equals(m)).forEach(out::add);
    }
    all.stream().filter(x -> !out.contains(x) && !hidden(x)).forEach(out::add);
    return out;
  }

  /** Per-class and confusion-cell records and chosen thresholds stay in the CSV files. */
  private static boolean hidden(String metric) {
    String b = base(metric);
    return b.startsWith("confusion_") || b.startsWith("accuracy_class_") || b.endsWith("_threshold");
  }

  private static String base(String metric) {
    return metric.substring(metric.lastIndexOf('/') + 1);
  }

  private static void table(StringBuilder h, Input in, List<String> metrics) {
    Map<String, Map<String, GridSummary>> byCell = new HashMap<>();
    in.summaries().forEach(s -> byCell.computeIfAbsent(s.getCell(), k -> new HashMap<>()).put(s.getMetric(), s));
    Map<String, String> best = new HashMap<>();
    for (String m : metrics) {
      MetricDirection d = MetricDirection.forMetric(m);
      if (d == MetricDirection.UNKNOWN) {
        continue;
      }
      GridSummary top = null;
      for (String c : in.cells()) {
        GridSummary s = byCell.getOrDefault(c, Map.of()).get(m);
        if (s != null && (top == null || (d == MetricDirection.HIGHER_IS_BETTER ? s.getMean() > top.getMean()
            : s.getMean() < top.getMean()))) {
          top = s;
        }
      }
      if (top != null) {
        best.put(m, top.getCell());
      }
    }
    Map<String, Map<String, Double>> pHolm = marks(in.comparisons());
    Map<String, List<Run>> runs = new LinkedHashMap<>();
    in.runs().forEach(r -> runs.computeIfAbsent(r.cell(), k -> new ArrayList<>()).add(r));
    h.append("<h2>Cells</h2>\n<table><tr><th>#</th><th class=l>cell</th><th class=l>runs</th>");
    metrics.forEach(m -> h.append("<th>").append(esc(m)).append(arrow(m)).append("</th>"));
    h.append("</tr>\n");
    int i = 1;
    for (String c : in.cells()) {
      h.append("<tr><td>").append(i++).append("</td><td class=l>").append(esc(c))
          .append(c.equals(in.baseline()) ? " (baseline)" : "").append("</td><td class=l>");
      for (Run r : runs.getOrDefault(c, List.of())) {
        String label = r.replicate() == null ? "run" : r.replicate();
        boolean ok = "complete".equals(r.status());
        String text = ok ? esc(label) : "<s title=\"" + esc(r.reason()) + "\">" + esc(label) + "</s>";
        h.append(r.link() == null ? text : "<a href=\"" + esc(r.link()) + "\">" + text + "</a>").append(' ');
      }
      h.append("</td>");
      Map<String, GridSummary> vals = byCell.getOrDefault(c, Map.of());
      for (String m : metrics) {
        GridSummary s = vals.get(m);
        if (s == null) {
          h.append("<td></td>");
          continue;
        }
        Double p = pHolm.getOrDefault(m, Map.of()).get(c);
        h.append(c.equals(best.get(m)) ? "<td class=b>" : "<td>").append(HtmlReport.num(s.getMean()))
            .append(s.getStd() == null ? "" : " ± " + HtmlReport.num(s.getStd()))
            .append(p == null ? "" : "<sup title=\"p_holm " + HtmlReport.num(p) + "\">" + stars(p) + "</sup>")
            .append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  private static String arrow(String metric) {
    return switch (MetricDirection.forMetric(metric)) {
      case HIGHER_IS_BETTER -> " ↑";
      case LOWER_IS_BETTER -> " ↓";
      case UNKNOWN -> "";
    };
  }

  /** metric -> cell -> the Holm-adjusted p of its comparison with the baseline (paired t where there is one). */
  static Map<String, Map<String, Double>> marks(List<GridComparison> comparisons) {
    Map<String, Map<String, Double>> out = new HashMap<>();
    for (String test : List.of(GridStatistics.WELCH, GridStatistics.PAIRED)) { // paired overrides Welch
      for (GridComparison c : comparisons) {
        if (c.getTest().equals(test) && c.getPHolm() != null) {
          out.computeIfAbsent(c.getMetric(), k -> new HashMap<>()).put(c.getCellA(), c.getPHolm());
        }
      }
    }
    return out;
  }

  static String stars(double p) {
    return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : "";
  }

  private static void failures(StringBuilder h, Input in) {
    List<Run> failed = in.runs().stream().filter(r -> !"complete".equals(r.status())).toList();
    if (failed.isEmpty()) {
      return;
    }
    h.append("<h2>Failed runs</h2>\n<table><tr><th class=l>run</th><th class=l>reason</th></tr>\n");
    for (Run r : failed) {
      h.append("<tr><td class=l>").append(esc(r.name())).append("</td><td class='l f'>").append(esc(r.reason()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void strips(StringBuilder h, Input in, List<String> metrics) {
    List<String> plotted = metrics.stream().filter(m -> PLOTTED.contains(base(m))).toList();
    if (plotted.isEmpty() || in.observations().isEmpty()) {
      return;
    }
    h.append("<h2>Runs per cell</h2>\n<p>A dot per run, a red diamond at the cell's mean; rows are the table's cells.</p>\n")
        .append("<div class=grid>\n");
    for (String m : plotted) {
      List<Observation> obs = in.observations().stream().filter(o -> o.metric().equals(m)).toList();
      if (obs.isEmpty()) {
        continue;
      }
      byte[] png = stripChart(m, in.cells(), obs);
      h.append("<figure><img alt=\"").append(esc(m)).append(" per run\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption>").append(esc(m))
          .append(" of every run").append("</figcaption></figure>\n");
    }
    h.append("</div>\n");
  }

  /**
   * A strip plot: cell i (in table order) is the row at y = -i (first cell on top), a dot per run
   * (spread a little by replicate so equal values stay visible), a diamond at the cell's mean.
   */
  public static byte[] stripChart(String metric, List<String> cells, List<Observation> obs) {
    int rowPx = 22;
    int height = Math.max(260, 110 + rowPx * cells.size());
    XYChart chart = new XYChartBuilder().width(560).height(height).title(metric).xAxisTitle(metric).build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setDecimalPattern("#0.####");
    chart.getStyler().setYAxisMin(-(cells.size() - 0.5));
    chart.getStyler().setYAxisMax(0.5);
    chart.getStyler().setYAxisTickMarkSpacingHint(Math.max(6, rowPx - 4));
    Map<String, Integer> row = new HashMap<>();
    for (int i = 0; i < cells.size(); i++) {
      row.put(cells.get(i), i);
    }
    chart.setCustomYAxisTickLabelsFormatter(y -> {
      long r = Math.round(-y);
      return Math.abs(-y - r) < 1e-6 && r >= 0 && r < cells.size() ? (r + 1) + "  " + shortName(cells.get((int) r)) : "";
    });
    Map<String, List<Observation>> byCell = new TreeMap<>();
    obs.forEach(o -> byCell.computeIfAbsent(o.cell(), k -> new ArrayList<>()).add(o));
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    List<Double> mx = new ArrayList<>();
    List<Double> my = new ArrayList<>();
    for (Map.Entry<String, List<Observation>> e : byCell.entrySet()) {
      Integer r = row.get(e.getKey());
      if (r == null) {
        continue;
      }
      List<Observation> runs = e.getValue();
      double sum = 0;
      for (int j = 0; j < runs.size(); j++) {
        double jitter = runs.size() == 1 ? 0 : 0.3 * (j / (runs.size() - 1.0) - 0.5);
        xs.add(runs.get(j).value());
        ys.add(-r + jitter);
        sum += runs.get(j).value();
      }
      mx.add(sum / runs.size());
      my.add((double) -r);
    }
    if (xs.isEmpty()) {
      xs.add(0.0);
      ys.add(0.0);
    }
    XYSeries dots = chart.addSeries("runs", xs, ys);
    dots.setMarker(SeriesMarkers.CIRCLE);
    dots.setMarkerColor(new Color(31, 119, 180, 190));
    if (!mx.isEmpty()) {
      XYSeries means = chart.addSeries("mean", mx, my);
      means.setMarker(SeriesMarkers.DIAMOND);
      means.setMarkerColor(new Color(214, 39, 40));
    }
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render the " + metric + " strip plot", e);
    }
  }

  /** A cell's name as a chart label: at most 40 characters. */
  static String shortName(String cell) {
    return cell.length() <= 40 ? cell : cell.substring(0, 37) + "...";
  }

  private static void curves(StringBuilder h, Input in) {
    h.append("<h2>Training curves</h2>\n");
    Map<String, List<CurvePoint>> byMetric = new TreeMap<>((a, b) ->
        a.equals("loss") ? (b.equals("loss") ? 0 : -1) : b.equals("loss") ? 1 : a.compareTo(b));
    Map<CurvePoint, String> cellOf = new java.util.IdentityHashMap<>();
    in.curves().forEach((cell, pts) -> pts.forEach(p -> {
      byMetric.computeIfAbsent(p.getMetric(), k -> new ArrayList<>()).add(p);
      cellOf.put(p, cell);
    }));
    if (byMetric.isEmpty()) {
      h.append("<p>No training curves (no cell trained a model in this run or an earlier one).</p>\n");
      return;
    }
    Set<String> drawn = new LinkedHashSet<>(in.cells().subList(0, Math.min(MAX_CURVE_LINES, in.cells().size())));
    h.append("<p>One line per cell: the mean over its runs at each x.")
        .append(in.cells().size() > MAX_CURVE_LINES ? " The first " + MAX_CURVE_LINES + " cells are drawn." : "")
        .append("</p>\n<div class=grid>\n");
    for (Map.Entry<String, List<CurvePoint>> m : byMetric.entrySet()) {
      List<CurvePoint> pts = m.getValue().stream().filter(p -> drawn.contains(cellOf.get(p))).toList();
      HtmlReport.CurveSeries cs = HtmlReport.curveSeries(pts, p -> cellOf.get(p)
          + ("train".equals(p.getSplit()) ? "" : " / " + p.getSplit()));
      if (cs == null) {
        continue;
      }
      int lines = cs.series().size();
      int height = 340 + 18 * ((lines + 1) / 2);
      byte[] png = HtmlReport.curveChart(m.getKey(), cs.axis(), cs.series(), lines > 8 ? 760 : 520, height);
      h.append("<figure><img alt=\"").append(esc(m.getKey())).append(" per ").append(cs.axis())
          .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
          .append("\"><figcaption>").append(esc(m.getKey())).append(" per ").append(cs.axis())
          .append(", a line per cell</figcaption></figure>\n");
    }
    h.append("</div>\n");
  }

  private static String esc(String s) {
    return HtmlReport.esc(s);
  }
}
