package org.unetpipelines.grid;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * One run's value of one metric in one grid cell.
 *
 * @param metric the metric name (iou, v_rand, ...)
 * @param cell the cell's name (its axis values without the replicate axis, e.g. {@code family=unetpp})
 * @param replicate what pairs runs across cells (the seed's value, e.g. {@code 3}); null when runs are not paired
 * @param value the run's value
 */
public record Observation(String metric, String cell, String replicate, double value) {
  public Observation {
    checkArgument(metric != null && !metric.isEmpty(), "observation needs a metric name");
    checkArgument(cell != null && !cell.isEmpty(), "observation of %s needs a cell name", metric);
    checkArgument(!Double.isNaN(value) && !Double.isInfinite(value),
        "metric %s of cell %s (replicate %s) is %s; only finite values can be summarised", metric, cell, replicate, value);
  }
}
