package org.unetpipelines.stages.eval;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.stages.StageResult;

/** What {@link Evaluate} returns: the metric records, and the samples it could not score (dead letters). */
public final class MetricResult extends StageResult<MetricRecord> {
  public static final TupleTag<MetricRecord> METRICS = new TupleTag<>("metrics") {};

  public MetricResult(Pipeline pipeline, PCollection<MetricRecord> metrics, PCollection<DeadLetter> deadLetters) {
    super(pipeline, METRICS, metrics, deadLetters);
  }

  /** Per-image and aggregate records. */
  public PCollection<MetricRecord> metrics() {
    return output();
  }
}
