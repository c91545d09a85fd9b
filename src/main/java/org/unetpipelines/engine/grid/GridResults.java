package org.unetpipelines.engine.grid;

import java.nio.file.Path;
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
  private GridResults() {}

  /** The two tables. */
  public record Tables(List<GridSummary> summaries, List<GridComparison> comparisons) {}

  /** The cell whose branch a run id comes from: a '/'-separated part of it is a branch stage's name. */
  public static Optional<GridCell> cellOfRun(GridPlan grid, String run) {
    for (String part : run.split("/")) {
      Optional<GridCell> c = grid.cellOf(part);
      if (c.isPresent()) {
        return c;
      }
    }
    return Optional.empty();
  }

  /**
   * One observation per aggregate record (imageId null) of a branch: metric, the record's statistics
   * cell, its replicate value and its value (the mean over images). Records of shared stages and
   * per-image records are left out. Where the records differ in model, variant, dataset or split, the
   * metric name is prefixed by those that differ, e.g. {@code holdout/iou}.
   */
  public static List<Observation> observations(GridPlan grid, Collection<MetricRecord> records) {
    List<MetricRecord> agg = new ArrayList<>();
    for (MetricRecord r : records) {
      if (r.getImageId() == null && cellOfRun(grid, r.getRun()).isPresent()) {
        agg.add(r);
      }
    }
    List<Function<MetricRecord, String>> dims = new ArrayList<>();
    for (Function<MetricRecord, String> d : List.<Function<MetricRecord, String>>of(
        MetricRecord::getModel, MetricRecord::getVariant, MetricRecord::getDataset, MetricRecord::getSplit)) {
      if (agg.stream().map(d).distinct().count() > 1) {
        dims.add(d);
      }
    }
    List<Observation> out = new ArrayList<>();
    for (MetricRecord r : agg) {
      GridCell cell = cellOfRun(grid, r.getRun()).orElseThrow();
      StringBuilder metric = new StringBuilder();
      dims.forEach(d -> metric.append(d.apply(r)).append('/'));
      metric.append(r.getMetric());
      out.add(new Observation(metric.toString(), cell.statsCell(), cell.replicate(), r.getValue()));
    }
    return out;
  }

  /** The grid's statistics: cells in grid order, the bootstrap seeded by the file's seed. */
  public static GridStatistics statistics(GridPlan grid) {
    return GridStatistics.create().withCellOrder(grid.statsCells()).withSeed(grid.baseSeed());
  }

  /** Summaries and comparisons (against the baseline when the grid names one, else all pairs). */
  public static Tables compute(GridPlan grid, Collection<MetricRecord> records) {
    List<Observation> obs = observations(grid, records);
    GridStatistics stats = statistics(grid);
    return new Tables(stats.summarize(obs), grid.baseline().isPresent()
        ? stats.compareWithBaseline(obs, grid.baseline().get()) : stats.compareAllPairs(obs));
  }

  /** {@link #compute}, written to {@code dir} (the run's {@code grid/}) as CSV, JSON Lines and Avro. */
  public static Tables write(GridPlan grid, Collection<MetricRecord> records, Path dir) {
    Tables t = compute(grid, records);
    GridFiles.write(dir, t.summaries(), t.comparisons());
    return t;
  }
}
