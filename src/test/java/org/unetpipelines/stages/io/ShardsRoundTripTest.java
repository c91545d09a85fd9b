package org.unetpipelines.stages.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.io.ShardReader;
import org.unetpipelines.records.AugmentParam;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.stages.SampleResult;

public class ShardsRoundTripTest {

  /** Samples covering every field: 8- and 16-bit images, masks, float weights, labels, params. */
  public static List<Sample> samples() {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      Synthetic.Pair pair = Synthetic.ellipses(5, i, 24, 20, 2, 3, 6, 4);
      Sample.Builder b = Sample.newBuilder().setId("s" + i).setSource("test").setSeed(5).setCopy(i % 3)
          .setImage(Tensors.toTensor(i % 2 == 0 ? pair.image()
              : ImageArray.wrap(24, 20, 1, ImageArray.Depth.U16, scaled(pair.image().data()))))
          .setParams(List.of(AugmentParam.newBuilder().setStage("E").setName("dx").setValue(i * 0.1).build()));
      if (i != 4) {
        b.setMask(Tensors.toTensor(pair.mask()));
      }
      if (i % 3 == 0) {
        float[] w = new float[24 * 20];
        for (int k = 0; k < w.length; k++) {
          w[k] = 1f + k * 0.01f;
        }
        b.setWeights(Tensors.toTensor(ImageArray.wrap(24, 20, 1, ImageArray.Depth.F32, w)));
      }
      if (i == 7) {
        b.setLabel(3);
      }
      out.add(b.build());
    }
    return out;
  }

  private static float[] scaled(float[] v) {
    float[] o = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      o[i] = v[i] * 257;
    }
    return o;
  }

  static Pipeline pipeline(int parallelism) {
    DirectOptions o = PipelineOptionsFactory.create().as(DirectOptions.class);
    o.setTargetParallelism(parallelism);
    Pipeline p = Pipeline.create(o);
    Coders.register(p);
    return p;
  }

  static void write(Path dir, String kind, int shards, int parallelism) {
    Pipeline p = pipeline(parallelism);
    PCollection<Sample> in = p.apply(Create.of(samples()).withCoder(Coders.sample()));
    in.apply(kind.equals("avro") ? WriteShards.avro(dir.toString()).withShards(shards)
        : WriteShards.tfrecord(dir.toString()).withShards(shards));
    p.run().waitUntilFinish();
  }

  static Map<String, byte[]> files(Path dir) throws Exception {
    Map<String, byte[]> m = new TreeMap<>();
    try (var s = Files.list(dir)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        m.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    return m;
  }

  @Test
  void avroAndTfrecordReadBackEqual(@TempDir Path dir) throws Exception {
    for (String kind : List.of("avro", "tfrecord")) {
      Path d = dir.resolve(kind);
      write(d, kind, 3, 2);
      List<Sample> back = new ArrayList<>();
      ShardReader.read(d).forEach(back::add);
      back.sort(Comparator.comparing(Sample::getId));
      assertEquals(samples(), back, kind);
      Manifest m = Manifest.read(d);
      assertEquals(9, m.records());
      assertEquals(3, m.shards().size());
      assertEquals(kind, m.format());
      assertEquals(9, m.ids().size());

      // The Beam reader too, from a path.
      Pipeline p = pipeline(2);
      PAssert.that(p.apply(ReadShards.from(d.toString())).samples()).containsInAnyOrder(samples());
      p.run().waitUntilFinish();
    }
  }

  @Test
  void writeThenReadInOnePipelineViaShardSet(@TempDir Path dir) {
    Pipeline p = pipeline(2);
    PCollection<ShardSet> set = p.apply(Create.of(samples()).withCoder(Coders.sample()))
        .apply(WriteShards.tfrecord(dir.toString()).withShards(2));
    SampleResult back = set.apply(ReadShards.fromShardSets());
    PAssert.that(back.samples()).containsInAnyOrder(samples());
    PAssert.that(back.deadLetters()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void outputIsByteIdenticalAcrossRunsAndParallelism(@TempDir Path dir) throws Exception {
    for (String kind : List.of("avro", "tfrecord")) {
      write(dir.resolve(kind + "1"), kind, 4, 1);
      write(dir.resolve(kind + "2"), kind, 4, 4);
      Map<String, byte[]> a = files(dir.resolve(kind + "1"));
      Map<String, byte[]> b = files(dir.resolve(kind + "2"));
      assertEquals(a.keySet(), b.keySet());
      a.forEach((k, v) -> assertArrayEquals(v, b.get(k), kind + " " + k));
    }
  }

  @Test
  void staleShardsFromAnEarlierRunAreRemovedAndEmptyShardsWritten(@TempDir Path dir) throws Exception {
    write(dir, "avro", 5, 2);
    Pipeline p = pipeline(1);
    p.apply(Create.of(samples().subList(0, 1)).withCoder(Coders.sample())).apply(WriteShards.avro(dir.toString()).withShards(3));
    p.run().waitUntilFinish();
    Map<String, byte[]> f = files(dir);
    assertEquals(List.of("manifest.json", "part-00000-of-00003.avro", "part-00001-of-00003.avro", "part-00002-of-00003.avro"),
        new ArrayList<>(f.keySet()));
    assertEquals(1, Manifest.read(dir).records());
    List<Sample> back = new ArrayList<>();
    ShardReader.read(dir).forEach(back::add);
    assertEquals(1, back.size());
  }

  /** An independent TFRecord reader: own framing code, Guava's CRC32C (the writer uses the JDK's). */
  static List<byte[]> independentRead(Path file) throws Exception {
    List<byte[]> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file); DataInputStream d = new DataInputStream(in)) {
      while (true) {
        byte[] len = new byte[8];
        try {
          d.readFully(len);
        } catch (EOFException e) {
          break;
        }
        int lenCrc = Integer.reverseBytes(d.readInt());
        assertEquals(masked(Hashing.crc32c().hashBytes(len).asInt()), lenCrc, "length crc");
        long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] data = new byte[(int) n];
        d.readFully(data);
        int dataCrc = Integer.reverseBytes(d.readInt());
        assertEquals(masked(Hashing.crc32c().hashBytes(data).asInt()), dataCrc, "data crc");
        out.add(data);
      }
    }
    return out;
  }

  static int masked(int crc) {
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }

  @Test
  void tfrecordFramingDecodesWithAnIndependentReader(@TempDir Path dir) throws Exception {
    write(dir, "tfrecord", 1, 1);
    List<byte[]> records = independentRead(dir.resolve("part-00000-of-00001.tfrecord"));
    assertEquals(9, records.size());
    Example ex = Example.parseFrom(records.get(0));
    Map<String, Feature> f = ex.getFeatures().getFeatureMap();
    assertEquals("s0", f.get("sample/id").getBytesList().getValue(0).toStringUtf8());
    assertEquals(24, f.get("image/height").getInt64List().getValue(0));
    assertEquals(20, f.get("image/width").getInt64List().getValue(0));
    assertEquals(1, f.get("image/channels").getInt64List().getValue(0));
    assertEquals("png", f.get("image/format").getBytesList().getValue(0).toStringUtf8());
    byte[] png = f.get("image/encoded").getBytesList().getValue(0).toByteArray();
    assertEquals((byte) 0x89, png[0]);
    assertEquals('P', png[1]);
    assertTrue(f.containsKey("mask/encoded"));
    assertTrue(f.containsKey("weights/raw"));
  }

  @Test
  void corruptTfrecordIsDetected(@TempDir Path dir) throws Exception {
    write(dir, "tfrecord", 1, 1);
    Path file = dir.resolve("part-00000-of-00001.tfrecord");
    byte[] b = Files.readAllBytes(file);
    b[40] ^= 0x55;
    Files.write(file, b);
    RuntimeException e = assertThrows(RuntimeException.class, () -> ShardReader.readFile(file));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
  }

  @Test
  void rejectedArguments(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WriteShards.avro("x").withShards(0));
    assertEquals("shards must be 1..99999, got 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> WriteShards.avro(" "));
    Pipeline p = pipeline(1);
    IllegalArgumentException noManifest = assertThrows(IllegalArgumentException.class,
        () -> p.apply(ReadShards.from(dir.toString())));
    assertTrue(noManifest.getMessage().contains("no manifest.json in"), noManifest.getMessage());
    assertFalse(Files.exists(dir.resolve("manifest.json")));
  }
}
