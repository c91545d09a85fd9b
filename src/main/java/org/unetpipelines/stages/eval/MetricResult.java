package org.unetpipelines.stages.eval;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.stages.StageResult;

/**
 * What {@link Evaluate} returns: the metric records, the samples it could not score (dead letters),
 * and, with {@link Evaluate#withModelFailuresAsDeadLetters}, the samples a failing model could not
 * score (empty otherwise).
 */
public final class MetricResult extends StageResult<MetricRecord> {
  public static final TupleTag<MetricRecord> METRICS = new TupleTag<>("metrics") {};

  private final PCollection<DeadLetter> modelFailures;

  public MetricResult(Pipeline pipeline, PCollection<MetricRecord> metrics, PCollection<DeadLetter> deadLetters,
      PCollection<DeadLetter> modelFailures) {
    super(pipeline, METRICS, metrics, deadLetters);
    this.modelFailures = modelFailures;
  }

  /** Dead letters of a model that failed (only with {@link Evaluate#withModelFailuresAsDeadLetters}). */
  public PCollection<DeadLetter> modelFailures() {
    return modelFailures;
  }

  @Override
  public java.util.Map<TupleTag<?>, org.apache.beam.sdk.values.PValue> expand() {
    java.util.Map<TupleTag<?>, org.apache.beam.sdk.values.PValue> m = new java.util.LinkedHashMap<>(super.expand());
    m.put(Evaluate.MODEL_FAILURES, modelFailures);
    return m;
  }

  /** Per-image and aggregate records. */
  public PCollection<MetricRecord> metrics() {
    return output();
  }
}
