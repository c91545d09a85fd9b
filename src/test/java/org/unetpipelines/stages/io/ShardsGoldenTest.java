package org.unetpipelines.stages.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardFormat;

/**
 * The exact bytes {@link WriteShards} wrote before its memory was bounded (recorded from commit
 * 9bb9aae, where it grouped and sorted each shard in memory): SHA-256 of every file of an Avro and a
 * TFRecord folder, manifest included. Any change to shard bytes, order, Avro sync markers or the
 * manifest shows here. The fixture is {@code src/test/resources/golden/shards-sha256.txt}; to record
 * it again on purpose, run this test with {@code -Dunet.golden.record=true} (it then fails, saying so).
 */
class ShardsGoldenTest {
  static final Path FIXTURE = Path.of("src/test/resources/golden/shards-sha256.txt");

  /** 40 samples: the round-trip test's 9 kinds (8/16-bit, masks, weights, labels, params), under more ids. */
  static List<Sample> goldenSamples() {
    List<Sample> base = ShardsRoundTripTest.samples();
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Sample b = base.get(i % base.size());
      out.add(Sample.newBuilder(b).setId("golden/" + (i * 7919 % 40) + "/ElasticDeform#" + (i % 4)).build());
    }
    return out;
  }

  /** Writes the golden set in both formats under {@code root} (3 shards, provenance recorded), each writer tuned by {@code tuning}. */
  static PipelineResult writeGolden(Path root, int parallelism, Function<ShardFormat, UnaryOperator<WriteShards>> tuning) {
    Pipeline p = ShardsRoundTripTest.pipeline(parallelism);
    var in = p.apply(Create.of(goldenSamples()).withCoder(Coders.sample()));
    for (ShardFormat f : List.of(ShardFormat.AVRO, ShardFormat.TFRECORD)) {
      String name = f == ShardFormat.AVRO ? "Avro" : "TFRecord";
      in.apply("Write" + name, tuning.apply(f).apply(WriteShards.to(f, root.resolve(name.toLowerCase()).toString())
          .withShards(3).withSeed(42).withProvenance("Train" + name, "Write" + name, "{\"path\": \"x\", \"shards\": 3}")));
    }
    PipelineResult r = p.run();
    r.waitUntilFinish();
    return r;
  }

  /** The spilled_runs counter of a finished run. */
  static long spilledRuns(PipelineResult r, String step) {
    long n = 0;
    for (MetricResult<Long> c : r.metrics().queryMetrics(MetricsFilter.builder().addStep(step)
        .addNameFilter(MetricNameFilter.named(WriteShards.class, WriteShards.SPILLED_RUNS)).build()).getCounters()) {
      n += c.getAttempted();
    }
    return n;
  }

  /** "folder/file sha256" for every file under {@code root}, sorted. */
  static Map<String, String> hashes(Path root) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (var s = Files.walk(root)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(f)) {
          m.put(root.relativize(f).toString().replace('\\', '/'),
              Hashing.sha256().hashBytes(Files.readAllBytes(f)).toString());
        }
      }
    }
    return m;
  }

  static Map<String, String> fixture() throws IOException {
    Map<String, String> m = new TreeMap<>();
    for (String line : Files.readAllLines(FIXTURE, StandardCharsets.UTF_8)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        String[] parts = line.trim().split("\\s+");
        m.put(parts[0], parts[1]);
      }
    }
    return m;
  }

  static String render(Map<String, String> hashes) {
    StringBuilder b = new StringBuilder("# ShardsGoldenTest: SHA-256 of every file WriteShards wrote for the golden set\n");
    hashes.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
    return b.toString();
  }

  @Test
  void shardBytesAndManifestEqualTheRecordedFixture(@TempDir Path dir) throws Exception {
    writeGolden(dir, 2, f -> w -> w);
    Map<String, String> actual = hashes(dir);
    if (Boolean.getBoolean("unet.golden.record")) {
      Files.createDirectories(FIXTURE.getParent());
      Files.writeString(FIXTURE, render(actual));
      throw new AssertionError("recorded " + FIXTURE + "; rerun without -Dunet.golden.record=true");
    }
    assertEquals(render(fixture()), render(actual));
  }

  /**
   * The spilling path, in one pipeline: the Avro writer gets a 1-byte sort buffer, so every sample
   * is spilled as its own run (40) and a fan-in of 2 merges them in several passes; the TFRecord
   * writer gets a buffer of a few samples, so runs hold several samples. Both must give the recorded
   * bytes, i.e. exactly what the unspilled in-memory write gave, and leave no run or staging folder.
   */
  @Test
  void spilledAndMergedRunsGiveTheSameBytes(@TempDir Path dir) throws Exception {
    long sampleBytes = 2 * 24 * 20 * 2;
    PipelineResult r = writeGolden(dir, 1, f -> f == ShardFormat.AVRO
        ? w -> w.withSortBufferBytes(1).withMergeFanIn(2)
        : w -> w.withSortBufferBytes(3 * sampleBytes).withMergeFanIn(3));
    assertEquals(40, spilledRuns(r, "WriteAvro"), "one run per sample");
    long runs = spilledRuns(r, "WriteTFRecord");
    assertTrue(runs > 6 && runs < 40, "several multi-sample runs, got " + runs);
    assertEquals(fixture(), hashes(dir));
    try (var s = Files.list(dir)) {
      assertEquals(List.of("avro", "tfrecord"), s.map(f -> f.getFileName().toString()).sorted().toList());
    }
  }

  /** The fixture is what it claims: one line per shard file and manifest, in both folders. */
  @Test
  void fixtureCoversEveryShardAndManifest() throws IOException {
    assertEquals(List.of("avro/manifest.json", "avro/part-00000-of-00003.avro", "avro/part-00001-of-00003.avro",
        "avro/part-00002-of-00003.avro", "tfrecord/manifest.json", "tfrecord/part-00000-of-00003.tfrecord",
        "tfrecord/part-00001-of-00003.tfrecord", "tfrecord/part-00002-of-00003.tfrecord"),
        new ArrayList<>(fixture().keySet()));
  }
}
