package org.unetpipelines.io;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import com.google.common.hash.HashingOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardFormat;

/**
 * Deterministic shard files. A sample goes to shard {@code murmur3_32(id) mod n}; inside a shard,
 * samples are sorted by id; Avro container files use a sync marker derived from the file name
 * rather than a random one. So the same samples always give byte-identical files, whatever runner,
 * parallelism or bundle order produced them.
 */
public final class ShardFiles {
  private static final Pattern SHARD_NAME = Pattern.compile("part-\\d{5}-of-\\d{5}\\.(avro|tfrecord)");

  private ShardFiles() {}

  public static String extension(ShardFormat format) {
    return format == ShardFormat.AVRO ? "avro" : "tfrecord";
  }

  public static String shardName(int index, int count, ShardFormat format) {
    return String.format("part-%05d-of-%05d.%s", index, count, extension(format));
  }

  public static boolean isShardName(String name) {
    return SHARD_NAME.matcher(name).matches();
  }

  /** The shard a sample id belongs to. */
  public static int shardOf(String id, int shards) {
    checkArgument(shards >= 1, "shards must be >= 1, got %s", shards);
    return Math.floorMod(Hashing.murmur3_32_fixed().hashString(id, StandardCharsets.UTF_8).asInt(), shards);
  }

  /** Writes one shard (sorting a copy of {@code samples} by id); returns its entry for the manifest. */
  public static Manifest.Shard writeShard(Path dir, int index, int count, ShardFormat format, List<Sample> samples)
      throws IOException {
    List<Sample> sorted = new ArrayList<>(samples);
    sorted.sort(Comparator.comparing(Sample::getId));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).getId().equals(sorted.get(i - 1).getId())) {
        throw new IllegalStateException("duplicate sample id '" + sorted.get(i).getId()
            + "': ids must be unique (fan-out stages add '/<stage>#<copy>')");
      }
    }
    Files.createDirectories(dir);
    String name = shardName(index, count, format);
    Path tmp = dir.resolve("." + name + ".inprogress");
    HashingOutputStream hashing;
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      hashing = new HashingOutputStream(Hashing.sha256(), file);
      if (format == ShardFormat.AVRO) {
        try (DataFileWriter<Sample> w = new DataFileWriter<>(new SpecificDatumWriter<>(Sample.class))) {
          w.setCodec(CodecFactory.deflateCodec(6));
          byte[] sync = Hashing.murmur3_128().hashString(name, StandardCharsets.UTF_8).asBytes();
          w.create(Sample.getClassSchema(), hashing, sync);
          for (Sample s : sorted) {
            w.append(s);
          }
        }
      } else {
        for (Sample s : sorted) {
          TFRecords.write(hashing, ExampleCodec.encode(s));
        }
        hashing.flush();
      }
    }
    Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new Manifest.Shard(name, sorted.size(), hashing.hash().toString());
  }

  /** Deletes shard files in {@code dir} that are not in {@code keep} (left over from an earlier run). */
  public static void deleteStale(Path dir, List<String> keep) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        if (isShardName(n) && !keep.contains(n)) {
          Files.delete(p);
        }
      }
    }
  }
}
