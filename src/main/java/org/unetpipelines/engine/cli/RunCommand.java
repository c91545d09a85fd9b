package org.unetpipelines.engine.cli;

import com.google.auto.service.AutoService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.PipelineRun;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.runners.PipelineRunner;
import org.unetpipelines.runners.RunnerProfile;
import org.unetpipelines.runners.RunnerProfiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code unet-pipelines run FILE}: validate, then run a pipeline file. */
@AutoService(CliCommand.class)
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Validate and run a pipeline file. Exit 0 on success, 1 if the run failed, 2 if the file is invalid.")
public final class RunCommand implements CliCommand {
  @Parameters(index = "0", paramLabel = "FILE", description = "pipeline YAML file")
  Path file;

  @Option(names = "--runner", defaultValue = "direct",
      description = "runner profile: direct (default), flink-local, flink-cluster, or a profile .yaml (see runners/)")
  String runner;

  @Option(names = "--detach",
      description = "flink-cluster: print the job id and web UI address once submitted, then return")
  boolean detach;

  @Option(names = "--out",
      description = "output root; relative output paths in the pipeline resolve under it (default: out/<pipeline name>)")
  String out;

  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "override a value: Stage.config.key=value or options.key=value (repeatable)")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--option", paramLabel = "KEY=VALUE",
      description = "extra Beam pipeline option, e.g. --option targetParallelism=1 (repeatable)")
  List<String> beamOptions = new ArrayList<>();

  @Option(names = "--progress-seconds", defaultValue = "10", description = "seconds between progress lines")
  long progressSeconds;

  @Override
  public Integer call() throws Exception {
    PipelinePlan plan;
    try {
      plan = PipelinePlan.validate(PipelineFile.read(file, overrides), StageRegistry.load());
    } catch (ValidationException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    Map<String, String> extra = new LinkedHashMap<>();
    for (String kv : beamOptions) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        System.err.println("--option '" + kv + "' must look like key=value");
        return 2;
      }
      extra.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    if (detach) {
      extra.put("followJob", "false");
    }
    PipelineOptions options;
    RunnerProfile profile;
    try {
      profile = RunnerProfiles.resolve(runner);
      options = RunnerProfiles.options(profile, plan.name(), extra);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    try {
      PipelineRunner.preflight(profile); // flink-cluster: job jar built, cluster up, restart strategy as named
    } catch (IllegalStateException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    Path outRoot = Path.of(out != null ? out : "out/" + plan.name());
    try {
      PipelineRun.Summary s = PipelineRun.run(plan, options, profile.name(), outRoot, System.out, progressSeconds * 1000);
      return s.succeeded() ? 0 : 1;
    } catch (ValidationException e) {
      System.err.println(e.getMessage());
      return 2;
    }
  }

}
