package org.unetpipelines.stages.eval;

import com.google.auto.service.AutoService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.unetpipelines.engine.cli.CliCommand;
import org.unetpipelines.eval.HtmlReport;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.MetricRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines report --metrics out/eval --curves out/train/curve.csv --out out/report}:
 * the HTML report from files an earlier run wrote; prints the page's path.
 */
@AutoService(CliCommand.class)
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Write one self-contained HTML report (metrics, training curves, overlays) from an Evaluate output.")
public final class ReportCommand implements CliCommand, Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--metrics", required = true,
      description = "Evaluate's output folder (holding metrics.avro and overlays/) or a metrics.avro file.")
  Path metrics;

  @Option(names = "--curves", description = "Training-curve file(s): CSV (run,step,epoch,split,metric,value,"
      + "elapsedSeconds) or Avro of CurvePoint; the pictures/ beside a training curve are shown too. Repeatable.")
  List<Path> curves = new ArrayList<>();

  @Option(names = "--overlays", description = "Overlays folder; default: overlays/ next to the metrics.")
  Path overlays;

  @Option(names = "--samples", defaultValue = "4", description = "Overlays to show, 0..100; default ${DEFAULT-VALUE}.")
  int samples;

  @Option(names = "--title", defaultValue = "unet-pipelines report", description = "Page title.")
  String title;

  @Option(names = "--out", required = true, description = "Output folder for report.html.")
  Path out;

  @Override
  public Integer call() {
    try {
      if (samples < 0 || samples > 100) {
        throw new IllegalArgumentException("--samples must be 0..100, got " + samples);
      }
      List<MetricRecord> records = MetricFiles.readMetrics(metrics);
      List<CurvePoint> points = new ArrayList<>();
      List<HtmlReport.Picture> pictures = new ArrayList<>();
      for (Path c : curves) {
        points.addAll(MetricFiles.readCurve(c));
        pictures.addAll(Report.picturesBeside(c, null));
      }
      Path evalDir = Files.isDirectory(metrics) ? metrics : metrics.toAbsolutePath().getParent();
      Path overlayDir = overlays != null ? overlays : evalDir.resolve(Evaluate.OVERLAYS);
      Path page = HtmlReport.write(out, title, records, points, pictures, HtmlReport.readOverlays(overlayDir, samples));
      spec.commandLine().getOut().println(page.toAbsolutePath());
      spec.commandLine().getOut().flush();
      return 0;
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      spec.commandLine().getErr().println("report: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 2;
    }
  }
}
