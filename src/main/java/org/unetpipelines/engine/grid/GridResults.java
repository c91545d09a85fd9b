package org.unetpipelines.engine.grid;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.unetpipelines.grid.GridFiles;
import org.unetpipelines.grid.GridStatistics;
import org.unetpipelines.grid.Observation;
import org.unetpipelines.records.GridComparison;
import org.unetpipelines.records.GridSummary;
import org.unetpipelines.records.MetricRecord;

/**
 * From a grid's metric records to its statistics files: which cell and run a record belongs to
 * (its run id names the branch stage that produced the model, e.g. {@code pipe/Train[family=unet,seed=2]/2}),
 * and the tables of {@link GridStatistics} over them, written by {@link GridFiles}.
 */
public final class GridResults {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GridResults.class);

  private GridResults() {}

  /** The two tables. */
  public record Tables(List<GridSummary> summaries, List<GridComparison> comparisons) {}

  /**
   * What the statistics need of a {@link GridPlan}, serializable (it travels inside the DoFn that
   * writes them): the cells, which branch stage belongs to which cell, the statistics' cells in
   * order, the baseline and the seed.
   */
  public record Layout(List<GridCell> cells, Map<String, GridCell> cellOfStage, List<String> statsCells,
      String baseline, long baseSeed) implements Serializable {
    private static final long serialVersionUID = 1L;

    public Layout {
      cells = List.copyOf(cells);
      cellOfStage = Map.copyOf(cellOfStage);
      statsCells = List.copyOf(statsCells);
    }

    public static Layout of(GridPlan g) {
      Map<String, GridCell> byStage = new HashMap<>();
      for (GridCell c : g.cells()) {
        g.branchStages().forEach(s -> byStage.put(c.stageName(s), c));
      }
      return new Layout(g.cells(), byStage, g.statsCells(), g.baseline().orElse(null), g.baseSeed());
    }

    public Optional<String> baselineCell() {
      return Optional.ofNullable(baseline);
    }
  }

  /** The cell whose branch a run id comes from: a '/'-separated part of it is a branch stage's name. */
  public static Optional<GridCell> cellOfRun(GridPlan grid, String run) {
    return cellOfRun(Layout.of(grid), run);
  }

  public static Optional<GridCell> cellOfRun(Layout grid, String run) {
    for (String part : run.split("/")) {
      GridCell c = grid.cellOfStage().get(part);
      if (c != null) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * One observation per aggregate record (imageId null) of a branch: metric, the record's statistics
   * cell, its replicate value and its value (the mean over images). Records of shared stages and
   * per-image records and the thresholds stack scores chose ({@code v_rand_threshold}) are left out.
   * Where the records of one run differ in model, variant, dataset or split (several Evaluate stages),
   * the metric name is prefixed by the part that differs, e.g. {@code holdout/iou} or {@code L2/iou}.
   */
  public static List<Observation> observations(GridPlan grid, Collection<MetricRecord> records) {
    return observations(Layout.of(grid), records);
  }

  public static List<Observation> observations(Layout grid, Collection<MetricRecord> records) {
    List<MetricRecord> agg = new ArrayList<>();
    for (MetricRecord r : records) {
      // a threshold a stack score chose is a setting, not a result
      if (r.getImageId() == null && !isThreshold(r.getMetric()) && cellOfRun(grid, r.getRun()).isPresent()) {
        agg.add(r);
      }
    }
    // What a metric name needs besides the metric: the dimensions that differ WITHIN a run (several
    // Evaluate stages of one cell: splits, datasets, heads), by the part that differs there. What
    // differs only between cells (a model variant the grid varies) is the cell, not the metric.
    List<Function<MetricRecord, String>> dims = new ArrayList<>();
    List<Map<String, String>> prefixes = new ArrayList<>();
    for (Function<MetricRecord, String> d : List.<Function<MetricRecord, String>>of(
        MetricRecord::getModel, MetricRecord::getVariant, MetricRecord::getDataset, MetricRecord::getSplit)) {
      Map<String, java.util.TreeSet<String>> perRun = new HashMap<>();
      agg.forEach(r -> perRun.computeIfAbsent(r.getRun(), k -> new java.util.TreeSet<>()).add(d.apply(r)));
      if (perRun.values().stream().anyMatch(v -> v.size() > 1)) {
        dims.add(d);
        Map<String, String> prefix = new HashMap<>();
        perRun.forEach((run, values) -> prefix.put(run, commonPrefix(values)));
        prefixes.add(prefix);
      }
    }
    List<Observation> out = new ArrayList<>();
    for (MetricRecord r : agg) {
      GridCell cell = cellOfRun(grid, r.getRun()).orElseThrow();
      StringBuilder metric = new StringBuilder();
      for (int i = 0; i < dims.size(); i++) {
        String v = dims.get(i).apply(r);
        String rest = v.substring(prefixes.get(i).get(r.getRun()).length());
        metric.append(rest.isEmpty() ? v : rest).append('/');
      }
      metric.append(r.getMetric());
      out.add(new Observation(metric.toString(), cell.statsCell(), cell.replicate(), r.getValue()));
    }
    // Records arrive in whatever order the runner delivers them, and floating-point sums (and the
    // bootstrap's resampling) depend on order: sorted, the statistics are the same bytes on every runner.
    out.sort(order(grid.statsCells()));
    return out;
  }

  /** The longest common prefix of the values that ends with '/' (empty when there is none). */
  static String commonPrefix(java.util.SortedSet<String> values) {
    String first = values.first();
    String last = values.last(); // sorted: the common prefix of first and last is everyone's
    int n = 0;
    while (n < Math.min(first.length(), last.length()) && first.charAt(n) == last.charAt(n)) {
      n++;
    }
    int slash = first.lastIndexOf('/', n - 1);
    return values.size() < 2 || slash < 0 ? "" : first.substring(0, slash + 1);
  }

  /**
   * Cells in the grid's order, then replicates (numerically where they are numbers; unpaired last),
   * metric and value: a total order that does not depend on the order records arrived in.
   */
  static java.util.Comparator<Observation> order(List<String> cellOrder) {
    Map<String, Integer> rank = new HashMap<>();
    for (int i = 0; i < cellOrder.size(); i++) {
      rank.put(cellOrder.get(i), i);
    }
    return java.util.Comparator.<Observation>comparingInt(o -> rank.getOrDefault(o.cell(), Integer.MAX_VALUE))
        .thenComparing(Observation::cell)
        .thenComparing(Observation::replicate, java.util.Comparator.nullsLast(GridResults::compareReplicates))
        .thenComparing(Observation::metric)
        .thenComparingDouble(Observation::value);
  }

  private static int compareReplicates(String a, String b) {
    try {
      return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
    } catch (NumberFormatException e) {
      return a.compareTo(b);
    }
  }

  private static boolean isThreshold(String metric) {
    return metric.endsWith(THRESHOLD) && org.unetpipelines.eval.ChallengeMetrics.STACK_SCORED.contains(
        metric.substring(0, metric.length() - THRESHOLD.length()));
  }

  private static final String THRESHOLD = "_threshold";

  /** The grid's statistics: cells in grid order, the bootstrap seeded by the file's seed. */
  public static GridStatistics statistics(Layout grid) {
    return GridStatistics.create().withCellOrder(grid.statsCells()).withSeed(grid.baseSeed());
  }

  /**
   * Summaries and comparisons (against the baseline when the grid names one, else all pairs). When
   * the baseline has no results (its runs failed) there are no comparisons, with a warning.
   */
  public static Tables compute(GridPlan grid, Collection<MetricRecord> records) {
    return compute(Layout.of(grid), records);
  }

  public static Tables compute(Layout grid, Collection<MetricRecord> records) {
    List<Observation> obs = observations(grid, records);
    GridStatistics stats = statistics(grid);
    List<GridComparison> comparisons;
    if (grid.baselineCell().isEmpty()) {
      comparisons = stats.compareAllPairs(obs);
    } else if (obs.stream().anyMatch(o -> o.cell().equals(grid.baselineCell().get()))) {
      comparisons = stats.compareWithBaseline(obs, grid.baselineCell().get());
    } else {
      LOG.warn("the grid's baseline cell {} has no results: no comparisons", grid.baselineCell().get());
      comparisons = List.of();
    }
    return new Tables(stats.summarize(obs), comparisons);
  }

  /** {@link #compute}, written to {@code dir} (the run's {@code grid/}) as CSV, JSON Lines and Avro. */
  public static Tables write(GridPlan grid, Collection<MetricRecord> records, Path dir) {
    Tables t = compute(grid, records);
    GridFiles.write(dir, t.summaries(), t.comparisons());
    return t;
  }
}
