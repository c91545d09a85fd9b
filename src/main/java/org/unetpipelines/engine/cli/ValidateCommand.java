package org.unetpipelines.engine.cli;

import com.google.auto.service.AutoService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.PreparedPipeline;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.engine.grid.PlanText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines validate FILE}: check a pipeline file without running it — the same checks
 * as {@code run} makes before it starts (config, inputs, output root and paths, overlapping outputs).
 */
@AutoService(CliCommand.class)
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a pipeline file completely without running it (the checks run makes before it starts). "
        + "Exit 0 when valid, 2 with every error otherwise.")
public final class ValidateCommand implements CliCommand {
  @Mixin PipelineArgs args;

  @Option(names = "--plan", description = "also print the plan: stages in run order; for a grid its cells, "
      + "shared stages and per-cell stages")
  boolean showPlan;

  @Override
  public Integer call() {
    try {
      PipelinePlan plan = args.plan();
      PreparedPipeline prepared = args.prepare(plan, PipelineOptionsFactory.create());
      System.out.printf("%s is valid: %d stages (%s); outputs under %s%n", args.file, plan.stages().size(),
          String.join(" -> ", plan.stages().stream().map(PipelinePlan.StagePlan::name).toList()), prepared.root());
      if (showPlan) {
        System.out.print(PlanText.of(plan));
      }
      return 0;
    } catch (ValidationException e) {
      System.err.println(e.getMessage());
      return 2;
    }
  }
}
