package org.unetpipelines.stages.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auto.service.AutoService;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.unetpipelines.engine.cli.CliCommand;
import org.unetpipelines.eval.Inference;
import org.unetpipelines.eval.InferenceMode;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.io.Globs;
import org.unetpipelines.records.Coders;
import org.unetpipelines.stages.SampleResult;
import org.unetpipelines.stages.io.ReadImageSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines predict --model DIR --images GLOB --out DIR}: runs {@link ReadImageSet} and
 * {@link Predict} on the DirectRunner and prints one JSON line with the counts and time.
 */
@AutoService(CliCommand.class)
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Predict images with a SavedModel: 16-bit probability PNGs and label PNGs.")
public final class PredictCommand implements CliCommand, Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "SavedModel folder with model.json.")
  Path model;

  @Option(names = "--images", required = true, description = "Images: glob (dir/*.png), folder or file.")
  String images;

  @Option(names = "--out", required = true, description = "Output folder for STEM_prob.png and STEM_label.png.")
  Path out;

  @Option(names = "--mode", defaultValue = "auto",
      description = "overlap_tile or sliding_window; default ${DEFAULT-VALUE}.")
  InferenceMode mode;

  @Option(names = "--overlap", defaultValue = "0.5", description = "sliding_window overlap in [0, 1); default ${DEFAULT-VALUE}.")
  double overlap;

  @Option(names = "--batch", defaultValue = "4", description = "Tiles per model call; default ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--tile", defaultValue = "0",
      description = "Input tile side for models that accept any size (e.g. 96); 0 = model.json's; default ${DEFAULT-VALUE}.")
  int tile;

  @Option(names = "--threshold", defaultValue = "0.5", description = "Label threshold p > t; default ${DEFAULT-VALUE}.")
  double threshold;

  @Override
  public Integer call() {
    Inference inference;
    ModelSpec modelSpec;
    try {
      inference = new Inference(mode, overlap, batch, threshold, tile);
      modelSpec = ModelSpec.read(model);
      List<String> modelProblems = ModelSource.modelProblems(model);
      if (!modelProblems.isEmpty()) {
        throw new IllegalArgumentException("--model: " + String.join("; ", modelProblems));
      }
      if (Globs.match(images).isEmpty()) {
        throw new IllegalArgumentException("--images: no files match '" + images + "'");
      }
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      spec.commandLine().getErr().println("predict: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 2;
    }
    long t0 = System.nanoTime();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    Coders.register(p);
    SampleResult input = p.apply("Read", ReadImageSet.from(images));
    input.samples().apply("Predict", Predict.model(modelSpec).withInference(inference).writeTo(out.toString()));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long predicted = counter(result, Predict.class.getName(), "images");
    long read = counter(result, "ReadImageSet", ReadImageSet.READ_COUNTER);
    var json = new ObjectMapper().createObjectNode();
    json.put("model", model.toString()).put("out", out.toAbsolutePath().toString()).put("read", read).put("predicted", predicted)
        .put("seconds", Math.round(seconds * 1000) / 1000.0);
    spec.commandLine().getOut().println(json.toString());
    spec.commandLine().getOut().flush();
    if (predicted < read) {
      spec.commandLine().getErr().println("predict: " + (read - predicted) + " of " + read
          + " inputs could not be read or predicted (see the log)");
    }
    return predicted == read && predicted > 0 ? 0 : 1;
  }

  private static long counter(PipelineResult r, String namespace, String name) {
    MetricQueryResults q = r.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(namespace == null ? MetricNameFilter.named("", name) : MetricNameFilter.named(namespace, name))
        .build());
    long total = 0;
    for (MetricResult<Long> c : q.getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }
}
