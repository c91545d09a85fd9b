package org.unetpipelines.stages;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.Sample;

/** What a reading or augmenting stage returns: the samples, and the inputs it could not process. */
public final class SampleResult extends StageResult<Sample> {
  public static final TupleTag<Sample> SAMPLES = new TupleTag<>("samples") {};

  public SampleResult(Pipeline pipeline, PCollection<Sample> samples, PCollection<DeadLetter> deadLetters) {
    super(pipeline, SAMPLES, samples, deadLetters);
  }

  public PCollection<Sample> samples() {
    return output();
  }
}
