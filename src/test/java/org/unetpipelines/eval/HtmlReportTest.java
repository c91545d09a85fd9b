package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.MetricRecord;

class HtmlReportTest {
  @TempDir Path tmp;

  private static CurvePoint point(long step, int epoch, String split, String metric, double v) {
    return CurvePoint.newBuilder().setRun("r").setStep(step).setEpoch(epoch).setSplit(split).setMetric(metric)
        .setValue(v).setElapsedSeconds(step).build();
  }

  @Test
  void shortRunsArePlottedPerStepAndSinglePointsTabulated() throws Exception {
    List<CurvePoint> c = new ArrayList<>();
    for (int s = 0; s < 5; s++) {
      c.add(point(s, 0, "train", "loss", 1.0 / (s + 1)));
    }
    c.add(point(4, 0, "validation", "final_iou", 0.625));
    Path page = HtmlReport.write(tmp, "t", List.of(), c, List.of());
    String html = Files.readString(page);
    assertTrue(html.contains("<figcaption>loss per step (all points are in one epoch)</figcaption>"), html);
    assertTrue(html.contains("<td class=l>final_iou</td><td>4</td><td>0</td><td>0.6250</td>"), html);
    assertEquals(1, html.split("data:image/png;base64,", -1).length - 1);
    assertTrue(html.contains("No aggregate metric records."));
  }

  private static MetricRecord agg(String metric, double v, Double std) {
    return MetricRecord.newBuilder().setRun("r").setModel("unet").setVariant("v").setDataset("isbi")
        .setSplit("validation").setImageId(null).setMetric(metric).setValue(v).setN(4).setStd(std).build();
  }

  @Test
  void challengeScoresGetTheirOwnTableWithThresholds() throws Exception {
    List<MetricRecord> m = List.of(agg("v_rand", 0.9712, 0.01), agg("v_rand_threshold", 0.5, null),
        agg("pixel_error", 0.0611, null), agg("pixel_error_threshold", 0.4, null), agg("iou", 0.86, 0.02));
    String html = Files.readString(HtmlReport.write(tmp, "t", m, List.of(), List.of()));
    assertTrue(html.contains("<h2>ISBI challenge scores</h2>"), html);
    assertTrue(html.contains("<td class=l>r / v / isbi / validation</td><td>0.9712 (t 0.5)</td><td></td><td></td>"
        + "<td>0.0611 (t 0.4)</td><td></td><td>4</td>"), html);
    // thresholds are not repeated as metrics in the aggregate table; the scores and other metrics are
    assertTrue(!html.contains("<td class=l>v_rand_threshold</td>"), html);
    assertTrue(html.contains("<td class=l>v_rand</td><td>0.9712</td>"), html);
    assertTrue(html.contains("<td class=l>iou</td><td>0.8600</td>"), html);
  }

  @Test
  void trainingPicturesAreShownEvenlySpacedWithTheLastOne() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("train/pictures"));
    byte[] png = org.unetpipelines.image.ImageCodec.encodePng(org.unetpipelines.image.ImageArray.zeros(4, 4, 3,
        org.unetpipelines.image.ImageArray.Depth.U8));
    for (int e = 0; e < 23; e++) {
      Files.write(dir.resolve(String.format("epoch-%04d-redraw.png", e)), png);
    }
    Files.write(dir.resolve("final-redraw.png"), png);
    Files.writeString(dir.resolve("notes.txt"), "not a picture");
    List<HtmlReport.Picture> got = HtmlReport.readPictures(dir, "run1");
    // 24 pictures, 12 shown: indexes round(i * 23 / 11)
    assertEquals(HtmlReport.MAX_PICTURES, got.size());
    assertEquals("epoch-0000-redraw", got.get(0).name());
    assertEquals("epoch-0002-redraw", got.get(1).name());
    assertEquals("epoch-0021-redraw", got.get(10).name());
    assertEquals("final-redraw", got.get(11).name());
    assertEquals("run1", got.get(0).run());
    assertTrue(HtmlReport.readPictures(tmp.resolve("none"), "r").isEmpty());
    String html = Files.readString(HtmlReport.write(tmp.resolve("page"), "t", List.of(), List.of(), got, List.of()));
    assertTrue(html.contains("<h2>Validation pictures per epoch</h2>"), html);
    assertTrue(html.contains("<figcaption>run1: final-redraw</figcaption>"), html);
    assertEquals(12, html.split("data:image/png;base64,", -1).length - 1);
  }
}
