package org.unetpipelines.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auto.service.AutoService;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.PipelineRun;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.cli.BenchTarget;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.runners.FlinkRest;
import org.unetpipelines.runners.PipelineRunner;
import org.unetpipelines.runners.RunnerKind;
import org.unetpipelines.runners.RunnerProfile;
import org.unetpipelines.runners.RunnerProfiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines bench flink-scaling}: augment-and-shard throughput (samples written per
 * second) of a pipeline file at parallelism 1 and 2 on the DirectRunner, on embedded Flink and on a
 * running Flink cluster (start one with {@code runners/flink-cluster/start.sh --taskmanagers 2}).
 * Runs are interleaved (rep, runner, parallelism) so drift on a shared machine hits all alike; the
 * medians are reported. For the cluster the job's own duration (REST API, without submission) is
 * reported next to the wall time, and for every run the CPU seconds the working processes used
 * (this JVM, plus the cluster's JVMs) and so how many cores were busy on average: on a shared
 * machine that shows whether parallelism 2 got two cores. The last line is a JSON object.
 */
@AutoService(BenchTarget.class)
@Command(name = "flink-scaling", mixinStandardHelpOptions = true,
    description = "Augment-and-shard throughput at parallelism 1 and 2 on direct, flink-local and flink-cluster.")
public final class FlinkScalingBench implements BenchTarget {

  @Option(names = "--pipeline", defaultValue = "pipelines/augment-and-shard.yaml",
      description = "augment-and-shard pipeline file (default ${DEFAULT-VALUE})")
  Path pipeline;

  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "override a value of the pipeline (repeatable; default Membranes.config.count=96)")
  List<String> overrides = new ArrayList<>(List.of("Membranes.config.count=96"));

  @Option(names = "--runners", split = ",", defaultValue = "direct,flink-local,flink-cluster",
      description = "runner profiles to time (default ${DEFAULT-VALUE})")
  List<String> runners;

  @Option(names = "--parallelism", split = ",", defaultValue = "1,2",
      description = "parallelism values (default ${DEFAULT-VALUE})")
  List<Integer> parallelism;

  @Option(names = "--reps", defaultValue = "3", description = "repetitions of each configuration (default ${DEFAULT-VALUE})")
  int reps;

  @Option(names = "--out", defaultValue = "out/bench-flink-scaling", description = "output root (default ${DEFAULT-VALUE})")
  Path out;

  /** One timed run. */
  record Sample(String runner, int parallelism, double wallSeconds, double jobSeconds, long records, double cpuSeconds) {}

  @Override
  public Integer call() throws Exception {
    PipelinePlan plan = PipelinePlan.validate(PipelineFile.read(pipeline, overrides), StageRegistry.load());
    Map<String, RunnerProfile> profiles = new LinkedHashMap<>();
    for (String r : runners) {
      RunnerProfile p = RunnerProfiles.resolve(r);
      PipelineRunner.preflight(p);
      profiles.put(r, p);
    }
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    double loadBefore = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<Sample> samples = new ArrayList<>();
    for (int rep = 0; rep < reps; rep++) {
      for (Map.Entry<String, RunnerProfile> e : profiles.entrySet()) {
        for (int par : parallelism) {
          RunnerProfile profile = e.getValue().withParallelism(par);
          PipelineOptions options = RunnerProfiles.options(profile, plan.name(), Map.of());
          Path root = out.resolve(e.getKey() + "-p" + par);
          boolean onCluster = profile.kind() == RunnerKind.FLINK_CLUSTER;
          double cpu0 = cpuSeconds(onCluster);
          long t0 = System.nanoTime();
          PipelineRun.Summary s = PipelineRun.run(plan, options, profile.name(), root, quiet, 1000);
          double wall = (System.nanoTime() - t0) / 1e9;
          double cpu = cpuSeconds(onCluster) - cpu0;
          if (!s.succeeded()) {
            throw new IllegalStateException(e.getKey() + " at parallelism " + par + " failed: " + s.state());
          }
          double job = wall;
          if (profile.kind() == RunnerKind.FLINK_CLUSTER) {
            FlinkRest rest = new FlinkRest(profile.restUrl());
            job = rest.jobByName(options.getJobName()).orElseThrow().durationMillis() / 1000.0;
          }
          long records = Manifest.read(firstShardFolder(root)).records();
          Sample smp = new Sample(e.getKey(), par, wall, job, records, cpu);
          samples.add(smp);
          System.out.printf(Locale.ROOT,
              "rep %d  %-14s p=%d  %6.1f s wall  %6.1f s job  %d records  %.2f records/s  %.1f CPU s (%.2f cores busy)%n",
              rep + 1, e.getKey(), par, wall, job, records, records / job, cpu, cpu / wall);
        }
      }
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode result = json.createObjectNode();
    result.put("bench", "flink-scaling");
    result.put("pipeline", pipeline.toString());
    result.put("overrides", String.join(" ", overrides));
    result.put("reps", reps);
    result.put("cores", Runtime.getRuntime().availableProcessors());
    // Other processes compete for the cores: the 1-minute load average before and after the runs.
    result.put("load_avg_before", round(loadBefore));
    result.put("load_avg_after",
        round(java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    for (String r : profiles.keySet()) {
      ObjectNode node = result.putObject(r);
      Map<Integer, Double> medianRate = new LinkedHashMap<>();
      for (int par : parallelism) {
        double[] job = samples.stream().filter(x -> x.runner().equals(r) && x.parallelism() == par)
            .mapToDouble(Sample::jobSeconds).toArray();
        double[] wall = samples.stream().filter(x -> x.runner().equals(r) && x.parallelism() == par)
            .mapToDouble(Sample::wallSeconds).toArray();
        long records = samples.stream().filter(x -> x.runner().equals(r)).findFirst().orElseThrow().records();
        double rate = records / Stats.median(job);
        medianRate.put(par, rate);
        ObjectNode pn = node.putObject("p" + par);
        pn.put("records", records);
        pn.put("median_job_s", round(Stats.median(job)));
        pn.put("median_wall_s", round(Stats.median(wall)));
        pn.put("records_per_s", round(rate));
        double[] cpu = samples.stream().filter(x -> x.runner().equals(r) && x.parallelism() == par)
            .mapToDouble(Sample::cpuSeconds).toArray();
        double[] busy = samples.stream().filter(x -> x.runner().equals(r) && x.parallelism() == par)
            .mapToDouble(x -> x.cpuSeconds() / x.wallSeconds()).toArray();
        pn.put("median_cpu_s", round(Stats.median(cpu)));
        pn.put("median_cores_busy", round(Stats.median(busy)));
      }
      if (medianRate.containsKey(1) && medianRate.containsKey(2)) {
        node.put("speedup_1_to_2", round(medianRate.get(2) / medianRate.get(1)));
      }
    }
    System.out.println(json.writeValueAsString(result));
    return 0;
  }

  /**
   * CPU seconds used so far by the processes doing the work: this JVM (direct, flink-local, and the
   * client side of a cluster run) plus, for a cluster, the TaskManager and JobManager JVMs whose
   * pids runners/flink-cluster/start.sh wrote under .flink/pid.
   */
  static double cpuSeconds(boolean cluster) throws java.io.IOException {
    double total = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    if (cluster) {
      Path dir = Path.of(".flink", "pid");
      try (var files = java.nio.file.Files.list(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
          long pid = Long.parseLong(java.nio.file.Files.readString(f).trim());
          total += ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9).orElse(0.0);
        }
      }
    }
    return total;
  }

  private static Path firstShardFolder(Path root) throws java.io.IOException {
    try (var s = java.nio.file.Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().equals(Manifest.FILE)).map(Path::getParent).sorted()
          .findFirst().orElseThrow(() -> new IllegalStateException("no " + Manifest.FILE + " under " + root));
    }
  }


  private static double round(double x) {
    return Math.round(x * 1000) / 1000.0;
  }
}
