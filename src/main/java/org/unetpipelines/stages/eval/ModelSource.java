package org.unetpipelines.stages.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;

/**
 * Where the Evaluate and Predict stage types get their model: a ModelArtifact input (a Train stage)
 * or a {@code model: DIR} setting, exactly one of the two.
 */
final class ModelSource {
  private ModelSource() {}

  static PCollection<Sample> samples(StageContext ctx, List<PCollection<?>> inputs) {
    return StageContext.inputOfType(inputs, Sample.class).orElseThrow(() -> new IllegalArgumentException(
        "stage '" + ctx.stageName() + "': " + ctx.stageType() + " needs a Sample input"));
  }

  /** The ModelArtifact input, or empty when {@code model} names a folder; fails unless exactly one is given. */
  static Optional<PCollection<ModelArtifact>> artifacts(StageContext ctx, List<PCollection<?>> inputs, String model) {
    Optional<PCollection<ModelArtifact>> models = StageContext.inputOfType(inputs, ModelArtifact.class);
    checkArgument(models.isPresent() != (model != null),
        "stage '%s': give exactly one model source: a ModelArtifact input (a Train stage) or 'model: DIR'%s",
        ctx.stageName(), models.isPresent() ? " (both were given)" : " (neither was given)");
    return models;
  }
}
