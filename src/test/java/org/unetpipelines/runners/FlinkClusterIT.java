package org.unetpipelines.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.PipelineRun;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.io.ShardReader;
import org.unetpipelines.records.Sample;

/**
 * The augment-and-shard pipeline (pipelines/augment-and-shard.yaml: synthetic
 * membranes, mirror padding, elastic deformation, flips, border weights, Avro + TFRecord shards) on a real standalone Flink
 * cluster (a JobManager and two TaskManager JVMs started by runners/flink-cluster/start.sh): the job
 * FINISHES, its shards are byte-identical to the DirectRunner's, and a TaskManager killed mid-job
 * costs a restart but no record; the Train stage (TensorFlow from the cluster's lib/) runs job after
 * job on the same TaskManagers with the DirectRunner's loss curve. Runs in {@code mvn -B verify},
 * after the job jar is shaded.
 */
@Tag("flink")
class FlinkClusterIT {
  static final Path AUGMENT_AND_SHARD = Path.of("pipelines", "augment-and-shard.yaml");
  static final Path TRAIN = Path.of("src", "test", "resources", "flink", "train-small.yaml");
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

  /** One run of a pipeline file through the engine, as {@code unet-pipelines run} does it. */
  record Run(String jobName, PipelineRun.Summary summary) {}

  static Run runFile(RunnerProfile profile, List<String> overrides, Path outRoot) throws Exception {
    return runFile(AUGMENT_AND_SHARD, profile, overrides, outRoot);
  }

  static Run runFile(Path file, RunnerProfile profile, List<String> overrides, Path outRoot) throws Exception {
    PipelinePlan plan = PipelinePlan.validate(PipelineFile.read(file, overrides), StageRegistry.load());
    PipelineOptions options = RunnerProfiles.options(profile, plan.name(), Map.of());
    PipelineRunner.preflight(profile);
    PipelineRun.Summary s = PipelineRun.run(plan, options, profile.name(), outRoot, System.out, 2000);
    return new Run(options.getJobName(), s);
  }

  @Test
  void augmentAndShardOnTheClusterIsByteIdenticalToTheDirectRunner() throws Exception {
    Path direct = tmp.resolve("direct");
    Path flink = tmp.resolve("cluster");
    List<String> small = List.of("Membranes.config.count=6");
    assertTrue(runFile(RunnerProfiles.resolve("direct"), small, direct).summary().succeeded());

    Run run = runFile(clusterProfile(), small, flink);
    assertTrue(run.summary().succeeded(), run.summary().toString());
    FlinkRest.JobSummary job = cluster.rest().jobByName(run.jobName()).orElseThrow();
    assertEquals("FINISHED", job.state(), "REST API state of " + job);

    TreeMap<String, byte[]> a = files(direct.resolve("shards"));
    TreeMap<String, byte[]> b = files(flink.resolve("shards"));
    assertEquals(List.of("avro/manifest.json", "avro/part-00000-of-00002.avro", "avro/part-00001-of-00002.avro",
        "tfrecord/manifest.json", "tfrecord/part-00000-of-00002.tfrecord", "tfrecord/part-00001-of-00002.tfrecord"),
        List.copyOf(a.keySet()));
    assertEquals(a.keySet(), b.keySet());
    for (String f : a.keySet()) {
      assertArrayEquals(a.get(f), b.get(f), "file " + f + " differs between DirectRunner and Flink cluster");
    }
    assertEquals(6 * 4, Manifest.read(flink.resolve("shards/avro")).records(), "6 images x 4 elastic copies");
  }

  @Test
  void aKilledTaskManagerCostsARestartButNoRecord() throws Exception {
    Path out = tmp.resolve("fault");
    int images = 32;
    RunnerProfile profile = clusterProfile();
    assertEquals(RunnerProfile.RestartType.FIXED_DELAY, profile.restartStrategy().type(),
        "runners/flink-cluster.yaml must configure a fixed-delay restart strategy");
    PipelineOptions options = RunnerProfiles.options(profile, "fault-tolerance", Map.of());
    PipelinePlan plan = PipelinePlan.validate(
        PipelineFile.read(AUGMENT_AND_SHARD, List.of("Membranes.config.count=" + images)), StageRegistry.load());
    ExecutorService exec = Executors.newSingleThreadExecutor();
    try {
      Future<PipelineRun.Summary> running =
          exec.submit(() -> PipelineRun.run(plan, options, profile.name(), out, System.out, 2000));
      FlinkRest rest = cluster.rest();
      // Wait until the job runs tasks on both TaskManagers, then kill the second one.
      long deadline = System.currentTimeMillis() + 120_000;
      FlinkRest.JobSummary job = null;
      while (System.currentTimeMillis() < deadline) {
        job = rest.jobByName(options.getJobName()).orElse(null);
        if (job != null && job.tasksRunning() >= 2) {
          break;
        }
        Thread.sleep(100);
      }
      assertTrue(job != null && job.state().equals("RUNNING"), "job not running on both TaskManagers: " + job);
      long pid = cluster.taskManagerPid(2);
      cluster.killTaskManager(2);
      assertTrue(ProcessHandle.of(pid).isEmpty(), "TaskManager 2 (pid " + pid + ") still alive");
      cluster.startTaskManager(2); // the replacement machine

      PipelineRun.Summary s = running.get(5, TimeUnit.MINUTES);
      assertTrue(s.succeeded(), "job did not finish after losing a TaskManager: " + s);
      assertEquals("FINISHED", rest.job(job.id()).orElseThrow().state());
      assertTrue(rest.restarts(job.id()) >= 1, "the job was not restarted: numRestarts = " + rest.restarts(job.id()));
    } finally {
      exec.shutdownNow();
    }

    Set<String> expected = new HashSet<>();
    for (int i = 0; i < images; i++) {
      for (int copy = 0; copy < 4; copy++) {
        expected.add(String.format("membranes-%05d/ElasticDeform#%d", i, copy));
      }
    }
    for (String format : List.of("avro", "tfrecord")) {
      Path dir = out.resolve("shards").resolve(format);
      Manifest m = Manifest.read(dir);
      assertEquals(images * 4, m.records(), format);
      assertEquals(images * 4, new HashSet<>(m.ids()).size(), format + " manifest: distinct ids");
      List<String> ids = new ArrayList<>();
      for (Sample smp : ShardReader.read(dir)) {
        ids.add(smp.getId());
      }
      assertEquals(images * 4, ids.size(), format + ": records in the shards (duplicates or losses)");
      assertEquals(expected, new HashSet<>(m.ids()), format + ": ids in the manifest");
      assertEquals(expected, new HashSet<>(ids), format + ": ids in the shards");
    }
  }

  @Test
  void trainingRunsOnTheClusterAgainAndAgainWithTensorFlowLoadedOncePerTaskManager() throws Exception {
    Path jar = Path.of(clusterProfile().jobJar());
    try (ZipFile z = new ZipFile(jar.toFile())) {
      assertTrue(z.stream().noneMatch(e -> e.getName().startsWith("org/tensorflow/")),
          "the job jar must not carry TensorFlow: the TaskManagers load it from the cluster's lib/");
    }
    assertEquals("org.tensorflow.;org.bytedeco.;com.google.protobuf.",
        cluster.rest().clusterConfig().get("classloader.parent-first-patterns.additional"));
    Path direct = tmp.resolve("train-direct");
    assertTrue(runFile(TRAIN, RunnerProfiles.resolve("direct"), List.of(), direct).summary().succeeded());
    List<String> expectedCurve = curveWithoutTimes(direct);

    Map<String, Long> pidsBefore = taskManagerPids();
    // The Train stage runs on one worker; keep submitting until one TaskManager has trained twice
    // (the second TensorFlow job in one JVM is what crashed when TF came from the job jar).
    int jobs = 0;
    while (jobs < 2 || trainingsPerTaskManager().values().stream().allMatch(n -> n < 2)) {
      assertTrue(jobs < 4, "no TaskManager ran two trainings in " + jobs + " jobs: " + trainingsPerTaskManager());
      Path out = tmp.resolve("train-cluster-" + jobs);
      Run run = runFile(TRAIN, clusterProfile(), List.of(), out);
      assertTrue(run.summary().succeeded(), "training job " + (jobs + 1) + " on the cluster: " + run.summary());
      assertEquals("FINISHED", cluster.rest().jobByName(run.jobName()).orElseThrow().state());
      assertEquals(expectedCurve, curveWithoutTimes(out), "training curve differs from the DirectRunner's");
      assertTrue(Files.isDirectory(out.resolve("model/saved_model")), "no SavedModel from job " + (jobs + 1));
      jobs++;
    }
    assertEquals(pidsBefore, taskManagerPids(), "a TaskManager died or was replaced between the training jobs");
    assertEquals(2, cluster.rest().overview().taskManagers());
  }

  /** curve.csv of a Train output without its elapsed-time column. */
  static List<String> curveWithoutTimes(Path outRoot) throws IOException {
    return Files.readAllLines(outRoot.resolve("model/curve.csv")).stream()
        .map(l -> l.substring(0, l.lastIndexOf(','))).collect(Collectors.toList());
  }

  static Map<String, Long> trainingsPerTaskManager() throws IOException {
    Map<String, Long> out = new TreeMap<>();
    for (int i = 1; i <= 2; i++) {
      Path log = Path.of(".flink", "log", "taskmanager-" + i + ".log");
      out.put("taskmanager-" + i, Files.readAllLines(log).stream().filter(l -> l.contains("SavedModel written")).count());
    }
    return out;
  }

  static Map<String, Long> taskManagerPids() throws IOException {
    Map<String, Long> out = new TreeMap<>();
    for (int i = 1; i <= 2; i++) {
      out.put("taskmanager-" + i, cluster.taskManagerPid(i));
    }
    return out;
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
