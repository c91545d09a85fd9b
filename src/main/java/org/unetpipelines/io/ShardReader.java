package org.unetpipelines.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
 * shard by shard in manifest order. No Beam: the trainer and tools use it directly.
 */
public final class ShardReader {
  private ShardReader() {}

  /** All samples of the folder, streamed (each iteration re-reads the files). */
  public static Iterable<Sample> read(Path dir) throws IOException {
    Manifest m = Manifest.read(dir);
    List<Path> files = new ArrayList<>();
    for (Manifest.Shard s : m.shards()) {
      files.add(dir.resolve(s.file()));
    }
    return () -> new ShardsIterator(files);
  }

  /** The samples of one shard file (format from its extension), fully read. */
  public static List<Sample> readFile(Path file) throws IOException {
    List<Sample> out = new ArrayList<>();
    Iterator<Sample> it = new ShardsIterator(List.of(file));
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** Iterates several shard files in order, holding one file open at a time. */
  private static final class ShardsIterator implements Iterator<Sample> {
    private final List<Path> files;
    private int nextFile;
    private InputStream in;
    private DataFileStream<Sample> avro;
    private Sample next;
    private Path current;

    ShardsIterator(List<Path> files) {
      this.files = files;
    }

    @Override
    public boolean hasNext() {
      try {
        while (next == null) {
          if (in == null) {
            if (nextFile >= files.size()) {
              return false;
            }
            current = files.get(nextFile++);
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
