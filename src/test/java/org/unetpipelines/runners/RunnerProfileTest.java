package org.unetpipelines.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerProfileTest {

  static RunnerProfile parse(String yaml) {
    return RunnerProfile.parse("runners/test.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
  }

  static String message(String yaml) {
    return assertThrows(IllegalArgumentException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  void theShippedProfilesLoad() {
    RunnerProfile direct = RunnerProfiles.resolve("direct");
    assertEquals(RunnerKind.DIRECT, direct.kind());
    assertEquals(2, direct.parallelism());

    RunnerProfile local = RunnerProfiles.resolve("flink-local");
    assertEquals(RunnerKind.FLINK_LOCAL, local.kind());
    assertEquals("[local]", local.flinkMaster());

    RunnerProfile cluster = RunnerProfiles.resolve("flink-cluster");
    assertEquals(RunnerKind.FLINK_CLUSTER, cluster.kind());
    assertEquals("127.0.0.1:8081", cluster.flinkMaster());
    assertEquals("http://127.0.0.1:8081", cluster.restUrl());
    assertEquals(RunnerProfile.RestartStrategy.fixedDelay(3, Duration.ofSeconds(3)), cluster.restartStrategy());
    assertEquals("target/unet-pipelines-job.jar", cluster.jobJar());
    assertTrue(cluster.attached());
  }

  @Test
  void aFullProfileParses() {
    RunnerProfile p = parse("""
        runner: flink-cluster
        flinkMaster: 10.0.0.7:9091
        parallelism: 4
        restartStrategy: {type: fixed-delay, attempts: 5, delay: 500ms}
        attached: false
        jobJar: build/job.jar
        """);
    assertEquals("test", p.name());
    assertEquals("10.0.0.7:9091", p.flinkMaster());
    assertEquals(4, p.parallelism());
    assertEquals(5, p.restartStrategy().attempts());
    assertEquals(Duration.ofMillis(500), p.restartStrategy().delay());
    assertFalse(p.attached());
    assertEquals("build/job.jar", p.jobJar());
  }

  @Test
  void badProfilesAreRejectedWithWhereAndWhatIsAllowed() {
    assertEquals("runners/test.yaml: unknown key(s) [paralellism]; allowed: "
        + "[attached, description, flinkMaster, jobJar, parallelism, restartStrategy, runner]",
        message("runner: direct\nparalellism: 2\n"));
    assertEquals("runners/test.yaml: 'runner' is required, one of: direct, flink-local, flink-cluster",
        message("parallelism: 2\n"));
    assertEquals("runners/test.yaml: unknown runner 'spark'; allowed: direct, flink-local, flink-cluster",
        message("runner: spark\n"));
    assertEquals("runners/test.yaml: parallelism must be in 1..1024, got 0", message("runner: direct\nparallelism: 0\n"));
    assertEquals("runners/test.yaml: 'parallelism' must be an integer, got 'two'", message("runner: direct\nparallelism: two\n"));
    assertEquals("runners/test.yaml: flink-local runs embedded: flinkMaster must be \"[local]\", got 'localhost:8081'",
        message("runner: flink-local\nflinkMaster: localhost:8081\n"));
    assertEquals("runners/test.yaml: flink-cluster flinkMaster must be host:port of the REST API (e.g. 127.0.0.1:8081), got 'localhost'",
        message("runner: flink-cluster\nflinkMaster: localhost\n"));
    assertEquals("runners/test.yaml: flinkMaster applies to flink-local and flink-cluster, not direct",
        message("runner: direct\nflinkMaster: a:1\n"));
    assertEquals("runners/test.yaml: unknown restartStrategy.type 'exponential'; allowed: none, fixed-delay",
        message("runner: flink-local\nrestartStrategy: {type: exponential}\n"));
    assertEquals("runners/test.yaml: restartStrategy.delay must look like 500ms, 2s or 1min, got '3 hours'",
        message("runner: flink-local\nrestartStrategy: {type: fixed-delay, delay: 3 hours}\n"));
    assertEquals("runners/test.yaml: restartStrategy fixed-delay needs attempts >= 1, got 0",
        message("runner: flink-local\nrestartStrategy: {type: fixed-delay, attempts: 0}\n"));
    assertEquals("runners/test.yaml: unknown key 'restartStrategy.retries'; allowed: [attempts, delay, type]",
        message("runner: flink-local\nrestartStrategy: {type: fixed-delay, retries: 2}\n"));
    assertEquals("runners/test.yaml: restartStrategy type none takes no attempts or delay",
        message("runner: flink-local\nrestartStrategy: {type: none, attempts: 2}\n"));
    assertEquals("runners/test.yaml: restartStrategy applies to flink-local and flink-cluster; the direct runner "
        + "does not restart, got fixed-delay x3 every 2000 ms",
        message("runner: direct\nrestartStrategy: {type: fixed-delay}\n"));
    assertEquals("runners/test.yaml: jobJar applies to flink-cluster only, not flink-local",
        message("runner: flink-local\njobJar: x.jar\n"));
    assertEquals("runners/test.yaml: 'attached' must be true or false, got 'yes please'",
        message("runner: flink-cluster\nattached: yes please\n"));
    assertEquals("runners/test.yaml: a runner profile must be a mapping with keys "
        + "[attached, description, flinkMaster, jobJar, parallelism, restartStrategy, runner]", message("- direct\n"));
  }

  @Test
  void unknownRunnerNamesListTheProfiles(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("runners"));
    Files.writeString(dir.resolve("runners/big-cluster.yaml"), "runner: flink-cluster\nparallelism: 8\n");
    assertEquals(8, RunnerProfiles.resolve("big-cluster", dir).parallelism());
    assertEquals("big-cluster", RunnerProfiles.resolve("big-cluster", dir).name());
    assertEquals(RunnerKind.FLINK_LOCAL, RunnerProfiles.resolve("flink-local", dir).kind(), "built-in default");
    String msg = assertThrows(IllegalArgumentException.class, () -> RunnerProfiles.resolve("flnk-cluster", dir)).getMessage();
    assertEquals("unknown runner 'flnk-cluster'; profiles: [direct, flink-local, flink-cluster, big-cluster] "
        + "(or a path to a profile .yaml)", msg);
  }

  @Test
  void directProfileMapsToDirectOptions() {
    PipelineOptions o = RunnerProfile.of(RunnerKind.DIRECT).withParallelism(3).pipelineOptions("quickstart-1");
    assertEquals(DirectRunner.class, o.getRunner());
    assertEquals(3, o.as(DirectOptions.class).getTargetParallelism());
    assertEquals("quickstart-1", o.getJobName());
  }

  @Test
  void clusterProfileMapsToFlinkOptionsWithTheJobJarStaged() {
    RunnerProfile p = RunnerProfiles.resolve("flink-cluster").withParallelism(1);
    FlinkPipelineOptions o = p.pipelineOptions("isbi-20260101-000000-abcd").as(FlinkPipelineOptions.class);
    assertEquals(FlinkRunner.class, o.getRunner());
    assertEquals("127.0.0.1:8081", o.getFlinkMaster());
    assertEquals(1, o.getParallelism());
    assertFalse(o.getAttachedMode(), "submitted detached; PipelineRunner follows the job over REST");
    assertEquals(List.of(Path.of("target/unet-pipelines-job.jar").toAbsolutePath().toString()), o.getFilesToStage());
  }

  @Test
  void flinkLocalGetsItsRestartStrategyThroughAFlinkConfigFolder() {
    RunnerProfile p = RunnerProfile.of(RunnerKind.FLINK_LOCAL)
        .withRestartStrategy(RunnerProfile.RestartStrategy.fixedDelay(2, Duration.ofMillis(1500)));
    FlinkPipelineOptions o = p.pipelineOptions("x").as(FlinkPipelineOptions.class);
    assertEquals("[local]", o.getFlinkMaster());
    Configuration conf = GlobalConfiguration.loadConfiguration(o.getFlinkConfDir());
    Map<String, String> m = conf.toMap();
    assertEquals("fixed-delay", m.get("restart-strategy.type"));
    assertEquals("2", m.get("restart-strategy.fixed-delay.attempts"));
    assertEquals(p.restartStrategy(), RunnerProfile.RestartStrategy.fromFlinkConfig(m), "read back as Flink reads it");
  }

  @Test
  void restartStrategiesAreReadFromFlinkConfigurations() {
    assertEquals(RunnerProfile.RestartStrategy.NONE, RunnerProfile.RestartStrategy.fromFlinkConfig(Map.of()));
    assertEquals(RunnerProfile.RestartStrategy.fixedDelay(3, Duration.ofSeconds(3)),
        RunnerProfile.RestartStrategy.fromFlinkConfig(Map.of("restart-strategy.type", "fixed-delay",
            "restart-strategy.fixed-delay.attempts", "3", "restart-strategy.fixed-delay.delay", "3s")));
    assertNull(RunnerProfile.RestartStrategy.fromFlinkConfig(Map.of("restart-strategy.type", "exponential-delay")));
    assertEquals("--restart-attempts 3 --restart-delay 3",
        RunnerProfile.RestartStrategy.fixedDelay(3, Duration.ofSeconds(3)).startShArguments());
    assertEquals("--restart-attempts 0", RunnerProfile.RestartStrategy.NONE.startShArguments());
  }

  @Test
  void jobNamesAreUniqueAndFlinkFriendly() {
    String a = PipelineRunner.jobName("ISBI 2012 / U-Net");
    assertTrue(a.matches("isbi-2012-u-net-\\d{8}-\\d{6}-[0-9a-f]{4}"), a);
    assertTrue(PipelineRunner.jobName("___").startsWith("pipeline-"));
  }

  @Test
  void withersCheckTheirArguments() {
    RunnerProfile c = RunnerProfile.of(RunnerKind.FLINK_CLUSTER);
    assertEquals("jobJar must be a path to a .jar file, got 'target/classes'",
        assertThrows(IllegalArgumentException.class, () -> c.withJobJar("target/classes")).getMessage());
    assertEquals("parallelism must be in 1..1024, got 2000",
        assertThrows(IllegalArgumentException.class, () -> c.withParallelism(2000)).getMessage());
    assertEquals("job name must be lower-case letters, digits and dashes, got 'My Job'",
        assertThrows(IllegalArgumentException.class, () -> c.pipelineOptions("My Job")).getMessage());
    assertEquals("runner direct has no REST address",
        assertThrows(IllegalArgumentException.class, () -> RunnerProfile.of(RunnerKind.DIRECT).restUrl()).getMessage());
  }
}
