package org.unetpipelines.runners;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run reports about a job on a Flink cluster: its id and web UI address once submitted,
 * its state, task progress and restarts from the REST API while it runs, and the root cause when
 * it fails. For other runners every method is a no-op.
 */
public final class JobReport {
  private static final Logger LOG = LoggerFactory.getLogger(JobReport.class);
  private static final long SUBMIT_TIMEOUT_MILLIS = 60_000;

  private final FlinkRest rest; // null: not a cluster run
  private final String jobName;
  private final boolean follow;
  private final PrintStream console;
  private String jobId;

  private JobReport(FlinkRest rest, String jobName, boolean follow, PrintStream console) {
    this.rest = rest;
    this.jobName = jobName;
    this.follow = follow;
    this.console = console;
  }

  /** The report for a run with these options (a no-op unless they name a Flink cluster). */
  public static JobReport of(PipelineOptions options, PrintStream console) {
    if (options.getRunner() != FlinkRunner.class) {
      return new JobReport(null, null, true, console);
    }
    String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
    if (master == null || master.startsWith("[")) {
      return new JobReport(null, null, true, console);
    }
    String url = master.startsWith("http") ? master : "http://" + master;
    return new JobReport(new FlinkRest(url), options.getJobName(), options.as(ClusterJobOptions.class).getFollowJob(),
        console);
  }

  public boolean isCluster() {
    return rest != null;
  }

  /** False when the run should return once the job is submitted. */
  public boolean follow() {
    return follow;
  }

  /** The Flink job id (after {@link #submitted()}); null for other runners. */
  public String jobId() {
    return jobId;
  }

  /** After {@code pipeline.run()}: finds the job by its name and prints its id and web UI address. */
  public void submitted() throws IOException {
    if (rest == null) {
      return;
    }
    long deadline = System.currentTimeMillis() + SUBMIT_TIMEOUT_MILLIS;
    Optional<FlinkRest.JobSummary> job = rest.jobByName(jobName);
    while (job.isEmpty()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IOException("job '" + jobName + "' was submitted but the cluster at " + rest.baseUrl()
            + " does not list it after " + SUBMIT_TIMEOUT_MILLIS / 1000 + " s");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for job '" + jobName + "' to appear", e);
      }
      job = rest.jobByName(jobName);
    }
    jobId = job.get().id();
    console.println("job id: " + jobId);
    console.println("job name: " + jobName);
    console.println("web UI: " + rest.jobUrl(jobId));
  }

  /** The job as the cluster lists it now. */
  public FlinkRest.JobSummary summary() throws IOException {
    return rest.job(jobId).orElseThrow(() -> new IOException("job " + jobId + " is no longer listed by " + rest.baseUrl()));
  }

  /** One progress line, e.g. {@code RUNNING: 12/36 tasks finished, 4 running, restarts 1}; empty for other runners. */
  public String progress() {
    if (rest == null || jobId == null) {
      return "";
    }
    try {
      FlinkRest.JobSummary j = summary();
      long restarts = 0;
      try {
        restarts = rest.restarts(jobId);
      } catch (IOException e) {
        LOG.debug("numRestarts of {} not available yet", jobId, e);
      }
      return String.format(Locale.ROOT, "%s: %d/%d tasks finished, %d running%s", j.state(), j.tasksFinished(),
          j.tasksTotal(), j.tasksRunning(), restarts > 0 ? ", restarts " + restarts : "");
    } catch (IOException e) {
      return "cluster not answering: " + e.getMessage();
    }
  }

  /**
   * Waits up to {@code millis} for the run to end and returns its state. For a cluster job this
   * sleeps and asks for the state once (Beam's detached result logs a warning on every timed-out wait).
   */
  public PipelineResult.State waitUntilFinish(PipelineResult result, long millis) {
    if (rest == null) {
      return result.waitUntilFinish(org.joda.time.Duration.millis(millis));
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for job " + jobId, e);
    }
    return result.getState();
  }

  /** After the job ended: prints its final state, and the root exception when it did not finish. */
  public void ended() {
    if (rest == null || jobId == null) {
      return;
    }
    try {
      FlinkRest.JobSummary j = summary();
      if (j.state().equals("FINISHED")) {
        console.println("job " + jobId + " FINISHED");
      } else {
        String cause = rest.rootException(jobId);
        console.println("job " + jobId + " " + j.state() + (cause.isEmpty() ? "" : ": " + cause));
      }
    } catch (IOException e) {
      console.println("job " + jobId + ": final state unknown, the cluster does not answer: " + e.getMessage());
    }
  }
}
