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

/**
 * What a stage that can reject inputs returns: its main output, and the inputs it could not process
 * as dead letters ({@code input, stage, reason}), so nothing is dropped silently.
 *
 * @param <T> the main output's element type
 */
public class StageResult<T> implements POutput {
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  private final Pipeline pipeline;
  private final TupleTag<T> mainTag;
  private final PCollection<T> main;
  private final PCollection<DeadLetter> deadLetters;

  protected StageResult(Pipeline pipeline, TupleTag<T> mainTag, PCollection<T> main,
      PCollection<DeadLetter> deadLetters) {
    this.pipeline = pipeline;
    this.mainTag = mainTag;
    this.main = main;
    this.deadLetters = deadLetters;
  }

  /** The main output. */
  public PCollection<T> output() {
    return main;
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
    return Map.of(mainTag, main, DEAD_LETTERS, deadLetters);
  }

  @Override
  public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {}
}
