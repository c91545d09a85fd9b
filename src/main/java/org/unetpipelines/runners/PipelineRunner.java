package org.unetpipelines.runners;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

/**
 * Runs a hand-built pipeline under a runner profile and reports the outcome as an exit code (the
 * {@code run} command goes through {@link org.unetpipelines.engine.PipelineRun}, which uses the same
 * {@link #preflight} and {@link JobReport}). On flink-cluster the job is submitted detached; its id
 * and web UI address are printed and, when the profile is attached, its progress until it ends.
 */
public final class PipelineRunner {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final RunnerProfile profile;
  private final PrintStream out;

  public PipelineRunner(RunnerProfile profile, PrintStream out) {
    this.profile = profile;
    this.out = out;
  }

  /** A job name unique enough to find the job by it: {@code <pipeline>-<yyyyMMdd-HHmmss>-<4 hex>}. */
  public static String jobName(String pipelineName) {
    String base = pipelineName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
    if (base.isEmpty()) {
      base = "pipeline";
    }
    // Job names only need to be unique, not reproducible: this random suffix never reaches the data.
    return base + "-" + LocalDateTime.now().format(STAMP) + "-"
        + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }

  /**
   * Checks what can be checked before building the pipeline: for flink-cluster, that the job jar
   * exists, the cluster's REST API answers, and the cluster's restart strategy is the profile's.
   * Throws IllegalStateException saying what to do.
   */
  public static void preflight(RunnerProfile profile) {
    if (profile.kind() != RunnerKind.FLINK_CLUSTER) {
      return;
    }
    Path jar = Path.of(profile.jobJar()).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the Flink job jar " + jar + " does not exist; build it with: "
          + "mvn -B -o package -Pflink-job -DskipTests");
    }
    FlinkRest rest = new FlinkRest(profile.restUrl());
    Map<String, String> conf;
    try {
      conf = rest.clusterConfig();
    } catch (IOException e) {
      throw new IllegalStateException("no Flink cluster answers at " + profile.restUrl()
          + " (" + e.getMessage() + "); start one with runners/flink-cluster/start.sh "
          + profile.restartStrategy().startShArguments() + " (or set flinkMaster in the runner profile)", e);
    }
    RunnerProfile.RestartStrategy clusters = RunnerProfile.RestartStrategy.fromFlinkConfig(conf);
    if (!profile.restartStrategy().equals(clusters)) {
      throw new IllegalStateException("runner profile " + profile.name() + " names restart strategy "
          + profile.restartStrategy() + ", but the cluster at " + profile.restUrl() + " restarts jobs with "
          + (clusters == null ? conf.get("restart-strategy.type") : clusters)
          + "; Beam's batch translation cannot set a per-job restart strategy, so restart the cluster with "
          + "runners/flink-cluster/start.sh " + profile.restartStrategy().startShArguments()
          + " or change restartStrategy in the profile");
    }
  }

  /** Runs the pipeline (built with {@code profile.pipelineOptions(...)}); returns 0 when it succeeded. */
  public int run(Pipeline pipeline) {
    long t0 = System.nanoTime();
    if (profile.kind() != RunnerKind.FLINK_CLUSTER) {
      PipelineResult.State state = pipeline.run().waitUntilFinish();
      out.printf(Locale.ROOT, "%s on %s: %s in %.1f s%n", pipeline.getOptions().getJobName(), profile.name(), state,
          (System.nanoTime() - t0) / 1e9);
      return state == PipelineResult.State.DONE ? 0 : 1;
    }
    JobReport job = submit(pipeline);
    if (!job.follow()) {
      out.println("submitted detached; follow it in the web UI");
      return 0;
    }
    return await(job, t0);
  }

  /** flink-cluster: checks the cluster, submits the pipeline detached and prints the job id and web UI address. */
  public JobReport submit(Pipeline pipeline) {
    if (profile.kind() != RunnerKind.FLINK_CLUSTER) {
      throw new IllegalStateException("submit() needs a flink-cluster profile, got " + profile);
    }
    preflight(profile);
    pipeline.run(); // detached: returns once the cluster has accepted the job
    JobReport job = JobReport.of(pipeline.getOptions(), out);
    try {
      job.submitted();
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return job;
  }

  /** flink-cluster: polls the job until it ends, printing a line whenever its progress changes; 0 when it FINISHED. */
  public int await(JobReport job, long startNanos) {
    String last = "";
    try {
      while (true) {
        String line = job.progress();
        if (!line.equals(last)) {
          out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - startNanos) / 1e9, line);
          last = line;
        }
        if (job.summary().terminal()) {
          break;
        }
        Thread.sleep(1000);
      }
      job.ended();
      return job.summary().state().equals("FINISHED") ? 0 : 1;
    } catch (IOException e) {
      throw new IllegalStateException("lost contact with the Flink cluster: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while following the Flink job", e);
    }
  }
}
