package org.unetpipelines.io;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import com.google.common.hash.HashingOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
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
 * parallelism or bundle order produced them. A folder is written as a whole into a staging sibling
 * and swapped in ({@link #replaceFolder}), so a rerun never mixes old and new files.
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
    sorted.sort(Comparator.comparing(s -> s.getId().toString()));
    return writeSortedShard(dir, index, count, format, sorted.iterator());
  }

  /**
   * Writes one shard from samples already in id order ({@link String#compareTo}), streaming: only
   * one sample is held at a time. Rejects duplicate ids; returns the shard's entry for the manifest.
   */
  public static Manifest.Shard writeSortedShard(Path dir, int index, int count, ShardFormat format,
      Iterator<Sample> sorted) throws IOException {
    Files.createDirectories(dir);
    String name = shardName(index, count, format);
    Path tmp = dir.resolve("." + name + ".inprogress");
    HashingOutputStream hashing;
    long records = 0;
    String previous = null;
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      hashing = new HashingOutputStream(Hashing.sha256(), file);
      DataFileWriter<Sample> avro = null;
      if (format == ShardFormat.AVRO) {
        avro = new DataFileWriter<>(new SpecificDatumWriter<>(Sample.class));
        avro.setCodec(CodecFactory.deflateCodec(6));
        byte[] sync = Hashing.murmur3_128().hashString(name, StandardCharsets.UTF_8).asBytes();
        avro.create(Sample.getClassSchema(), hashing, sync);
      }
      try {
        while (sorted.hasNext()) {
          Sample s = sorted.next();
          String id = s.getId().toString();
          if (previous != null) {
            int c = id.compareTo(previous);
            if (c == 0) {
              throw new IllegalStateException("duplicate sample id '" + id
                  + "': ids must be unique (fan-out stages add '/<stage>#<copy>')");
            }
            checkArgument(c > 0, "samples not in id order: '%s' after '%s'", id, previous);
          }
          previous = id;
          if (avro != null) {
            avro.append(s);
          } else {
            TFRecords.write(hashing, ExampleCodec.encode(s));
          }
          records++;
        }
      } finally {
        if (avro != null) {
          avro.close(); // flushes the last block and closes the stream
        }
      }
      if (avro == null) {
        hashing.flush();
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new Manifest.Shard(name, records, hashing.hash().toString());
  }

  /**
   * The temporary sibling folder ({@code .<name>.writing-<token>}) a write into {@code dir} fills
   * before {@link #replaceFolder} swaps it in; {@code token} is unique per pipeline run.
   */
  public static Path stagingFolder(Path dir, String token) {
    checkArgument(TOKEN.matcher(token).matches(), "staging token must be a UUID, got '%s'", token);
    return dir.resolveSibling("." + dir.getFileName() + ".writing-" + token);
  }

  /** Entries of {@code dir} that a shard writer did not write (shards, manifest, their temp files); empty if none. */
  public static List<String> foreignEntries(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (var s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        boolean own = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            && (n.equals(Manifest.FILE) || n.equals(Manifest.FILE + ".tmp") || isShardName(n)
                || (n.startsWith(".") && n.endsWith(".inprogress") && isShardName(n.substring(1, n.length() - 11))));
        if (!own) {
          out.add(n);
        }
      }
    }
    out.sort(String::compareTo);
    return out;
  }

  /**
   * Puts the finished {@code staging} folder in place of {@code dir}. The old folder, if any, is first
   * renamed aside ({@code .<name>.replaced-<token>}), then {@code staging} is renamed to {@code dir}
   * and the old one deleted, so whenever the process stops, {@code dir} is either the complete old
   * folder, absent, or the complete new one: never an old manifest beside new shards. Leftover
   * staging / replaced siblings of earlier interrupted runs are deleted afterwards. An existing
   * {@code dir} that holds anything but shard files and a manifest is not replaced (an IOException
   * names what it holds).
   */
  public static void replaceFolder(Path staging, Path dir, String token) throws IOException {
    checkArgument(Files.isRegularFile(staging.resolve(Manifest.FILE)), "%s has no %s: not a finished folder",
        staging, Manifest.FILE);
    Path old = dir.resolveSibling("." + dir.getFileName() + ".replaced-" + token);
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      checkReplaceable(dir);
      Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
    if (Files.exists(old, LinkOption.NOFOLLOW_LINKS)) {
      MoreFiles.deleteRecursively(old, RecursiveDeleteOption.ALLOW_INSECURE);
    }
    Pattern leftover = Pattern.compile("\\." + Pattern.quote(dir.getFileName().toString())
        + "\\.(writing|replaced)-" + TOKEN.pattern());
    try (var s = Files.list(dir.getParent())) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (leftover.matcher(p.getFileName().toString()).matches()) {
          MoreFiles.deleteRecursively(p, RecursiveDeleteOption.ALLOW_INSECURE);
        }
      }
    }
  }

  /** Throws when {@code dir} exists but is not a folder that only a shard writer wrote into. */
  public static void checkReplaceable(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("shard folder " + dir + " exists and is not a folder (a file or a link): "
          + "choose another 'path' or remove it");
    }
    List<String> foreign = foreignEntries(dir);
    if (!foreign.isEmpty()) {
      throw new IOException("shard folder " + dir + " holds entries a shard writer did not write ("
          + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
          + (foreign.size() > 5 ? ", ... " + foreign.size() + " in all" : "")
          + "); a rerun replaces the whole folder, so it must hold only part-*-of-*.avro|tfrecord and "
          + Manifest.FILE + ": choose another 'path' or move them away");
    }
  }

  private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
}
