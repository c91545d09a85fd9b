package org.unetpipelines.stages.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.eval.Inference;
import org.unetpipelines.eval.InferenceMode;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.TfPredictor;
import org.unetpipelines.io.SavedModelFiles;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;

/**
 * What the Evaluate and Predict stage types share: their inference settings' checks, and where the
 * model comes from — a ModelArtifact input (a Train stage) or a {@code model: DIR} setting, exactly
 * one of the two.
 */
final class ModelSource {
  private ModelSource() {}

  /** Config errors of the inference settings and the model folder. */
  static List<String> check(String model, InferenceMode mode, double overlap, int batch, double threshold, int tile) {
    List<String> out = new ArrayList<>();
    try {
      new Inference(mode, overlap, batch, threshold, tile);
    } catch (IllegalArgumentException e) {
      out.add(e.getMessage());
    }
    if (model != null && !Files.isDirectory(Path.of(model))) {
      out.add("'model': no SavedModel folder '" + model + "'");
    } else if (model != null) {
      modelProblems(Path.of(model)).forEach(p -> out.add("'model': " + p));
    }
    return out;
  }

  /**
   * Problems of a model folder found before anything runs: its model.json ({@link ModelSpec#read})
   * and its SavedModel files ({@link SavedModelFiles}), each naming the path.
   */
  static List<String> modelProblems(Path dir) {
    ModelSpec spec;
    try {
      spec = ModelSpec.read(dir);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      return List.of(e.getMessage());
    }
    return SavedModelFiles.problems(Path.of(spec.savedModelDir()), TfPredictor.TAG, TfPredictor.SIGNATURE);
  }

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
