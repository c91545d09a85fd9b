package org.unetpipelines.stages;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.Sample;

/** What a reading stage returns: the samples it read and the inputs it could not read (dead letters). */
public final class SampleResult implements POutput {
  public static final TupleTag<Sample> SAMPLES = new TupleTag<>("samples") {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  private final Pipeline pipeline;
  private final PCollection<Sample> samples;
  private final PCollection<DeadLetter> deadLetters;

  public SampleResult(Pipeline pipeline, PCollection<Sample> samples, PCollection<DeadLetter> deadLetters) {
    this.pipeline = pipeline;
    this.samples = samples;
    this.deadLetters = deadLetters;
  }

  public PCollection<Sample> samples() {
    return samples;
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
    return Map.of(SAMPLES, samples, DEAD_LETTERS, deadLetters);
  }

  @Override
  public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {}
}
