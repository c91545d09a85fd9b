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
}
