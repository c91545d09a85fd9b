package org.unetpipelines.engine.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.grid.GridFiles;
import org.unetpipelines.grid.Observation;
import org.unetpipelines.records.GridComparison;
import org.unetpipelines.records.MetricRecord;

class GridResultsTest {

  private static MetricRecord rec(String run, String split, String image, String metric, double v) {
    return MetricRecord.newBuilder().setRun(run).setModel("savedmodel").setVariant("final").setDataset("d")
        .setSplit(split).setImageId(image).setMetric(metric).setValue(v).build();
  }

  @Test
  void recordsOfBranchesBecomeObservationsAndTables(@TempDir Path dir) throws Exception {
    GridPlan g = GridExpansionTest.plan(GridExpansionTest.GRID.replace("  axes:", "  baseline: {sigma: 10.0}\n  axes:"))
        .grid().orElseThrow();
    List<MetricRecord> records = new ArrayList<>();
    double[][] iou = {{0.80, 0.82, 0.79}, {0.84, 0.85, 0.86}};
    String[] sigma = {"5.0", "10.0"};
    for (int s = 0; s < 2; s++) {
      for (int seed = 1; seed <= 3; seed++) {
        String run = "grid/Shards[sigma=" + sigma[s] + ",seed=" + seed + "]/" + seed;
        records.add(rec(run, "holdout", null, "iou", iou[s][seed - 1]));
        records.add(rec(run, "holdout", "img-1", "iou", 0.1)); // per image: not a run's value
      }
    }
    records.add(rec("grid/Raw", "holdout", null, "iou", 0.5)); // a shared stage: no cell
    assertEquals("sigma=5.0,seed=2",
        GridResults.cellOfRun(g, "grid/Shards[sigma=5.0,seed=2]/2").orElseThrow().name());
    List<Observation> obs = GridResults.observations(g, records);
    assertEquals(6, obs.size());
    assertEquals(new Observation("iou", "sigma=10.0", "3", 0.86), obs.get(5));

    GridResults.Tables t = GridResults.write(g, records, dir.resolve("grid"));
    assertEquals(2, t.summaries().size());
    assertEquals("sigma=5.0", t.summaries().get(0).getCell());
    assertEquals((0.80 + 0.82 + 0.79) / 3, t.summaries().get(0).getMean(), 1e-15);
    // against the baseline sigma=10.0; runs paired by seed
    assertEquals(List.of("welch_t", "paired_t", "wilcoxon"), t.comparisons().stream().map(GridComparison::getTest).toList());
    assertTrue(t.comparisons().stream().allMatch(c -> c.getCellA().equals("sigma=5.0") && c.getCellB().equals("sigma=10.0")));
    assertEquals(t.comparisons(), GridFiles.readComparisons(dir.resolve("grid")));
    assertTrue(Files.isRegularFile(dir.resolve("grid/summary.csv")));

    // a second split: metric names say which
    records.add(rec("grid/Shards[sigma=5.0,seed=1]/1", "train", null, "iou", 0.9));
    assertTrue(GridResults.observations(g, records).stream().anyMatch(o -> o.metric().equals("train/iou")));
    assertTrue(GridResults.observations(g, records).stream().anyMatch(o -> o.metric().equals("holdout/iou")));
  }

  @Test
  void theStatisticsDoNotDependOnTheOrderRecordsArriveIn() throws Exception {
    GridPlan g = GridExpansionTest.plan(GridExpansionTest.GRID.replace("  axes:", "  baseline: {sigma: 10.0}\n  axes:"))
        .grid().orElseThrow();
    List<MetricRecord> records = new ArrayList<>();
    java.util.Random r = new java.util.Random(7);
    for (String sigma : new String[] {"5.0", "10.0"}) {
      for (int seed = 1; seed <= 3; seed++) {
        String run = "grid/Shards[sigma=" + sigma + ",seed=" + seed + "]/" + seed;
        for (String metric : new String[] {"iou", "dice", "pixel_error"}) {
          // values whose floating-point sums depend on the order they are added in
          records.add(rec(run, "holdout", null, metric, 0.1 + r.nextDouble() * 1e-3 + (metric.equals("dice") ? 1e-17 * seed : 0)));
        }
      }
    }
    GridResults.Tables first = GridResults.compute(g, records);
    for (int shuffle = 0; shuffle < 5; shuffle++) {
      List<MetricRecord> shuffled = new ArrayList<>(records);
      java.util.Collections.shuffle(shuffled, new java.util.Random(shuffle));
      GridResults.Tables again = GridResults.compute(g, shuffled);
      // Avro records' equals compares every field bit for bit: the same bytes on every runner
      assertEquals(first.summaries(), again.summaries());
      assertEquals(first.comparisons(), again.comparisons());
      assertEquals(GridResults.observations(g, records), GridResults.observations(g, shuffled));
    }
  }

  @Test
  void aVariantTheGridVariesIsTheCellNotPartOfTheMetricButHeadsWithinARunAre() throws Exception {
    GridPlan g = GridExpansionTest.plan(GridExpansionTest.GRID).grid().orElseThrow();
    List<MetricRecord> records = new ArrayList<>();
    for (String sigma : new String[] {"5.0", "10.0"}) {
      String run = "grid/Shards[sigma=" + sigma + ",seed=1]/1";
      for (String head : new String[] {"L1", "L2"}) {
        records.add(MetricRecord.newBuilder(rec(run, "holdout", null, "iou", 0.5)).setVariant("s" + sigma + "/" + head)
            .build());
      }
      records.add(rec(run, "holdout", null, "v_rand_threshold", 0.4)); // a chosen threshold: left out
    }
    List<Observation> obs = GridResults.observations(g, records);
    assertEquals(List.of("L1/iou", "L2/iou", "L1/iou", "L2/iou"), obs.stream().map(Observation::metric).toList());
    assertEquals("a/b/", GridResults.commonPrefix(new java.util.TreeSet<>(List.of("a/b/L1", "a/b/L2"))));
    assertEquals("", GridResults.commonPrefix(new java.util.TreeSet<>(List.of("ab1", "ab2"))));
    assertEquals("", GridResults.commonPrefix(new java.util.TreeSet<>(List.of("a/b"))));
  }
}
