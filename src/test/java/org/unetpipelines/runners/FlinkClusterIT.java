package org.unetpipelines.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.io.ShardReader;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.io.SyntheticImages;
import org.unetpipelines.stages.io.WriteShards;

/**
 * The augment-and-shard pipeline on a real standalone Flink cluster (a JobManager and two
 * TaskManager JVMs started by runners/flink-cluster/start.sh): the job FINISHES, its shards are
 * byte-identical to the DirectRunner's, and a TaskManager killed mid-job costs a restart but no
 * record. Needs the shaded job jar: {@code mvn -B -o verify -Pflink-job}.
 */
@Tag("flink")
class FlinkClusterIT {
  static final long SEED = 20260521L;
  static FlinkTestCluster cluster;

  @TempDir static Path tmp;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = FlinkTestCluster.start(2);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  static RunnerProfile clusterProfile() {
    String jar = System.getProperty("unet.jobJar", RunnerProfile.DEFAULT_JOB_JAR);
    return RunnerProfiles.resolve("flink-cluster").withJobJar(jar).withParallelism(2);
  }

  /** SyntheticImages -> WriteAvro + WriteTFRecord, all from main classes (the job jar has no test classes). */
  static Pipeline shardPipeline(RunnerProfile profile, Path out, int count, int size) {
    Pipeline p = Pipeline.create(profile.pipelineOptions(PipelineRunner.jobName("augment-and-shard")));
    PCollection<Sample> samples = p.apply("SyntheticImages",
        SyntheticImages.membranes().withCount(count).withSize(size, size).withSeed(SEED));
    samples.apply("WriteAvro", WriteShards.avro(out.resolve("avro").toString()).withShards(3).withSeed(SEED));
    samples.apply("WriteTFRecord", WriteShards.tfrecord(out.resolve("tfrecord").toString()).withShards(2).withSeed(SEED));
    return p;
  }

  @Test
  void shardsOnTheClusterAreByteIdenticalToTheDirectRunners() throws Exception {
    Path direct = tmp.resolve("direct");
    Path flink = tmp.resolve("cluster");
    int count = 24;
    RunnerProfile directProfile = RunnerProfile.of(RunnerKind.DIRECT);
    assertEquals(0, new PipelineRunner(directProfile, System.out).run(shardPipeline(directProfile, direct, count, 128)));

    RunnerProfile profile = clusterProfile();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PipelineRunner runner = new PipelineRunner(profile, new PrintStream(buf, true, StandardCharsets.UTF_8));
    JobReport job = runner.submit(shardPipeline(profile, flink, count, 128));
    String jobId = job.jobId();
    int rc = runner.await(job, System.nanoTime());
    String log = buf.toString(StandardCharsets.UTF_8);
    System.out.print(log);
    assertEquals(0, rc, log);
    assertTrue(log.contains("job id: " + jobId) && log.contains("web UI: http://127.0.0.1:8081/#/job/"), log);
    assertEquals("FINISHED", cluster.rest().job(jobId).orElseThrow().state());

    TreeMap<String, byte[]> a = files(direct);
    TreeMap<String, byte[]> b = files(flink);
    assertEquals(a.keySet(), b.keySet());
    assertTrue(a.keySet().containsAll(List.of("avro/manifest.json", "tfrecord/manifest.json")), a.keySet().toString());
    for (String f : a.keySet()) {
      assertArrayEquals(a.get(f), b.get(f), "file " + f + " differs between DirectRunner and Flink cluster");
    }
    assertEquals(count, Manifest.read(flink.resolve("avro")).records());
  }

  @Test
  void aKilledTaskManagerCostsARestartButNoRecord() throws Exception {
    Path out = tmp.resolve("fault");
    int count = 240;
    RunnerProfile profile = clusterProfile();
    assertEquals(RunnerProfile.RestartType.FIXED_DELAY, profile.restartStrategy().type(),
        "runners/flink-cluster.yaml must configure a fixed-delay restart strategy");
    PipelineRunner runner = new PipelineRunner(profile, System.out);
    long t0 = System.nanoTime();
    JobReport job = runner.submit(shardPipeline(profile, out, count, 256));
    String jobId = job.jobId();
    FlinkRest rest = cluster.rest();

    // Wait until the job runs on both TaskManagers, then kill the second one.
    long deadline = System.currentTimeMillis() + 60_000;
    while (rest.job(jobId).orElseThrow().tasksRunning() < 2 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    FlinkRest.JobSummary before = rest.job(jobId).orElseThrow();
    assertEquals("RUNNING", before.state(), "the job ended before the TaskManager could be killed: " + before);
    long pid = cluster.taskManagerPid(2);
    cluster.killTaskManager(2);
    assertTrue(ProcessHandle.of(pid).isEmpty(), "TaskManager 2 (pid " + pid + ") still alive");
    cluster.startTaskManager(2); // the replacement machine

    assertEquals(0, runner.await(job, t0), "job did not finish after losing a TaskManager");
    assertTrue(rest.restarts(jobId) >= 1, "the job was not restarted: numRestarts = " + rest.restarts(jobId));

    Set<String> expected = new HashSet<>();
    for (int i = 0; i < count; i++) {
      expected.add(String.format("membranes-%05d", i));
    }
    for (String format : List.of("avro", "tfrecord")) {
      Path dir = out.resolve(format);
      Manifest m = Manifest.read(dir);
      assertEquals(count, m.records(), format);
      assertEquals(expected, new HashSet<>(m.ids()), format + " manifest ids");
      List<String> ids = new ArrayList<>();
      for (Sample s : ShardReader.read(dir)) {
        ids.add(s.getId());
      }
      assertEquals(count, ids.size(), format + ": records in the shards (duplicates or losses)");
      assertEquals(expected, new HashSet<>(ids), format + ": ids in the shards");
    }
  }

  static TreeMap<String, byte[]> files(Path root) throws IOException {
    TreeMap<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).collect(Collectors.toList())) {
        out.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }
}
