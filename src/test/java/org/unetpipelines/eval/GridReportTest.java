package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.grid.GridStatistics;
import org.unetpipelines.grid.Observation;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.GridComparison;
import org.unetpipelines.records.GridSummary;

class GridReportTest {

  /** {@code cells} cells x 3 seeds; cell i has iou 0.5 + 0.01 i and pixel_error 0.5 - 0.01 i, plus 0.001 s (1 + 0.3 i) for seed s. */
  private static GridReport.Input input(int cells, boolean failOne) {
    List<String> names = new ArrayList<>();
    List<Observation> obs = new ArrayList<>();
    List<GridReport.Run> runs = new ArrayList<>();
    Map<String, List<CurvePoint>> curves = new LinkedHashMap<>();
    for (int i = 0; i < cells; i++) {
      String c = "family=f" + i + ",upsampling=bilinear";
      names.add(c);
      for (int s = 1; s <= 3; s++) {
        boolean failed = failOne && i == 1 && s == 3;
        runs.add(new GridReport.Run(c, String.valueOf(s), c + ",seed=" + s, failed ? "failed" : "complete",
            failed ? "Train[" + c + ",seed=3]: training failed: loss became NaN" : "",
            "../" + c + ",seed=" + s + "/report/report.html"));
        if (failed) {
          continue;
        }
        obs.add(new Observation("iou", c, String.valueOf(s), 0.5 + 0.01 * i + 0.001 * s * (1 + 0.3 * i)));
        obs.add(new Observation("pixel_error", c, String.valueOf(s), 0.5 - 0.01 * i + 0.001 * s * (1 + 0.3 * i)));
        List<CurvePoint> pts = curves.computeIfAbsent(c, k -> new ArrayList<>());
        for (int step = 1; step <= 5; step++) {
          pts.add(CurvePoint.newBuilder().setRun(c + ",seed=" + s).setStep(step).setEpoch(0).setSplit("train")
              .setMetric("loss").setValue(1.0 / step + 0.01 * i).setElapsedSeconds(step).build());
        }
      }
    }
    GridStatistics stats = GridStatistics.create().withCellOrder(names).withSeed(1);
    List<GridSummary> summaries = stats.summarize(obs);
    List<GridComparison> comparisons = stats.compareWithBaseline(obs, names.get(0));
    return new GridReport.Input("grid", names, names.get(0), summaries, comparisons, obs, runs, curves);
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static String cellsTable(String html) {
    int start = html.indexOf("<h2>Cells</h2>");
    return html.substring(start, html.indexOf("</table>", start));
  }

  @Test
  void twoCellsBestInBoldMarksAgainstTheBaselineAndLinks(@TempDir Path dir) throws Exception {
    GridReport.Input in = input(2, false);
    String html = Files.readString(GridReport.write(dir, in));
    String table = cellsTable(html);
    assertEquals(3, count(table, "<tr>"), "header + 2 cells");
    // iou is higher-better, pixel_error lower-better: cell 2 (index 1) is best in both
    assertEquals(2, count(table, "<td class=b>"), table);
    assertTrue(table.contains("<td class=b>0.5126 ± 0.0013"), table);
    assertTrue(table.contains("family=f0,upsampling=bilinear (baseline)"), table);
    // seeds pair the runs: the paired t-test of cell 2 against the baseline, Holm-adjusted
    GridComparison paired = in.comparisons().stream()
        .filter(c -> c.getMetric().equals("iou") && c.getTest().equals(GridStatistics.PAIRED)).findFirst().orElseThrow();
    assertTrue(paired.getPHolm() < 0.001, paired.toString()); // differences 0.0103, 0.0106, 0.0109: t = 61 with 2 df
    assertTrue(table.contains("<sup title=\"p_holm " + HtmlReport.num(paired.getPHolm()) + "\">***</sup>"), table);
    assertTrue(table.contains("<a href=\"../family=f1,upsampling=bilinear,seed=2/report/report.html\">2</a>"), table);
    assertEquals(2, count(html, "<img alt=\"(iou|pixel_error) per run\""), "a strip plot per main metric");
    assertTrue(html.contains("<img alt=\"loss per step\""), "the training curves, a line per cell");
    assertTrue(!html.contains("Failed runs"));
  }

  @Test
  void fortyCellsRenderWithEveryRowAndASaneSize(@TempDir Path dir) throws Exception {
    GridReport.Input in = input(40, true);
    Path page = GridReport.write(dir, in);
    String html = Files.readString(page);
    assertEquals(41, count(cellsTable(html), "<tr>"), "header + 40 cells");
    assertTrue(html.contains("120 runs (1 failed)"), html.substring(0, 600));
    assertTrue(html.contains("<h2>Failed runs</h2>") && html.contains("loss became NaN"));
    assertTrue(cellsTable(html).contains("<s title=\"Train[family=f1,upsampling=bilinear,seed=3]: training failed"));
    long size = Files.size(page);
    assertTrue(size > 20_000 && size < 3_000_000, "report size " + size);
    // strip plots grow with the cells: 40 rows are taller than 2
    byte[] two = GridReport.stripChart("iou", in.cells().subList(0, 2), in.observations());
    byte[] forty = GridReport.stripChart("iou", in.cells(), in.observations());
    assertTrue(height(forty) > 800 && height(two) < 300, height(two) + " / " + height(forty));
  }

  private static int height(byte[] png) throws Exception {
    return javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)).getHeight();
  }

  @Test
  void aReportNeedsATitle() {
    GridReport.Input ok = input(2, false);
    assertThrows(IllegalArgumentException.class, () -> new GridReport.Input(" ", ok.cells(), null, ok.summaries(),
        ok.comparisons(), ok.observations(), ok.runs(), ok.curves()));
    assertEquals("*", GridReport.stars(0.04));
    assertEquals("", GridReport.stars(0.05));
    assertEquals("**", GridReport.stars(0.009));
  }
}
