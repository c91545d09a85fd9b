package org.unetpipelines.engine.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.PreparedPipeline;
import org.unetpipelines.engine.ValidationException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code validate} and {@code run} both take: the pipeline file, {@code --set} overrides and
 * {@code --out}; both check them through {@link #prepare}, so they agree on every rule.
 */
public final class PipelineArgs {
  @Parameters(index = "0", paramLabel = "FILE", description = "pipeline YAML file")
  Path file;

  @Option(names = "--out",
      description = "output root; relative output paths in the pipeline resolve under it (default: out/<pipeline name>)")
  String out;

  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "override a value: Stage.config.key=value or options.key=value (repeatable); the value is YAML")
  List<String> overrides = new ArrayList<>();

  /** The validated plan. */
  public PipelinePlan plan() throws ValidationException {
    return PreparedPipeline.plan(file, overrides);
  }

  /** The plan with its output root and built graph (nothing runs). */
  public PreparedPipeline prepare(PipelinePlan plan, PipelineOptions options) throws ValidationException {
    return PreparedPipeline.prepare(plan, out, options);
  }
}
