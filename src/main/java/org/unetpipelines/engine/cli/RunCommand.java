package org.unetpipelines.engine.cli;

import com.google.auto.service.AutoService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.PipelineRun;
import org.unetpipelines.engine.PreparedPipeline;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.runners.PipelineRunner;
import org.unetpipelines.runners.RunnerProfile;
import org.unetpipelines.runners.RunnerProfiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code unet-pipelines run FILE}: validate, then run a pipeline file. */
@AutoService(CliCommand.class)
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Validate and run a pipeline file. Exit 0 on success, 1 if the run failed, 2 if the file is invalid.")
public final class RunCommand implements CliCommand {
  /** The longest interval between progress lines: one day. */
  static final long MAX_PROGRESS_SECONDS = 86_400;

  @Mixin PipelineArgs args;

  @Option(names = "--runner", defaultValue = "direct",
      description = "runner profile: direct (default), flink-local, flink-cluster, or a profile .yaml (see runners/)")
  String runner;

  @Option(names = "--detach",
      description = "flink-cluster: print the job id and web UI address once submitted, then return")
  boolean detach;

  @Option(names = "--option", paramLabel = "KEY=VALUE",
      description = "extra Beam pipeline option, e.g. --option targetParallelism=1 (repeatable); unknown options are refused")
  List<String> beamOptions = new ArrayList<>();

  @Option(names = "--progress-seconds", defaultValue = "10", description = "seconds between progress lines, 1..86400")
  long progressSeconds;

  @Override
  public Integer call() throws Exception {
    PipelinePlan plan;
    try {
      plan = args.plan();
    } catch (ValidationException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    if (progressSeconds <= 0 || progressSeconds > MAX_PROGRESS_SECONDS) {
      System.err.println("--progress-seconds must be 1.." + MAX_PROGRESS_SECONDS + ", got " + progressSeconds);
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
    PreparedPipeline prepared;
    try {
      prepared = args.prepare(plan, options);
    } catch (ValidationException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    try {
      PipelineRunner.preflight(profile); // flink-cluster: job jar built, cluster up, restart strategy as named
    } catch (IllegalStateException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    try {
      PipelineRun.Summary s = PipelineRun.run(prepared, profile.name(), System.out, progressSeconds * 1000);
      return s.succeeded() ? 0 : 1;
    } catch (ValidationException e) {
      System.err.println(e.getMessage());
      return 2;
    }
  }
}
