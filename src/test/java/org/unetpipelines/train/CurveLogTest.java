package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.records.CurvePoint;

class CurveLogTest {
  @Test
  void aGridCellsRunIdWithCommasIsQuotedAndReadBack(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("curve.csv");
    String run = "g/Train[filters=2,seed=1]/1";
    CurveLog log = CurveLog.create(csv);
    log.add(run, 1, 0, "train", "loss", 0.5, 1.0);
    log.add(run, 2, 0, "train", "loss", 0.25, 2.0);
    log.close();
    assertTrue(Files.readAllLines(csv).get(1).startsWith("\"g/Train[filters=2,seed=1]/1\",1,0,train,loss,0.5,"));
    List<CurvePoint> read = MetricFiles.readCurve(csv);
    assertEquals(run, read.get(0).getRun());
    assertEquals(0.25, read.get(1).getValue());
    // a resumed run keeps the points up to its checkpoint's step, run id intact
    CurveLog resumed = CurveLog.resume(csv, 1);
    assertEquals(1, resumed.points().size());
    assertEquals(run, resumed.points().get(0).getRun());
    resumed.close();
    assertEquals(List.of(read.get(0)), MetricFiles.readCurve(csv));
  }
}
