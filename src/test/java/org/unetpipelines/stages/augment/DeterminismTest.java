package org.unetpipelines.stages.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.io.SyntheticImages;
import org.unetpipelines.stages.io.WriteShards;

/**
 * The same augmentation pipeline run with different parallelism and bundling writes byte-identical
 * shards: a copy's randomness depends only on (seed, sample id, copy, stage name).
 */
class DeterminismTest {

  static void runPipeline(Path out, int parallelism, boolean reshuffle) {
    DirectOptions opts = PipelineOptionsFactory.as(DirectOptions.class);
    opts.setTargetParallelism(parallelism);
    opts.setBlockOnRun(true);
    Pipeline p = Pipeline.create(opts);
    Coders.register(p);
    PCollection<Sample> samples = p.apply("Synthetic",
        SyntheticImages.membranes().withCount(5).withSize(48, 40).withCells(6).withNoise(4).withSeed(42));
    if (reshuffle) {
      samples = samples.apply("Rebundle", Reshuffle.viaRandomKey());
    }
    samples
        .apply("Pad", MirrorPad.of(8).withSeed(42)).samples()
        .apply("Deform", ElasticDeform.create().withCopies(4).withSeed(42).withCrop(48, 40)).samples()
        .apply("Rotate", Rotate.uniform(20).withSeed(42)).samples()
        .apply("Weights", BorderWeightMap.create().withSeed(42)).samples()
        .apply("Write", WriteShards.avro(out.toString()).withShards(3).withSeed(42));
    p.run().waitUntilFinish();
  }

  static TreeMap<String, byte[]> files(Path dir) throws IOException {
    TreeMap<String, byte[]> m = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.collect(Collectors.toList())) {
        m.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    return m;
  }

  @Test
  void sameShardsAcrossRunsParallelismAndBundles(@TempDir Path tmp) throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Path c = tmp.resolve("c");
    runPipeline(a, 1, false);
    runPipeline(b, 1, false);
    runPipeline(c, 4, true);
    TreeMap<String, byte[]> fa = files(a);
    TreeMap<String, byte[]> fb = files(b);
    TreeMap<String, byte[]> fc = files(c);
    assertTrue(fa.containsKey(Manifest.FILE), fa.keySet().toString());
    assertEquals(4, fa.size(), fa.keySet().toString()); // 3 shards + manifest
    assertEquals(fa.keySet(), fb.keySet());
    assertEquals(fa.keySet(), fc.keySet());
    for (String name : fa.keySet()) {
      assertArrayEquals(fa.get(name), fb.get(name), "run twice: " + name);
      assertArrayEquals(fa.get(name), fc.get(name), "parallelism 4 + reshuffle: " + name);
    }
    Manifest m = Manifest.read(a);
    assertEquals(20, m.records());
    assertEquals(List.of("membranes-00000/ElasticDeform#0", "membranes-00000/ElasticDeform#1"),
        m.ids().subList(0, 2));
  }
}
