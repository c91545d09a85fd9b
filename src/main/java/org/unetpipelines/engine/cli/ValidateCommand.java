package org.unetpipelines.engine.cli;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.PreparedPipeline;
import org.unetpipelines.engine.ValidationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code unet-pipelines validate FILE}: check a pipeline file without running it — the same checks
 * as {@code run} makes before it starts (config, inputs, output root and paths, overlapping outputs).
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a pipeline file completely without running it (the checks run makes before it starts). "
        + "Exit 0 when valid, 2 with every error otherwise.")
public final class ValidateCommand implements CliCommand {
  @Mixin PipelineArgs args;

  @Override
  public Integer call() {
    try {
      PipelinePlan plan = args.plan();
      PreparedPipeline prepared = args.prepare(plan, PipelineOptionsFactory.create());
      System.out.printf("%s is valid: %d stages (%s); outputs under %s%n", args.file, plan.stages().size(),
          String.join(" -> ", plan.stages().stream().map(PipelinePlan.StagePlan::name).toList()), prepared.root());
      return 0;
    } catch (ValidationException e) {
      System.err.println(e.getMessage());
      return 2;
    }
  }
}
