package org.unetpipelines.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST side of flink-cluster runs against a stand-in for Flink's REST API (JDK HttpServer
 * answering with the JSON shapes Flink 1.19 sends): pre-flight checks, job lookup, progress lines,
 * restart counting and the failure report.
 */
class FakeFlinkRestTest {
  HttpServer server;
  final Map<String, String> answers = new ConcurrentHashMap<>();
  String base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      String key = ex.getRequestURI().getPath()
          + (ex.getRequestURI().getQuery() == null ? "" : "?" + ex.getRequestURI().getQuery());
      String body = answers.get(key);
      byte[] b = (body == null ? "{\"errors\":[\"Not found: " + key + "\"]}" : body).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(body == null ? 404 : 200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    base = "127.0.0.1:" + server.getAddress().getPort();
    answers.put("/overview", "{\"taskmanagers\":2,\"slots-total\":2,\"slots-available\":1,\"flink-version\":\"1.19.3\"}");
    answers.put("/jobmanager/config", "[{\"key\":\"restart-strategy.type\",\"value\":\"fixed-delay\"},"
        + "{\"key\":\"restart-strategy.fixed-delay.attempts\",\"value\":\"3\"},"
        + "{\"key\":\"restart-strategy.fixed-delay.delay\",\"value\":\"3s\"},{\"key\":\"rest.port\",\"value\":\"8081\"}]");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  RunnerProfile profile(Path jar) {
    return RunnerProfile.of(RunnerKind.FLINK_CLUSTER).withFlinkMaster(base).withJobJar(jar.toString())
        .withRestartStrategy(RunnerProfile.RestartStrategy.fixedDelay(3, Duration.ofSeconds(3)));
  }

  static String job(String id, String name, String state, int finished, int running) {
    return "{\"jid\":\"" + id + "\",\"name\":\"" + name + "\",\"state\":\"" + state + "\",\"duration\":4200,"
        + "\"tasks\":{\"total\":36,\"finished\":" + finished + ",\"running\":" + running + ",\"failed\":0}}";
  }

  @Test
  void overviewAndJobsAreParsed() throws IOException {
    answers.put("/jobs/overview", "{\"jobs\":[" + job("a1", "quickstart-x", "RUNNING", 12, 4) + "]}");
    FlinkRest rest = new FlinkRest("http://" + base);
    assertEquals(new FlinkRest.ClusterOverview(2, 2, 1, "1.19.3"), rest.overview());
    assertEquals(new FlinkRest.JobSummary("a1", "quickstart-x", "RUNNING", 36, 12, 4, 4200),
        rest.jobByName("quickstart-x").orElseThrow());
    assertTrue(rest.jobByName("other").isEmpty());
    assertEquals("8081", rest.clusterConfig().get("rest.port"));
    assertEquals("http://" + base + "/#/job/running/a1/overview", rest.jobUrl("a1"));
  }

  @Test
  void restartsCountTheMetricOrTheExceptionHistory() throws IOException {
    FlinkRest rest = new FlinkRest("http://" + base);
    answers.put("/jobs/overview", "{\"jobs\":[" + job("a1", "n", "FINISHED", 36, 0) + "]}");
    answers.put("/jobs/a1/metrics?get=numRestarts", "[]");
    answers.put("/jobs/a1/exceptions", "{\"exceptionHistory\":{\"entries\":[{\"stacktrace\":\"x\"}]}}");
    assertEquals(1, rest.restarts("a1"), "finished after one failure: one restart");
    answers.put("/jobs/a1/metrics?get=numRestarts", "[{\"id\":\"numRestarts\",\"value\":\"2\"}]");
    assertEquals(2, rest.restarts("a1"));
    answers.put("/jobs/overview", "{\"jobs\":[" + job("a1", "n", "FAILED", 3, 0) + "]}");
    answers.put("/jobs/a1/metrics?get=numRestarts", "[]");
    answers.put("/jobs/a1/exceptions", "{\"exceptionHistory\":{\"entries\":[{},{},{},{}]}}");
    assertEquals(3, rest.restarts("a1"), "4 failures, the last one fatal: 3 restarts");
  }

  @Test
  void preflightNamesWhatIsMissing(@TempDir Path dir) throws IOException {
    Path jar = dir.resolve("job.jar");
    IllegalStateException noJar = assertThrows(IllegalStateException.class, () -> PipelineRunner.preflight(profile(jar)));
    assertEquals("the Flink job jar " + jar.toAbsolutePath() + " does not exist; build it with: "
        + "mvn -B -o package -Pflink-job -DskipTests", noJar.getMessage());

    Files.writeString(jar, "x");
    PipelineRunner.preflight(profile(jar)); // cluster up, same restart strategy: passes

    RunnerProfile none = profile(jar).withRestartStrategy(RunnerProfile.RestartStrategy.NONE);
    assertEquals("runner profile flink-cluster names restart strategy none, but the cluster at http://" + base
        + " restarts jobs with fixed-delay x3 every 3000 ms; Beam's batch translation cannot set a per-job restart "
        + "strategy, so restart the cluster with runners/flink-cluster/start.sh --restart-attempts 0 or change "
        + "restartStrategy in the profile",
        assertThrows(IllegalStateException.class, () -> PipelineRunner.preflight(none)).getMessage());

    server.stop(0);
    String down = assertThrows(IllegalStateException.class, () -> PipelineRunner.preflight(profile(jar))).getMessage();
    assertTrue(down.startsWith("no Flink cluster answers at http://" + base), down);
    assertTrue(down.endsWith("; start one with runners/flink-cluster/start.sh --restart-attempts 3 --restart-delay 3 "
        + "(or set flinkMaster in the runner profile)"), down);
  }

  @Test
  void aReportPrintsIdUiProgressAndTheRootCause(@TempDir Path dir) throws IOException {
    PipelineOptions o = profile(dir.resolve("job.jar")).pipelineOptions("quickstart-20260101-000000-abcd");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    JobReport report = JobReport.of(o, new PrintStream(buf, true, StandardCharsets.UTF_8));
    assertTrue(report.isCluster());
    answers.put("/jobs/overview", "{\"jobs\":[" + job("b2", "quickstart-20260101-000000-abcd", "RUNNING", 5, 2) + "]}");
    answers.put("/jobs/b2/metrics?get=numRestarts", "[{\"id\":\"numRestarts\",\"value\":\"1\"}]");
    answers.put("/jobs/b2/exceptions", "{\"root-exception\":\"java.io.IOException: disk full\\n\\tat x.y(Z.java:1)\","
        + "\"exceptionHistory\":{\"entries\":[{}]}}");
    report.submitted();
    assertEquals("b2", report.jobId());
    assertEquals("RUNNING: 5/36 tasks finished, 2 running, restarts 1", report.progress());
    answers.put("/jobs/overview", "{\"jobs\":[" + job("b2", "quickstart-20260101-000000-abcd", "FAILED", 5, 0) + "]}");
    report.ended();
    assertEquals("job id: b2\njob name: quickstart-20260101-000000-abcd\nweb UI: http://" + base
        + "/#/job/running/b2/overview\njob b2 FAILED: java.io.IOException: disk full\n",
        buf.toString(StandardCharsets.UTF_8));
  }

  @Test
  void rootExceptionsShowTheFirstLineAndTheInnermostCause() {
    assertEquals("org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy"
        + " <- org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id taskmanager-2 is no longer reachable.",
        FlinkRest.summarize("org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy\n"
            + "\tat a.b(C.java:1)\nCaused by: java.lang.Exception: x\n\tat d.e(F.java:2)\n"
            + "Caused by: org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id taskmanager-2 is no longer reachable.\n"
            + "\tat g.h(I.java:3)"));
    assertEquals("java.io.IOException: disk full", FlinkRest.summarize("java.io.IOException: disk full\n\tat x.y(Z.java:1)"));
    assertEquals("", FlinkRest.summarize(""));
  }

  @Test
  void otherRunnersGetASilentReport() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    for (RunnerKind k : new RunnerKind[] {RunnerKind.DIRECT, RunnerKind.FLINK_LOCAL}) {
      JobReport r = JobReport.of(RunnerProfile.of(k).pipelineOptions("x"), new PrintStream(buf, true, StandardCharsets.UTF_8));
      r.submitted();
      assertEquals("", r.progress());
      r.ended();
      assertTrue(!r.isCluster() && r.follow());
    }
    assertEquals("", buf.toString(StandardCharsets.UTF_8));
  }
}
