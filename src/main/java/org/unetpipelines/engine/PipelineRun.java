package org.unetpipelines.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.unetpipelines.engine.grid.GridCell;
import org.unetpipelines.engine.grid.GridRun;
import org.unetpipelines.runners.JobReport;

/**
 * Builds and runs a validated pipeline, printing progress (elements out per stage, elapsed) while it
 * runs and a summary at the end, which is also written to {@code <out>/run-summary.json}.
 */
public final class PipelineRun {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineRun.class);

  /** Per stage: elements out, dead letters, and for readers the inputs read. */
  public record StageCounts(String type, long out, long deadLettered, Long read) {}

  /**
   * What a run did.
   *
   * @param cells for a grid: each cell's status ({@code grid/cells.json}: cell, status, resumed, seed,
   *     records, dead_letters, reason); empty otherwise
   */
  public record Summary(String pipeline, String runner, String state, double seconds, Path outputRoot,
      Map<String, StageCounts> stages, List<Map<String, Object>> cells) {
    public Summary {
      cells = List.copyOf(cells);
    }

    public boolean succeeded() {
      return "DONE".equals(state) || SUBMITTED.equals(state);
    }
  }

  /** The state of a run that submitted its job to a Flink cluster and did not wait for it. */
  public static final String SUBMITTED = "SUBMITTED";

  private PipelineRun() {}

  /** Prepares ({@link PreparedPipeline#prepare}) and runs {@code plan} with its output root at {@code outputRoot}. */
  public static Summary run(PipelinePlan plan, PipelineOptions options, String runnerName, Path outputRoot,
      PrintStream console, long progressMillis) throws ValidationException, IOException {
    return run(PreparedPipeline.prepare(plan, outputRoot.toString(), options), runnerName, console, progressMillis);
  }

  /**
   * Runs a prepared pipeline: takes the output root's {@link RunLock} (a root in use is a
   * {@link RunLock.InUseException}), removes the previous run's dead letters, runs, writes the
   * summary and releases the lock.
   */
  public static Summary run(PreparedPipeline prepared, String runnerName, PrintStream console, long progressMillis)
      throws ValidationException, IOException {
    if (progressMillis <= 0) {
      throw new IllegalArgumentException("progress interval must be > 0 ms, got " + progressMillis);
    }
    PipelinePlan plan = prepared.plan();
    OutputRoot root = prepared.root();
    try {
      Files.createDirectories(root.path());
    } catch (IOException e) {
      throw new ValidationException(List.of(new PipelineError(plan.file(), 0, null,
          "cannot create the output root " + root + ": " + e)));
    }
    try (RunLock lock = RunLock.acquire(root, plan.file(), console)) {
      // a run without dead letters must not leave the previous run's file behind
      Files.deleteIfExists(root.resolve(PipelineBuilder.DEAD_LETTER_FILE));
      if (plan.grid().isPresent()) {
        // cells that run now lose their old marker first: a run that stops half way leaves none behind
        GridRun.clearMarkers(plan.grid().get(), root, prepared.built().resumedCells());
        if (!prepared.built().resumedCells().isEmpty()) {
          console.printf("grid: %d of %d cells are complete from an earlier run into %s and are not run again: %s%n",
              prepared.built().resumedCells().size(), plan.grid().get().cells().size(), root,
              String.join("; ", prepared.built().resumedCells()));
        }
      }
      return runLocked(prepared, runnerName, console, progressMillis);
    }
  }

  private static Summary runLocked(PreparedPipeline prepared, String runnerName, PrintStream console,
      long progressMillis) throws IOException {
    PipelinePlan plan = prepared.plan();
    OutputRoot root = prepared.root();
    Pipeline p = prepared.pipeline();
    PipelineOptions options = p.getOptions();
    Set<String> built = prepared.built().outputs().keySet();
    console.printf("Running %s (%d stages) on %s; outputs under %s%n", plan.name(), plan.stages().size(), runnerName,
        root);
    long start = System.nanoTime();
    PipelineResult result;
    PipelineResult.State state;
    try {
      result = p.run();
      JobReport job = JobReport.of(options, console); // Flink cluster: job id, web UI, REST progress
      job.submitted();
      if (!job.follow()) {
        console.println("submitted detached; follow it in the web UI");
        Summary s = new Summary(plan.name(), runnerName, SUBMITTED, seconds(start), root.path(), Map.of(), List.of());
        write(root, s);
        return s;
      }
      state = result.getState();
      while (state == null || !state.isTerminal()) {
        state = job.waitUntilFinish(result, progressMillis);
        if (state == null || !state.isTerminal()) {
          console.println(progressLine(plan, result, seconds(start), built) + (job.isCluster() ? " | " + job.progress() : ""));
        }
      }
      job.ended();
    } catch (RuntimeException e) {
      double secs = seconds(start);
      console.printf("FAILED after %.1f s: %s%n", secs, rootMessage(e));
      LOG.error("pipeline failed", e);
      Summary s = new Summary(plan.name(), runnerName, "FAILED", secs, root.path(), Map.of(), List.of());
      write(root, s);
      return s;
    }
    double secs = seconds(start);
    Map<String, StageCounts> counts = counts(plan, result, built);
    Summary s = new Summary(plan.name(), runnerName, state.toString(), secs, root.path(), counts,
        plan.grid().isPresent() ? GridRun.readCells(root) : List.of());
    printSummary(console, s);
    write(root, s);
    return s;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + t + ")";
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static String progressLine(PipelinePlan plan, PipelineResult result, double secs, Set<String> built) {
    StringBuilder sb = new StringBuilder(String.format("[%6.1fs]", secs));
    try {
      Map<String, StageCounts> c = counts(plan, result, built);
      c.forEach((name, sc) -> sb.append(' ').append(name).append('=').append(sc.out()));
    } catch (RuntimeException e) {
      sb.append(" running");
    }
    return sb.toString();
  }

  static Map<String, StageCounts> counts(PipelinePlan plan, PipelineResult result, Set<String> built) {
    MetricQueryResults q = result.metrics().queryMetrics(MetricsFilter.builder().build());
    Map<String, Map<String, Long>> byNs = new LinkedHashMap<>();
    for (MetricResult<Long> c : q.getCounters()) {
      long v;
      try {
        v = c.getCommitted();
      } catch (UnsupportedOperationException e) {
        v = c.getAttempted();
      }
      byNs.computeIfAbsent(c.getName().getNamespace(), k -> new LinkedHashMap<>())
          .merge(c.getName().getName(), v, Long::sum);
    }
    Map<String, StageCounts> out = new LinkedHashMap<>();
    for (PipelinePlan.StagePlan sp : plan.stages()) {
      if (!built.contains(sp.name())) {
        continue; // a grid cell complete from an earlier run
      }
      Map<String, Long> m = byNs.getOrDefault(sp.name(), Map.of());
      out.put(sp.name(), new StageCounts(sp.type(), m.getOrDefault(PipelineBuilder.OUT, 0L),
          m.getOrDefault(PipelineBuilder.DEAD, 0L), m.get("read")));
    }
    return out;
  }

  private static void printSummary(PrintStream console, Summary s) {
    console.printf("%s in %.1f s%n", s.state(), s.seconds());
    console.printf("  %-24s %-18s %10s %14s%n", "stage", "type", "out", "dead-lettered");
    s.stages().forEach((name, c) -> {
      console.printf("  %-24s %-18s %10d %14d%n", name, c.type(), c.out(), c.deadLettered());
      if (c.read() != null) {
        boolean ok = c.read() == c.out() + c.deadLettered();
        console.printf("  %-24s read %d = written %d + dead-lettered %d%s%n", "", c.read(), c.out(), c.deadLettered(),
            ok ? "" : "  <-- MISMATCH: inputs unaccounted for");
      }
    });
    long dead = s.stages().values().stream().mapToLong(StageCounts::deadLettered).sum();
    if (dead > 0) {
      console.printf("  %d input(s) dead-lettered: see %s%n", dead, s.outputRoot().resolve(PipelineBuilder.DEAD_LETTER_FILE));
    }
    if (!s.cells().isEmpty()) {
      console.printf("  grid cells (%s/%s.csv):%n", GridCell.FOLDER, GridRun.CELLS);
      for (Map<String, Object> c : s.cells()) {
        boolean resumed = Boolean.TRUE.equals(c.get("resumed"));
        String reason = String.valueOf(c.getOrDefault("reason", ""));
        console.printf("  %-40s %-9s%s%s%n", c.get("cell"), c.get("status"), resumed ? " (from an earlier run)" : "",
            GridRun.FAILED.equals(c.get("status")) && !reason.isEmpty() ? ": " + reason : "");
      }
    }
    console.printf("Outputs: %s (summary: %s)%n", s.outputRoot(), PipelineBuilder.RUN_SUMMARY);
  }

  private static void write(OutputRoot root, Summary s) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pipeline", s.pipeline());
    m.put("runner", s.runner());
    m.put("state", s.state());
    m.put("seconds", s.seconds());
    m.put("stages", s.stages());
    if (!s.cells().isEmpty()) {
      m.put("grid_cells", s.cells());
    }
    Path file;
    try {
      file = root.resolve(PipelineBuilder.RUN_SUMMARY); // resolved again: a link made during the run is refused too
    } catch (IllegalArgumentException e) {
      LOG.error("run summary not written: {}", e.getMessage());
      return;
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), m);
  }
}
