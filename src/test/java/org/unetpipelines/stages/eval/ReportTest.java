package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.eval.HtmlReport;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.TinySavedModel;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.records.Coders;

class ReportTest {
  @TempDir Path tmp;

  static Path curveCsv(Path dir) throws Exception {
    StringBuilder csv = new StringBuilder("run,step,epoch,split,metric,value,elapsedSeconds\n");
    for (int e = 0; e < 5; e++) {
      csv.append("r1,").append(2 * e).append(',').append(e).append(",train,loss,").append(1.0 / (e + 1)).append(",1.5\n");
      csv.append("r1,").append(2 * e + 1).append(',').append(e).append(",train,loss,").append(0.8 / (e + 1)).append(",2\n");
      csv.append("r1,").append(2 * e + 1).append(',').append(e).append(",validation,iou,").append(0.5 + e * 0.05)
          .append(",2\n");
    }
    return Files.writeString(dir.resolve("curve.csv"), csv);
  }

  @Test
  void evaluateThenReportWritesOneSelfContainedPage() throws Exception {
    ModelSpec spec = TinySavedModel.export(tmp.resolve("model"));
    Path curve = curveCsv(tmp);
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    Coders.register(p);
    PCollection<MetricRecord> metrics = p
        .apply(Create.of(EvaluateTest.segSample("a", 20, 20, 1), EvaluateTest.segSample("b", 16, 24, 2),
            EvaluateTest.segSample("c", 12, 12, 3)).withCoder(Coders.sample()))
        .apply(Evaluate.model(spec, "r1").writeTo(tmp.resolve("eval").toString())).metrics();
    Path reportDir = tmp.resolve("report");
    PCollection<String> page = metrics.apply(Report.to(reportDir.toString()).withTitle("Tiny <test>")
        .withCurves(List.of(curve.toString())).withOverlays(tmp.resolve("eval/overlays").toString()).withSamples(2));
    PAssert.that(page).containsInAnyOrder(reportDir.resolve(HtmlReport.FILE).toString());
    p.run().waitUntilFinish();

    String html = Files.readString(reportDir.resolve(HtmlReport.FILE));
    assertTrue(html.contains("<title>Tiny &lt;test&gt;</title>"), "title is escaped");
    assertTrue(html.contains("<td class=l>pixel_error</td>"));
    assertTrue(html.contains("<td class=l>adapted_rand_error</td>"));
    assertTrue(html.contains("false negative"));
    // 2 curve charts (loss, iou) + 2 samples x (overlay + probability); nothing refers outside the page.
    assertEquals(2 + 2 * 2, html.split("data:image/png;base64,", -1).length - 1);
    assertTrue(html.contains("r1__a"));
    assertTrue(!html.contains("r1__c"), "only the first 2 samples");
    assertTrue(!html.contains("src=\"http") && !html.contains("<script"));
  }

  @Test
  void curveCsvIsParsedAndBadOnesAreRejected() throws Exception {
    List<CurvePoint> points = MetricFiles.readCurve(curveCsv(tmp));
    assertEquals(15, points.size());
    assertEquals(0.8 / 3, points.stream().filter(q -> q.getStep() == 5 && q.getMetric().equals("loss"))
        .findFirst().orElseThrow().getValue(), 1e-12);
    Path bad = Files.writeString(tmp.resolve("bad.csv"), "run,step,epoch,metric,value\nr,1,0,loss,1\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricFiles.readCurve(bad));
    assertTrue(e.getMessage().contains("has no column 'split'"), e.getMessage());
    Path badValue = Files.writeString(tmp.resolve("bad2.csv"), "run,step,epoch,split,metric,value\nr,1,0,train,loss,x\n");
    e = assertThrows(IllegalArgumentException.class, () -> MetricFiles.readCurve(badValue));
    assertTrue(e.getMessage().contains("bad2.csv line 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Report.to("/tmp/r").withSamples(101));
    assertTrue(e.getMessage().contains("samples must be 0..100, got 101"), e.getMessage());
  }

  @Test
  void reportCommandReadsEvaluateOutput() throws Exception {
    MetricsCommandTest.Run r = MetricsCommandTest.run(new ReportCommand(),
        "--metrics", tmp.resolve("nothing").toString(), "--out", tmp.resolve("r").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no metrics file " + tmp.resolve("nothing")), r.err());
    MetricFiles.write(tmp.resolve("eval"), List.of(MetricRecord.newBuilder().setRun("r").setModel("m")
        .setVariant("v").setDataset("d").setSplit("s").setMetric("iou").setValue(0.75).setN(1).build()));
    r = MetricsCommandTest.run(new ReportCommand(), "--metrics", tmp.resolve("eval").toString(),
        "--curves", curveCsv(tmp).toString(), "--out", tmp.resolve("r").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(tmp.resolve("r/report.html").toString(), r.out().strip());
    String html = Files.readString(tmp.resolve("r/report.html"));
    assertTrue(html.contains("<td class=l>iou</td><td>0.7500</td>"), html);
    assertTrue(html.contains("No overlays were written"));
  }
}
