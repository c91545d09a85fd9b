package org.unetpipelines.stages.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auto.service.AutoService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.unetpipelines.engine.ConfigBinder;
import org.unetpipelines.engine.cli.CliCommand;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.io.Globs;
import org.unetpipelines.records.Coders;
import org.unetpipelines.stages.SampleResult;
import org.unetpipelines.stages.io.ReadImageSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * {@code unet-pipelines predict --model DIR --images GLOB --out DIR}: runs {@link ReadImageSet} and
 * {@link Predict} on the DirectRunner and prints one JSON line with the counts and time. The
 * inference options ({@code --mode}, {@code --tile}, {@code --overlap}, {@code --batch},
 * {@code --tta}, {@code --head}, {@code --threshold}) are the fields of {@link InferenceConfig}, with
 * its documentation and defaults, bound and checked as the stages' inference keys are.
 */
@AutoService(CliCommand.class)
@Command(name = "predict", mixinStandardHelpOptions = true, modelTransformer = PredictCommand.InferenceOptions.class,
    description = "Predict images with a SavedModel: 16-bit probability PNGs and label PNGs.")
public final class PredictCommand implements CliCommand, Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "SavedModel folder with model.json.")
  Path model;

  @Option(names = "--images", required = true, description = "Images: glob (dir/*.png), folder or file.")
  String images;

  @Option(names = "--out", required = true, description = "Output folder for STEM_prob.png and STEM_label.png.")
  Path out;

  @Override
  public Integer call() {
    InferenceConfig inference;
    ModelSpec modelSpec;
    try {
      inference = inference();
      modelSpec = ModelSpec.read(model);
      inference.spec(modelSpec); // tile and head fit the model
      List<String> modelProblems = inference.check(model.toString()); // and the SavedModel's files are complete
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

  /** Adds one {@code --field} option per {@link InferenceConfig} field (picocli calls it when building the command). */
  public static final class InferenceOptions implements CommandLine.IModelTransformer {
    @Override
    public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
      for (ConfigBinder.FieldInfo f : ConfigBinder.describe(InferenceConfig.class)) {
        String def = f.defaultText().equals("(none)") ? "" : "; default " + f.defaultText();
        spec.addOption(CommandLine.Model.OptionSpec.builder(option(f.name())).type(String.class)
            .paramLabel(f.type().contains("|") ? f.type() : "<" + f.type() + ">")
            .description(f.docWithRange() + def + ".").build());
      }
      return spec;
    }
  }

  private static String option(String field) {
    return "--" + field.replace('_', '-');
  }

  /** The inference settings from the options given (the others at their defaults), checked. */
  private InferenceConfig inference() {
    List<NodeTuple> given = new ArrayList<>();
    for (ConfigBinder.FieldInfo f : ConfigBinder.describe(InferenceConfig.class)) {
      CommandLine.Model.OptionSpec o = spec.findOption(option(f.name()));
      if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
        given.add(new NodeTuple(scalar(Tag.STR, f.name()), scalar(Tag.STR, o.getValue())));
      }
    }
    List<String> errors = new ArrayList<>();
    InferenceConfig c = ConfigBinder.bind(InferenceConfig.class,
        new MappingNode(Tag.MAP, given, DumperOptions.FlowStyle.BLOCK), 0, (line, msg) -> errors.add(msg));
    if (c == null) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
    return c;
  }

  private static ScalarNode scalar(Tag tag, String value) {
    return new ScalarNode(tag, value, null, null, DumperOptions.ScalarStyle.PLAIN);
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
