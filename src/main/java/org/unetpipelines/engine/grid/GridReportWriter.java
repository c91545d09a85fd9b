package org.unetpipelines.engine.grid;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.unetpipelines.engine.OutputRoot;
import org.unetpipelines.eval.GridReport;
import org.unetpipelines.eval.HtmlReport;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.MetricRecord;

/**
 * Collects what the grid's report ({@link GridReport}) shows from a finished grid's output root: the
 * statistics, every run's status, each complete run's training curve ({@code curve.csv} beside its
 * {@code model.json}) and the link to its own report ({@code report.html} under its cell folder).
 * Writes {@code grid/report/report.html}.
 */
final class GridReportWriter {
  private static final Logger LOG = LoggerFactory.getLogger(GridReportWriter.class);
  /** The report's folder under {@code grid/}. */
  static final String FOLDER = "report";

  private GridReportWriter() {}

  static Path write(String title, GridResults.Layout grid, OutputRoot root, List<GridRun.CellStatus> status,
      GridResults.Tables tables, List<MetricRecord> records) {
    Path dir = root.resolve(GridCell.FOLDER + "/" + FOLDER);
    Map<String, GridRun.CellStatus> byName = new LinkedHashMap<>();
    status.forEach(s -> byName.put(s.cell(), s));
    List<GridReport.Run> runs = new ArrayList<>();
    Map<String, List<CurvePoint>> curves = new LinkedHashMap<>();
    for (GridCell c : grid.cells()) {
      GridRun.CellStatus s = byName.get(c.name());
      String st = s == null ? GridRun.FAILED : s.status();
      List<Path> reports = GridRun.filesNamed(root, c, HtmlReport.FILE);
      String link = reports.isEmpty() ? null : dir.relativize(reports.get(0)).toString().replace('\\', '/');
      runs.add(new GridReport.Run(c.statsCell(), c.replicate(), c.name(), st, s == null ? "" : s.reason(), link));
      if (GridRun.COMPLETE.equals(st)) {
        for (Path f : GridRun.curveFiles(root, c)) {
          try {
            curves.computeIfAbsent(c.statsCell(), k -> new ArrayList<>()).addAll(MetricFiles.readCurve(f));
          } catch (RuntimeException e) {
            LOG.warn("grid report: the curve {} of cell {} is unreadable ({}); left out", f, c.name(), e.getMessage());
          }
        }
      }
    }
    GridReport.Input in = new GridReport.Input(title, grid.statsCells(), grid.baseline(), tables.summaries(),
        tables.comparisons(), GridResults.observations(grid, records), runs, curves);
    Path page = GridReport.write(dir, in);
    LOG.info("grid report written: {}", page.toUri());
    return page;
  }
}
