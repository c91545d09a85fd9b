package org.unetpipelines.stages.eval;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.stages.SampleResult;

/** What {@link Evaluate} returns: the metric records, and the samples it could not score (dead letters). */
public final class MetricResult implements POutput {
  public static final TupleTag<MetricRecord> METRICS = new TupleTag<>("metrics") {};

  private final Pipeline pipeline;
  private final PCollection<MetricRecord> metrics;
  private final PCollection<DeadLetter> deadLetters;

  public MetricResult(Pipeline pipeline, PCollection<MetricRecord> metrics, PCollection<DeadLetter> deadLetters) {
    this.pipeline = pipeline;
    this.metrics = metrics;
    this.deadLetters = deadLetters;
  }

  /** Per-image and aggregate records. */
  public PCollection<MetricRecord> metrics() {
    return metrics;
  }

  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
  }

  @Override
  public Pipeline getPipeline() {
    return pipeline;
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(METRICS, metrics, SampleResult.DEAD_LETTERS, deadLetters);
  }

  @Override
  public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {}
}
