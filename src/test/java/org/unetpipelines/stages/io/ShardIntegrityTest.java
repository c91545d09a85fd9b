package org.unetpipelines.stages.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.io.ShardFiles;
import org.unetpipelines.io.ShardReader;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardFormat;
import org.unetpipelines.stages.SampleResult;

/**
 * Shard folders on disk: every shard is checked against the manifest's SHA-256 when read, and a
 * rerun replaces the folder as a whole (staging sibling, then rename), so an interrupted rerun leaves
 * the old folder as it was.
 */
class ShardIntegrityTest {

  static void write(Path dir, List<Sample> samples, int shards) {
    Pipeline p = ShardsRoundTripTest.pipeline(2);
    p.apply(Create.of(samples).withCoder(Coders.sample())).apply(WriteShards.avro(dir.toString()).withShards(shards));
    p.run().waitUntilFinish();
  }

  static List<String> siblings(Path dir) throws IOException {
    try (var s = Files.list(dir.getParent())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  // --- SHA-256 check on reading -----------------------------------------------------------------

  /** A shard swapped for another valid shard file: the format checks pass, only the checksum sees it. */
  @Test
  void aShardReplacedByAnotherValidFileIsRefusedByNameByShardReader(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    write(a, ShardsRoundTripTest.samples(), 1);
    write(b, ShardsRoundTripTest.samples().subList(0, 2), 1);
    Path shard = a.resolve("part-00000-of-00001.avro");
    Files.copy(b.resolve("part-00000-of-00001.avro"), shard, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(2, ShardReader.readFile(shard).size(), "the swapped-in file is a valid shard");

    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ShardReader.read(a).forEach(s -> { }));
    ShardReader.ChecksumMismatchException cause = assertInstanceOf(ShardReader.ChecksumMismatchException.class, e.getCause());
    assertEquals(shard, cause.file());
    String expected = Manifest.read(a).shards().get(0).sha256();
    String actual = Manifest.read(b).shards().get(0).sha256();
    assertEquals("shard file " + shard + " is corrupt: its SHA-256 is " + actual + " but the manifest records "
        + expected + " (the file was changed or truncated after it was written; rewrite the folder)", e.getMessage());
  }

  /** No sample of a corrupt shard is returned: the check runs before decoding. */
  @Test
  void shardReaderStopsBeforeTheFirstSampleOfACorruptShard(@TempDir Path dir) throws Exception {
    write(dir, ShardsRoundTripTest.samples(), 3);
    Manifest m = Manifest.read(dir);
    Path second = dir.resolve(m.shards().get(1).file());
    byte[] bytes = Files.readAllBytes(second);
    bytes[bytes.length - 1] ^= 0x01;
    Files.write(second, bytes);
    List<Sample> seen = new ArrayList<>();
    assertThrows(UncheckedIOException.class, () -> ShardReader.read(dir).forEach(seen::add));
    assertEquals(m.shards().get(0).records(), seen.size(), "only the first shard's samples");
  }

  /** ReadShards dead-letters the corrupt shard and the missing one, naming each, and reads the rest. */
  @Test
  void readShardsDeadLettersCorruptAndMissingShardsAndReadsTheOthers(@TempDir Path dir) throws Exception {
    write(dir, ShardsRoundTripTest.samples(), 3);
    Manifest m = Manifest.read(dir);
    Path corrupt = dir.resolve(m.shards().get(0).file());
    Path missing = dir.resolve(m.shards().get(2).file());
    List<Sample> good = ShardReader.readFile(dir.resolve(m.shards().get(1).file()));
    assertFalse(good.isEmpty());
    byte[] bytes = Files.readAllBytes(corrupt);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(corrupt, bytes);
    Files.delete(missing);

    Pipeline p = ShardsRoundTripTest.pipeline(2);
    SampleResult r = p.apply(ReadShards.from(dir.toString()).withStageName("Shards"));
    PAssert.that(r.samples()).containsInAnyOrder(good);
    String corruptFile = corrupt.toString();
    String missingFile = missing.toString();
    String recorded = m.shards().get(0).sha256();
    PAssert.that(r.deadLetters()).satisfies(letters -> {
      Map<String, DeadLetter> byInput = new java.util.TreeMap<>();
      letters.forEach(d -> byInput.put(d.getInput(), d));
      assertEquals(List.of(corruptFile, missingFile), new ArrayList<>(byInput.keySet()));
      DeadLetter c = byInput.get(corruptFile);
      assertEquals("Shards", c.getStage());
      assertTrue(c.getReason().startsWith("shard file " + corruptFile + " is corrupt: its SHA-256 is "), c.getReason());
      assertTrue(c.getReason().contains("but the manifest records " + recorded), c.getReason());
      assertEquals(missingFile + ": shard file listed in the manifest is missing (the folder is incomplete; rewrite it)",
          byInput.get(missingFile).getReason());
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void aManifestWithoutChecksumCannotBeVerified(@TempDir Path dir) throws Exception {
    write(dir, ShardsRoundTripTest.samples(), 1);
    Path shard = dir.resolve("part-00000-of-00001.avro");
    ShardReader.ChecksumMismatchException e = assertThrows(ShardReader.ChecksumMismatchException.class,
        () -> ShardReader.verify(shard, null));
    assertTrue(e.getMessage().contains("the manifest records no SHA-256 for it"), e.getMessage());
    ShardReader.verify(shard, Manifest.read(dir).shards().get(0).sha256());
  }

  // --- whole-folder replacement ---------------------------------------------------------------

  /** A rerun that fails half-way (a duplicate id while merging) leaves the old folder byte for byte. */
  @Test
  void anInterruptedRerunLeavesTheOldFolderIntactAndTheNextRunCleansUp(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("shards");
    write(dir, ShardsRoundTripTest.samples(), 5);
    Map<String, byte[]> before = ShardsRoundTripTest.files(dir);

    List<Sample> bad = new ArrayList<>(ShardsRoundTripTest.samples().subList(0, 4));
    bad.add(ShardsRoundTripTest.samples().get(0)); // duplicate id: the shard merge fails
    RuntimeException e = assertThrows(RuntimeException.class, () -> write(dir, bad, 2));
    assertTrue(String.valueOf(e.getMessage()).contains("duplicate sample id 's0'"), e.getMessage());
    Map<String, byte[]> after = ShardsRoundTripTest.files(dir);
    assertEquals(before.keySet(), after.keySet(), "no new shard beside the old manifest");
    before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
    assertTrue(siblings(dir).stream().anyMatch(n -> n.startsWith(".shards.writing-")), "the failed run's staging folder");

    write(dir, ShardsRoundTripTest.samples().subList(0, 3), 2);
    assertEquals(List.of("manifest.json", "part-00000-of-00002.avro", "part-00001-of-00002.avro"),
        new ArrayList<>(ShardsRoundTripTest.files(dir).keySet()));
    assertEquals(3, Manifest.read(dir).records());
    assertEquals(List.of("shards"), siblings(dir), "staging and replaced folders are gone");
  }

  /** A stop between the two renames leaves no folder at all (never a mixed one); the next swap recovers. */
  @Test
  void replaceFolderRecoversFromAStopBetweenItsTwoRenames(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("out");
    String oldToken = UUID.randomUUID().toString();
    Path aside = tmp.resolve(".out.replaced-" + oldToken);
    Files.createDirectories(aside);
    Files.writeString(aside.resolve("manifest.json"), "{}");
    Path staleStaging = ShardFiles.stagingFolder(dir, UUID.randomUUID().toString());
    Files.createDirectories(staleStaging);
    String token = UUID.randomUUID().toString();
    Path staging = ShardFiles.stagingFolder(dir, token);
    ShardFiles.writeShard(staging, 0, 1, ShardFormat.AVRO, ShardsRoundTripTest.samples());
    Files.writeString(staging.resolve("manifest.json"), "{\"new\": true}");
    Files.writeString(tmp.resolve(".outx.writing-" + oldToken), "not ours: another folder's name");

    ShardFiles.replaceFolder(staging, dir, token);
    assertEquals("{\"new\": true}", Files.readString(dir.resolve("manifest.json")));
    assertEquals(List.of(".outx.writing-" + oldToken, "out"), siblings(dir));
  }

  @Test
  void aFolderHoldingOtherFilesIsNotReplaced(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("shards");
    write(dir, ShardsRoundTripTest.samples(), 2);
    Files.writeString(dir.resolve("notes.txt"), "mine");
    Files.createDirectories(dir.resolve("tfrecord"));
    Pipeline p = ShardsRoundTripTest.pipeline(1);
    var in = p.apply(Create.of(ShardsRoundTripTest.samples()).withCoder(Coders.sample()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> in.apply(WriteShards.avro(dir.toString())));
    assertEquals("shard folder " + dir + " holds entries a shard writer did not write (notes.txt, tfrecord); a rerun "
        + "replaces the whole folder, so it must hold only part-*-of-*.avro|tfrecord and manifest.json: choose another "
        + "'path' or move them away", e.getMessage());

    String token = UUID.randomUUID().toString();
    Path staging = ShardFiles.stagingFolder(dir, token);
    ShardFiles.writeShard(staging, 0, 1, ShardFormat.AVRO, List.of());
    Files.writeString(staging.resolve("manifest.json"), "{}");
    IOException io = assertThrows(IOException.class, () -> ShardFiles.replaceFolder(staging, dir, token));
    assertTrue(io.getMessage().contains("(notes.txt, tfrecord)"), io.getMessage());
    assertTrue(Files.exists(dir.resolve("notes.txt")) && Files.exists(staging.resolve("manifest.json")),
        "both folders untouched");
  }

  @Test
  void rejectedFolderArguments(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("afile");
    Files.writeString(file, "x");
    Pipeline p = ShardsRoundTripTest.pipeline(1);
    var in = p.apply(Create.of(ShardsRoundTripTest.samples()).withCoder(Coders.sample()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> in.apply(WriteShards.tfrecord(file.toString())));
    assertTrue(e.getMessage().contains("exists and is not a folder"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ShardFiles.stagingFolder(tmp.resolve("x"), "../y"));
    assertEquals("staging token must be a UUID, got '../y'", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> WriteShards.avro("/"));
    assertEquals("output directory must not be the file system root, got /", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> WriteShards.avro("x").withSortBufferBytes(0));
    assertEquals("sort buffer must be >= 1 byte, got 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> WriteShards.avro("x").withMergeFanIn(1));
    assertEquals("merge fan-in must be 2..1024 run files, got 1", e.getMessage());
    Path staging = ShardFiles.stagingFolder(tmp.resolve("x"), UUID.randomUUID().toString());
    Files.createDirectories(staging);
    e = assertThrows(IllegalArgumentException.class,
        () -> ShardFiles.replaceFolder(staging, tmp.resolve("x"), UUID.randomUUID().toString()));
    assertEquals(staging + " has no manifest.json: not a finished folder", e.getMessage());
  }
}
