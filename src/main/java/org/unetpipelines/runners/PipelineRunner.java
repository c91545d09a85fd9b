package org.unetpipelines.runners;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a built pipeline under a runner profile and reports the outcome as an exit code. On
 * flink-cluster the job is submitted detached; this prints its id and web UI address and, when the
 * profile is attached, polls the REST API for progress until the job ends.
 */
public final class PipelineRunner {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineRunner.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final RunnerProfile profile;
  private final PrintStream out;
  private long pollMillis = 1000;
  private long submitTimeoutMillis = 60_000;

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
   * exists and the cluster's REST API answers. Throws IllegalStateException saying what to do.
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

  PipelineRunner withPollMillis(long millis) {
    this.pollMillis = millis;
    return this;
  }

  /** Runs the pipeline (built with {@code profile.pipelineOptions(...)}); returns 0 when it succeeded. */
  public int run(Pipeline pipeline) {
    String jobName = pipeline.getOptions().getJobName();
    if (profile.kind() != RunnerKind.FLINK_CLUSTER) {
      long t0 = System.nanoTime();
      PipelineResult result = pipeline.run();
      PipelineResult.State state = result.waitUntilFinish();
      out.printf(Locale.ROOT, "%s on %s: %s in %.1f s%n", jobName, profile.name(), state, (System.nanoTime() - t0) / 1e9);
      return state == PipelineResult.State.DONE ? 0 : 1;
    }
    long t0 = System.nanoTime();
    String jobId = submit(pipeline);
    if (!profile.attached()) {
      out.println("submitted detached; follow it in the web UI");
      return 0;
    }
    return await(jobId, t0);
  }

  /**
   * flink-cluster: submits the pipeline detached, prints its job id and web UI address, and returns
   * the job id once the cluster lists the job.
   */
  public String submit(Pipeline pipeline) {
    if (profile.kind() != RunnerKind.FLINK_CLUSTER) {
      throw new IllegalStateException("submit() needs a flink-cluster profile, got " + profile);
    }
    preflight(profile);
    String jobName = pipeline.getOptions().getJobName();
    FlinkRest rest = new FlinkRest(profile.restUrl());
    pipeline.run(); // detached: returns once the cluster has accepted the job
    try {
      FlinkRest.JobSummary job = awaitSubmitted(rest, jobName);
      out.println("job id: " + job.id());
      out.println("job name: " + jobName);
      out.println("web UI: " + rest.jobUrl(job.id()));
      return job.id();
    } catch (IOException e) {
      throw new IllegalStateException("lost contact with the Flink cluster at " + rest.baseUrl() + ": " + e.getMessage(), e);
    }
  }

  /** flink-cluster: follows a submitted job until it ends; 0 when it FINISHED, 1 otherwise. */
  public int await(String jobId, long startNanos) {
    FlinkRest rest = new FlinkRest(profile.restUrl());
    try {
      return follow(rest, jobId, startNanos);
    } catch (IOException e) {
      throw new IllegalStateException("lost contact with the Flink cluster at " + rest.baseUrl() + ": " + e.getMessage(), e);
    }
  }

  private FlinkRest.JobSummary awaitSubmitted(FlinkRest rest, String jobName) throws IOException {
    long deadline = System.currentTimeMillis() + submitTimeoutMillis;
    while (true) {
      Optional<FlinkRest.JobSummary> j = rest.jobByName(jobName);
      if (j.isPresent()) {
        return j.get();
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IOException("job '" + jobName + "' was submitted but the cluster does not list it after "
            + submitTimeoutMillis / 1000 + " s");
      }
      sleep(200);
    }
  }

  /** Polls the job until it ends, printing a line whenever its state or progress changes. */
  int follow(FlinkRest rest, String jobId, long t0) throws IOException {
    String last = "";
    FlinkRest.JobSummary job;
    long restarts = 0;
    while (true) {
      job = rest.job(jobId).orElseThrow(() -> new IOException("job " + jobId + " vanished from the cluster"));
      try {
        restarts = rest.restarts(jobId);
      } catch (IOException e) {
        LOG.debug("numRestarts not available yet for {}", jobId, e);
      }
      String line = String.format(Locale.ROOT, "%s: %d/%d tasks finished, %d running%s", job.state(),
          job.tasksFinished(), job.tasksTotal(), job.tasksRunning(), restarts > 0 ? ", restarts " + restarts : "");
      if (!line.equals(last)) {
        out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, line);
        last = line;
      }
      if (job.terminal()) {
        break;
      }
      sleep(pollMillis);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (job.state().equals("FINISHED")) {
      out.printf(Locale.ROOT, "job %s FINISHED in %.1f s%n", jobId, seconds);
      return 0;
    }
    String cause = rest.rootException(jobId);
    out.printf(Locale.ROOT, "job %s %s after %.1f s%s%n", jobId, job.state(), seconds, cause.isEmpty() ? "" : ": " + cause);
    return 1;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Flink job", e);
    }
  }
}
