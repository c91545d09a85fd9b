package org.unetpipelines.engine.cli;

import com.google.auto.service.AutoService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.engine.grid.PlanText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code unet-pipelines validate FILE}: check a pipeline file without running it. */
@AutoService(CliCommand.class)
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a pipeline file completely without running it. Exit 0 when valid, 2 with every error otherwise.")
public final class ValidateCommand implements CliCommand {
  @Parameters(index = "0", paramLabel = "FILE", description = "pipeline YAML file")
  Path file;

  @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a value, as for run (repeatable)")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--plan", description = "also print the plan: stages in run order; for a grid its cells, "
      + "shared stages and per-cell stages")
  boolean showPlan;

  @Override
  public Integer call() {
    try {
      PipelinePlan plan = PipelinePlan.validate(PipelineFile.read(file, overrides), StageRegistry.load());
      System.out.printf("%s is valid: %d stages (%s)%n", file, plan.stages().size(),
          String.join(" -> ", plan.stages().stream().map(PipelinePlan.StagePlan::name).toList()));
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
