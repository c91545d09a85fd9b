package org.unetpipelines.engine.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.engine.OutputRoot;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.PipelineRun;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.grid.GridFiles;
import org.unetpipelines.grid.GridStatistics;
import org.unetpipelines.records.GridComparison;
import org.unetpipelines.records.GridSummary;
import org.unetpipelines.runners.RunnerProfiles;

/** A grid run end to end on the DirectRunner: tiny synthetic images, a tiny U-Net, a few steps. */
class GridRunTest {
  /** 2 cells (filters 2 | 4) x 2 seeds; Train at line 7. */
  private static final String GRID = String.join("\n",
      "pipeline:",
      "  transforms:",
      "    - {type: SyntheticImages, name: Images, config: {kind: ellipses, count: 4, height: 32, width: 32}}",
      "    - {type: SyntheticImages, name: Holdout, config: {kind: ellipses, count: 2, start: 100, height: 32, width: 32}}",
      "    - {type: WriteAvro, name: Shards, input: Images, config: {path: shards, shards: 1}}",
      "    - type: Train",
      "      input: Shards",
      "      config: {path: model, model: {family: unet, depth: 1, filters: 2}, height: 32, width: 32, steps: 3,",
      "               batch: 2, threads: 1, log_every: 1, resume: false}",
      "    - type: Evaluate",
      "      input: [Train, Holdout]",
      "      config: {dataset: synth, split: holdout, path: eval, overlays: false}",
      "grid:",
      "  baseline: {filters: 2}",
      "  axes:",
      "    Train.config.model.filters: [2, 4]",
      "    options.seed: [1, 2]",
      "options: {seed: 5}",
      "");

  private static PipelinePlan plan(String yaml, String... sets) throws Exception {
    return PipelinePlan.validate(PipelineFile.parse("g.yaml", yaml, List.of(sets)), StageRegistry.load());
  }

  private record Ran(PipelineRun.Summary summary, String console) {}

  private static Ran run(PipelinePlan plan, Path out) throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PipelineRun.Summary s = PipelineRun.run(plan, RunnerProfiles.options("direct", Map.of()), "direct", out,
        new PrintStream(console, true, StandardCharsets.UTF_8), 1000);
    String text = console.toString(StandardCharsets.UTF_8);
    assertTrue(s.succeeded(), text);
    return new Ran(s, text);
  }

  @Test
  void aGridRunWritesItsStatisticsAndTheSameNumbersTwice(@TempDir Path dir) throws Exception {
    PipelinePlan plan = plan(GRID);
    Path a = dir.resolve("a");
    run(plan, a);
    Path g = a.resolve("grid");
    // the comparisons' columns, exactly as the issue names them
    assertEquals("metric,cell_a,cell_b,n_a,n_b,mean_a,mean_b,diff,test,statistic,p_value,p_holm,effect_size",
        Files.readAllLines(g.resolve("comparisons.csv")).get(0));
    for (String f : List.of("summary.csv", "summary.jsonl", "summary.avro", "comparisons.jsonl", "comparisons.avro",
        "cells.csv", "cells.json")) {
      assertTrue(Files.isRegularFile(g.resolve(f)), f);
    }
    List<GridSummary> summaries = GridFiles.readSummaries(g);
    List<GridComparison> comparisons = GridFiles.readComparisons(g);
    // per metric: the two cells, each over its two seeds
    GridSummary iou2 = summaries.stream().filter(s -> s.getMetric().equals("iou") && s.getCell().equals("filters=2"))
        .findFirst().orElseThrow(() -> new AssertionError(summaries.toString()));
    assertEquals(2, iou2.getN());
    assertTrue(iou2.getMean() >= 0 && iou2.getMean() <= 1, iou2.toString());
    assertTrue(summaries.stream().anyMatch(s -> s.getMetric().equals("iou") && s.getCell().equals("filters=4")));
    assertTrue(summaries.stream().allMatch(s -> s.getCell().equals("filters=2") || s.getCell().equals("filters=4")));
    // the run's value of a cell is the Evaluate aggregate of that cell's run: the mean of the two seeds' values
    double seed1 = aggregate(a, "filters=2,seed=1", "iou");
    double seed2 = aggregate(a, "filters=2,seed=2", "iou");
    assertEquals((seed1 + seed2) / 2, iou2.getMean(), 1e-12);
    // against the baseline filters=2, paired by seed: Welch, paired t and Wilcoxon per metric
    List<GridComparison> iou = comparisons.stream().filter(c -> c.getMetric().equals("iou")).toList();
    assertEquals(List.of(GridStatistics.WELCH, GridStatistics.PAIRED, GridStatistics.WILCOXON),
        iou.stream().map(GridComparison::getTest).toList());
    for (GridComparison c : iou) {
      assertEquals("filters=4", c.getCellA());
      assertEquals("filters=2", c.getCellB());
      assertEquals(2, c.getNA());
      assertEquals(c.getMeanA() - c.getMeanB(), c.getDiff(), 1e-12);
      if (c.getPValue() != null) {
        assertTrue(c.getPValue() >= 0 && c.getPValue() <= 1 && c.getPHolm() >= c.getPValue(), c.toString());
      }
    }
    // the grid's report: a row per cell, the baseline named
    String report = Files.readString(g.resolve("report/report.html"));
    assertTrue(report.contains("filters=2 (baseline)") && report.contains("<td class=l>filters=4</td>"), report);
    assertTrue(report.contains("<img alt=\"iou per run\""), "a strip plot of iou");
    assertTrue(report.matches("(?s).*<img alt=\"loss per (epoch|step)\".*"), "the cells' training curves");
    // every cell complete, in the run summary too
    JsonNode rs = new ObjectMapper().readTree(a.resolve("run-summary.json").toFile());
    assertEquals(4, rs.get("grid_cells").size());
    rs.get("grid_cells").forEach(c -> assertEquals("complete", c.get("status").asText(), c.toString()));

    // the same grid again, into another root: the same numbers, byte for byte
    Path b = dir.resolve("b");
    run(plan, b);
    for (String f : List.of("summary.csv", "comparisons.csv", "summary.avro", "comparisons.avro")) {
      assertEquals(Files.readString(g.resolve(f), StandardCharsets.ISO_8859_1),
          Files.readString(b.resolve("grid").resolve(f), StandardCharsets.ISO_8859_1), f);
    }
  }

  private static double aggregate(Path root, String cell, String metric) {
    return org.unetpipelines.eval.MetricFiles.readMetrics(root.resolve("grid/" + cell + "/eval")).stream()
        .filter(r -> r.getImageId() == null && r.getMetric().equals(metric)).findFirst().orElseThrow().getValue();
  }

  /** Cell height=64 gets samples smaller than its input: its training fails at run time (validation cannot know). */
  private static final String FAILING = GRID.replace("  baseline: {filters: 2}\n", "")
      .replace("    Train.config.model.filters: [2, 4]\n    options.seed: [1, 2]", "    Train.config.height: [32, 64]");

  @Test
  void aFailedCellIsReportedAndAResumedGridSkipsTheFinishedCell(@TempDir Path dir) throws Exception {
    PipelinePlan plan = plan(FAILING);
    Path out = dir.resolve("o");
    Ran first = run(plan, out);
    assertTrue(first.console().contains("height=64"), first.console());
    // the failed cell: its reason in cells.csv, the run summary and its marker; the other cell's results kept
    JsonNode rs = new ObjectMapper().readTree(out.resolve("run-summary.json").toFile());
    JsonNode cells = rs.get("grid_cells");
    assertEquals("height=32", cells.get(0).get("cell").asText());
    assertEquals("complete", cells.get(0).get("status").asText());
    assertEquals("failed", cells.get(1).get("status").asText());
    String reason = cells.get(1).get("reason").asText();
    assertTrue(reason.startsWith("Train[height=64]: training failed: ") && reason.contains("smaller than the 64x32 input"),
        reason);
    assertTrue(Files.readString(out.resolve("grid/cells.csv")).contains("height=64,failed,false,5,0,1,"),
        Files.readString(out.resolve("grid/cells.csv")));
    assertTrue(Files.readString(out.resolve("_deadletters/deadletters.jsonl")).contains("Train[height=64]"));
    List<GridSummary> summaries = GridFiles.readSummaries(out.resolve("grid"));
    assertFalse(summaries.isEmpty());
    assertTrue(summaries.stream().allMatch(s -> s.getCell().equals("height=32") && s.getN() == 1), summaries.toString());
    assertTrue(GridFiles.readComparisons(out.resolve("grid")).isEmpty(), "one complete cell: nothing to compare");

    // resume: the finished cell is not trained again, the failed one is tried again
    Path marker = out.resolve("grid/height=32/_cell/cell.json");
    Path model = out.resolve("grid/height=32/model/model.json");
    FileTime old = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(marker, old);
    Files.setLastModifiedTime(model, old);
    String summaryBefore = Files.readString(out.resolve("grid/summary.csv"));
    assertEquals(java.util.Set.of("height=32"), GridRun.completedCells(plan.grid().orElseThrow(), new OutputRoot(out)));
    Ran second = run(plan, out);
    assertTrue(second.console().contains("1 of 2 cells are complete from an earlier run"), second.console());
    assertEquals(old, Files.getLastModifiedTime(model), "the finished cell was trained again");
    assertEquals(old, Files.getLastModifiedTime(marker));
    assertFalse(second.summary().stages().containsKey("Train[height=32]"), "its stages are not built");
    assertFalse(second.summary().stages().containsKey("Evaluate[height=32]"));
    assertTrue(second.summary().stages().containsKey("Train[height=64]"));
    JsonNode again = new ObjectMapper().readTree(out.resolve("run-summary.json").toFile()).get("grid_cells");
    assertTrue(again.get(0).get("resumed").asBoolean());
    assertEquals("failed", again.get(1).get("status").asText());
    assertEquals(summaryBefore, Files.readString(out.resolve("grid/summary.csv")), "the resumed cell's numbers are kept");

    // a changed config is another run: no cell counts as finished
    PipelinePlan changed = plan(FAILING, "Train.config.steps=4");
    assertEquals(java.util.Set.of(), GridRun.completedCells(changed.grid().orElseThrow(), new OutputRoot(out)));
    assertNotNull(GridRun.readMarker(new OutputRoot(out), changed.grid().orElseThrow().cells().get(0)));
  }

  /** How many trainings ran at once at most, with and without max_parallel. */
  private static long concurrentTrainings(PipelinePlan plan, Path out) throws Exception {
    org.unetpipelines.engine.PreparedPipeline prepared = org.unetpipelines.engine.PreparedPipeline.prepare(plan,
        out.toString(), RunnerProfiles.options("direct", Map.of()));
    org.apache.beam.sdk.PipelineResult r = prepared.pipeline().run();
    r.waitUntilFinish();
    var q = r.metrics().queryMetrics(org.apache.beam.sdk.metrics.MetricsFilter.builder()
        .addNameFilter(org.apache.beam.sdk.metrics.MetricNameFilter.named(
            org.unetpipelines.stages.train.TrainCells.class, org.unetpipelines.stages.train.TrainCells.CONCURRENT))
        .build());
    long max = 0;
    for (var d : q.getDistributions()) {
      max = Math.max(max, d.getAttempted().getMax());
    }
    return max;
  }

  @Test
  void cellsTrainAsElementsOfOneCollectionAtMostMaxParallelAtOnce(@TempDir Path dir) throws Exception {
    String twoCells = GRID.replace("    options.seed: [1, 2]\n", "");
    assertEquals(2, concurrentTrainings(plan(twoCells), dir.resolve("free")), "both cells train at once");
    PipelinePlan bounded = plan(twoCells.replace("  axes:", "  max_parallel: 1\n  axes:"));
    assertEquals(1, bounded.grid().orElseThrow().maxParallel());
    assertEquals(1, concurrentTrainings(bounded, dir.resolve("one")), "max_parallel 1: one after the other");
    for (String c : List.of("filters=2", "filters=4")) {
      assertEquals(GridRun.COMPLETE, GridRun.readMarker(new OutputRoot(dir.resolve("one")),
          bounded.grid().orElseThrow().cells().stream().filter(x -> x.name().equals(c)).findFirst().orElseThrow())
          .status());
    }
    // max_parallel must be a count
    for (String bad : List.of("0", "two", "[1]")) {
      org.unetpipelines.engine.ValidationException e = org.junit.jupiter.api.Assertions.assertThrows(
          org.unetpipelines.engine.ValidationException.class,
          () -> plan(twoCells.replace("  axes:", "  max_parallel: " + bad + "\n  axes:")));
      assertTrue(e.getMessage().contains("'grid.max_parallel' must be an integer 1..1000"), e.getMessage());
    }
  }

  @Test
  void aCellWhoseEvaluationFailsIsReportedAndTheOtherKept(@TempDir Path dir) throws Exception {
    // the shared Train's U-Net serves one head: asking for L2 fails at run time, in that cell only
    String yaml = GRID.replace("  baseline: {filters: 2}\n", "")
        .replace("    Train.config.model.filters: [2, 4]\n    options.seed: [1, 2]", "    Evaluate.config.head: [~, L2]");
    PipelinePlan plan = plan(yaml);
    assertEquals(List.of("Images", "Holdout", "Shards", "Train"), plan.grid().orElseThrow().sharedStages());
    Path out = dir.resolve("o");
    run(plan, out);
    JsonNode cells = new ObjectMapper().readTree(out.resolve("run-summary.json").toFile()).get("grid_cells");
    assertEquals("head=null", cells.get(0).get("cell").asText());
    assertEquals("complete", cells.get(0).get("status").asText(), cells.toString());
    assertEquals("failed", cells.get(1).get("status").asText(), cells.toString());
    String reason = cells.get(1).get("reason").asText();
    assertTrue(reason.startsWith("Evaluate[head=L2]: evaluation failed: ") && reason.contains("L2"), reason);
    assertTrue(GridFiles.readSummaries(out.resolve("grid")).stream().allMatch(s -> s.getCell().equals("head=null")));
  }
}
