package org.unetpipelines.io;

import com.google.common.hash.Hashing;
import com.google.common.hash.HashingInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.unetpipelines.records.Sample;

/**
 * Reads the samples of a finished shard folder (one with {@code manifest.json}), Avro or TFRecord,
 * shard by shard in manifest order. Every shard file's SHA-256 is checked against the manifest
 * before any of its samples is returned ({@link #verify}), so a file changed, truncated or swapped
 * after it was written fails with its name instead of being read. No Beam: the trainer and tools
 * use it directly.
 */
public final class ShardReader {
  private ShardReader() {}

  /** A shard file whose bytes are not the ones its manifest records. */
  public static final class ChecksumMismatchException extends IOException {
    private final Path file;

    ChecksumMismatchException(Path file, String message) {
      super(message);
      this.file = file;
    }

    /** The shard file. */
    public Path file() {
      return file;
    }
  }

  /**
   * All samples of the folder, streamed (each iteration re-reads the files); each file is verified
   * against the manifest when it is opened, and a mismatch throws an {@link UncheckedIOException}
   * whose cause is a {@link ChecksumMismatchException} naming the file.
   */
  public static Iterable<Sample> read(Path dir) throws IOException {
    Manifest m = Manifest.read(dir);
    List<Manifest.Shard> shards = List.copyOf(m.shards());
    List<Path> files = new ArrayList<>();
    for (Manifest.Shard s : shards) {
      files.add(dir.resolve(s.file()));
    }
    return () -> new ShardsIterator(files, shards);
  }

  /**
   * Checks that {@code file}'s SHA-256 is {@code expectedSha256} (hex, as manifests record it).
   * Throws {@link ChecksumMismatchException} naming the file when it is not (or when no checksum is
   * recorded), and other IOExceptions when the file cannot be read.
   */
  public static void verify(Path file, String expectedSha256) throws IOException {
    if (expectedSha256 == null || expectedSha256.isBlank()) {
      throw new ChecksumMismatchException(file, "shard file " + file + ": the manifest records no SHA-256 for it, "
          + "so it cannot be checked (rewrite the folder with WriteAvro / WriteTFRecord)");
    }
    String actual;
    try (InputStream in = Files.newInputStream(file)) {
      HashingInputStream h = new HashingInputStream(Hashing.sha256(), in);
      h.transferTo(OutputStream.nullOutputStream());
      actual = h.hash().toString();
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null,
          "shard file listed in the manifest is missing (the folder is incomplete; rewrite it)");
    }
    if (!actual.equalsIgnoreCase(expectedSha256)) {
      throw new ChecksumMismatchException(file, "shard file " + file + " is corrupt: its SHA-256 is " + actual
          + " but the manifest records " + expectedSha256
          + " (the file was changed or truncated after it was written; rewrite the folder)");
    }
  }

  /** The samples of one shard file (format from its extension), fully read, without a checksum check. */
  public static List<Sample> readFile(Path file) throws IOException {
    List<Sample> out = new ArrayList<>();
    stream(file).forEach(out::add);
    return out;
  }

  /** The samples of one shard file, streamed (one sample in memory at a time), without a checksum check. */
  public static Iterable<Sample> stream(Path file) {
    return () -> new ShardsIterator(List.of(file), null);
  }

  /** Iterates several shard files in order, holding one file open at a time, verifying each when given checksums. */
  private static final class ShardsIterator implements Iterator<Sample> {
    private final List<Path> files;
    private final List<Manifest.Shard> checksums;
    private int nextFile;
    private InputStream in;
    private DataFileStream<Sample> avro;
    private Sample next;
    private Path current;

    ShardsIterator(List<Path> files, List<Manifest.Shard> checksums) {
      this.files = files;
      this.checksums = checksums;
    }

    @Override
    public boolean hasNext() {
      try {
        while (next == null) {
          if (in == null) {
            if (nextFile >= files.size()) {
              return false;
            }
            current = files.get(nextFile);
            if (checksums != null) {
              verify(current, checksums.get(nextFile).sha256());
            }
            nextFile++;
            in = new BufferedInputStream(Files.newInputStream(current), 1 << 16);
            avro = current.toString().endsWith(".avro")
                ? new DataFileStream<>(in, new SpecificDatumReader<>(Sample.class)) : null;
          }
          if (avro != null) {
            if (avro.hasNext()) {
              next = avro.next();
            } else {
              close();
            }
          } else {
            byte[] rec = TFRecords.read(in);
            if (rec == null) {
              close();
            } else {
              next = ExampleCodec.decode(rec);
            }
          }
        }
        return true;
      } catch (ChecksumMismatchException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + current + ": " + e.getMessage(), e);
      }
    }

    private void close() throws IOException {
      if (avro != null) {
        avro.close();
      }
      in.close();
      in = null;
      avro = null;
    }

    @Override
    public Sample next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Sample s = next;
      next = null;
      return s;
    }
  }
}
