package org.unetpipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardFormat;

class SortedRunsTest {

  /** A small sample whose pixels depend on its index, so decoding mix-ups show. */
  static Sample sample(String id, int index) {
    float[] px = new float[6];
    for (int i = 0; i < px.length; i++) {
      px[i] = (index * 7 + i) % 256;
    }
    return Sample.newBuilder().setId(id).setSource("t").setSeed(index).setCopy(index % 5)
        .setImage(Tensors.toTensor(ImageArray.wrap(2, 3, 1, ImageArray.Depth.U8, px))).build();
  }

  static List<Sample> shuffledSamples(int n, long seed) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(sample("img" + (i * 37 % n) + "/Elastic#" + (i % 3), i));
    }
    Collections.shuffle(out, new Random(seed));
    return out;
  }

  static List<Sample> drain(SortedRuns.Merged m) {
    List<Sample> out = new ArrayList<>();
    m.forEachRemaining(out::add);
    return out;
  }

  static List<String> listing(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void smallBufferSpillsManyRunsThatMergeBackInIdOrderAtAnyFanIn(@TempDir Path dir) throws Exception {
    List<Sample> in = shuffledSamples(200, 1);
    int shards = 3;
    long limit = 1_000; // a few samples' encodings
    SortedRuns.Spiller sp = new SortedRuns.Spiller(dir, limit);
    for (Sample s : in) {
      sp.add(ShardFiles.shardOf(s.getId(), shards), s);
      assertTrue(sp.bufferedBytes() < limit, "buffer stays under its limit: " + sp.bufferedBytes());
    }
    List<SortedRuns.Run> runs = sp.flush();
    assertEquals(0, sp.bufferedBytes());
    assertEquals(200, runs.stream().mapToLong(SortedRuns.Run::records).sum());
    assertTrue(runs.size() > 3 * 16, "more runs per shard than the default fan-in: " + runs.size());
    assertEquals(List.of(), sp.flush(), "flush forgets the runs it returned");
    List<String> runFiles = listing(dir);
    assertEquals(runs.size(), runFiles.size());

    for (int shard = 0; shard < shards; shard++) {
      int k = shard;
      List<Sample> expected = in.stream().filter(s -> ShardFiles.shardOf(s.getId(), shards) == k)
          .sorted(Comparator.comparing(s -> s.getId())).toList();
      List<String> files = runs.stream().filter(r -> r.shard() == k).map(SortedRuns.Run::file).toList();
      for (int fanIn : new int[] {2, 3, 16, 1000}) {
        try (SortedRuns.Merged m = SortedRuns.merge(dir, files, fanIn)) {
          assertEquals(expected, drain(m), "shard " + k + " fan-in " + fanIn);
        }
        // Intermediate runs of multi-pass merges are gone; the spilled runs are kept.
        assertEquals(runFiles, listing(dir), "fan-in " + fanIn);
      }
    }
  }

  /** The order is String.compareTo (UTF-16 units), not UTF-8 bytes: they differ above U+FFFF. */
  @Test
  void mergeOrderIsStringCompareToEvenWhereUtf8BytesSortOtherwise(@TempDir Path dir) throws Exception {
    String astral = "a\uD83D\uDE00"; // U+1F600: UTF-8 F0..., UTF-16 D83D
    String bmpHigh = "a\uFFFD"; // UTF-8 EF BF BD, UTF-16 FFFD
    assertTrue(astral.compareTo(bmpHigh) < 0);
    SortedRuns.Spiller sp = new SortedRuns.Spiller(dir, 1);
    sp.add(0, sample(bmpHigh, 1));
    sp.add(0, sample(astral, 2));
    sp.add(0, sample("a", 3));
    List<String> files = sp.flush().stream().map(SortedRuns.Run::file).toList();
    assertEquals(3, files.size());
    try (SortedRuns.Merged m = SortedRuns.merge(dir, files, 2)) {
      assertEquals(List.of("a", astral, bmpHigh), drain(m).stream().map(s -> s.getId().toString()).toList());
    }
  }

  @Test
  void duplicateIdsAcrossRunsAreRejectedByTheShardWriter(@TempDir Path dir) throws Exception {
    SortedRuns.Spiller sp = new SortedRuns.Spiller(dir.resolve("runs"), 1);
    sp.add(0, sample("x", 1));
    sp.add(0, sample("y", 2));
    sp.add(0, sample("x", 3));
    List<String> files = sp.flush().stream().map(SortedRuns.Run::file).toList();
    try (SortedRuns.Merged m = SortedRuns.merge(dir.resolve("runs"), files, 16)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> ShardFiles.writeSortedShard(dir.resolve("out"), 0, 1, ShardFormat.AVRO, m));
      assertEquals("duplicate sample id 'x': ids must be unique (fan-out stages add '/<stage>#<copy>')", e.getMessage());
    }
    assertEquals(List.of(), listing(dir.resolve("out")), "no partial shard is left");
  }

  @Test
  void writeSortedShardRejectsUnsortedInput(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ShardFiles.writeSortedShard(dir, 0, 1, ShardFormat.TFRECORD, List.of(sample("b", 1), sample("a", 2)).iterator()));
    assertEquals("samples not in id order: 'a' after 'b'", e.getMessage());
  }

  @Test
  void truncatedRunFileIsReportedByName(@TempDir Path dir) throws Exception {
    SortedRuns.Spiller sp = new SortedRuns.Spiller(dir, 1 << 20);
    sp.add(0, sample("a", 1));
    sp.add(0, sample("b", 2));
    String file = sp.flush().get(0).file();
    Path p = dir.resolve(file);
    byte[] b = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(b, b.length - 3));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> {
      try (SortedRuns.Merged m = SortedRuns.merge(dir, List.of(file), 2)) {
        drain(m);
      }
    });
    assertTrue(e.getMessage().contains("sort run " + p + " is truncated"), e.getMessage());
  }

  @Test
  void rejectedArguments(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SortedRuns.Spiller(dir, 0));
    assertEquals("sort buffer must be >= 1 byte, got 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SortedRuns.merge(dir, List.of(), 1));
    assertEquals("fan-in must be >= 2, got 1", e.getMessage());
  }
}
