package org.unetpipelines.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.unetpipelines.records.Sample;

/**
 * Samples sorted by id in bounded memory (an external merge sort): a {@link Spiller} keeps at most
 * about {@code bufferBytes} of encoded samples, and when that fills it sorts them by id and writes
 * one <em>run file</em> per shard; {@link #merge} k-way merges a shard's run files back into one
 * id-ordered stream, first merging groups of {@code fanIn} runs into bigger runs when there are
 * more, so open files and memory stay bounded too (about {@code fanIn} records plus 64 KiB
 * buffers each). The order is {@link String#compareTo}, the order {@link ShardFiles} writes, so the
 * result does not depend on how samples were split into runs.
 *
 * <p>Run file format: records of {@code [int idLength][id, UTF-8][int payloadLength][payload]}
 * (big-endian ints), payload = the sample's Avro binary encoding, sorted by id.
 */
public final class SortedRuns {
  /** Default sort buffer: 32 MiB of encoded samples per writer (per bundle being written). */
  public static final long DEFAULT_BUFFER_BYTES = 32L << 20;

  /** Default number of runs merged at once. */
  public static final int DEFAULT_FAN_IN = 16;

  /** Bookkeeping bytes counted per buffered sample on top of its encoding. */
  private static final int ENTRY_OVERHEAD = 64;

  private static final int IO_BUFFER = 1 << 16;

  private SortedRuns() {}

  /** A run file written by a {@link Spiller}: its shard, its name inside the run folder, its record count. */
  public record Run(int shard, String file, long records) {}

  /** One encoded sample. */
  private record Entry(String id, byte[] payload) {}

  /**
   * Buffers samples per shard and spills sorted run files into {@code runDir} whenever the buffer
   * holds {@code bufferBytes} or more. Not thread-safe: one per writer thread / bundle.
   */
  public static final class Spiller {
    private final Path runDir;
    private final long bufferBytes;
    private final Map<Integer, List<Entry>> buffer = new TreeMap<>();
    private final List<Run> written = new ArrayList<>();
    private final SpecificDatumWriter<Sample> writer = new SpecificDatumWriter<>(Sample.class);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private BinaryEncoder encoder;
    private long buffered;

    public Spiller(Path runDir, long bufferBytes) {
      this.runDir = checkNotNull(runDir, "runDir");
      checkArgument(bufferBytes >= 1, "sort buffer must be >= 1 byte, got %s", bufferBytes);
      this.bufferBytes = bufferBytes;
    }

    /** Adds one sample of {@code shard}; spills when the buffer is full. */
    public void add(int shard, Sample s) throws IOException {
      bytes.reset();
      encoder = EncoderFactory.get().binaryEncoder(bytes, encoder);
      writer.write(s, encoder);
      encoder.flush();
      byte[] payload = bytes.toByteArray();
      String id = s.getId().toString();
      buffer.computeIfAbsent(shard, k -> new ArrayList<>()).add(new Entry(id, payload));
      buffered += payload.length + 2L * id.length() + ENTRY_OVERHEAD;
      if (buffered >= bufferBytes) {
        spill();
      }
    }

    /** Spills what is buffered; returns every run written since the last call (and forgets them). */
    public List<Run> flush() throws IOException {
      spill();
      List<Run> out = List.copyOf(written);
      written.clear();
      return out;
    }

    /** Encoded bytes (plus bookkeeping) now held in memory. */
    public long bufferedBytes() {
      return buffered;
    }

    private void spill() throws IOException {
      if (buffer.isEmpty()) {
        return;
      }
      Files.createDirectories(runDir);
      for (Map.Entry<Integer, List<Entry>> e : buffer.entrySet()) {
        List<Entry> entries = e.getValue();
        entries.sort(Comparator.comparing(Entry::id));
        String name = String.format("run-%05d-%s.bin", e.getKey(), UUID.randomUUID());
        try (RunOutput out = new RunOutput(runDir.resolve(name))) {
          for (Entry en : entries) {
            out.write(en.id(), en.payload());
          }
        }
        written.add(new Run(e.getKey(), name, entries.size()));
      }
      buffer.clear();
      buffered = 0;
    }
  }

  /**
   * The samples of the run files {@code files} (names inside {@code runDir}), merged in id order.
   * With more than {@code fanIn} files, groups of {@code fanIn} are first merged into intermediate
   * runs (deleted once merged again). Equal ids are passed through; the shard writer rejects them.
   */
  public static Merged merge(Path runDir, List<String> files, int fanIn) throws IOException {
    checkArgument(fanIn >= 2, "fan-in must be >= 2, got %s", fanIn);
    List<Path> current = new ArrayList<>();
    for (String f : files.stream().sorted().toList()) {
      current.add(runDir.resolve(f));
    }
    List<Path> intermediate = new ArrayList<>();
    while (current.size() > fanIn) {
      List<Path> next = new ArrayList<>();
      for (int i = 0; i < current.size(); i += fanIn) {
        List<Path> group = current.subList(i, Math.min(current.size(), i + fanIn));
        if (group.size() == 1) {
          next.add(group.get(0));
          continue;
        }
        Path out = runDir.resolve("merge-" + UUID.randomUUID() + ".bin");
        try (RawMerge m = new RawMerge(group); RunOutput w = new RunOutput(out)) {
          while (m.advance()) {
            w.write(m.id(), m.payload());
          }
        }
        for (Path p : group) {
          if (intermediate.remove(p)) {
            Files.delete(p);
          }
        }
        intermediate.add(out);
        next.add(out);
      }
      current = next;
    }
    return new Merged(new RawMerge(current), intermediate);
  }

  /** An id-ordered stream of samples; close it to release files and delete intermediate runs. */
  public static final class Merged implements Iterator<Sample>, Closeable {
    private final RawMerge raw;
    private final List<Path> intermediate;
    private final SpecificDatumReader<Sample> reader = new SpecificDatumReader<>(Sample.class);
    private BinaryDecoder decoder;
    private boolean ready;
    private boolean done;

    private Merged(RawMerge raw, List<Path> intermediate) {
      this.raw = raw;
      this.intermediate = intermediate;
    }

    @Override
    public boolean hasNext() {
      if (!ready && !done) {
        try {
          ready = raw.advance();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        done = !ready;
      }
      return ready;
    }

    @Override
    public Sample next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      ready = false;
      decoder = DecoderFactory.get().binaryDecoder(raw.payload(), decoder);
      try {
        return reader.read(null, decoder);
      } catch (IOException e) {
        throw new UncheckedIOException("decoding sample '" + raw.id() + "' from a sort run: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws IOException {
      raw.close();
      for (Path p : intermediate) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** k-way merge of run files at the record level (no decoding). */
  private static final class RawMerge implements Closeable {
    private final PriorityQueue<RunInput> heap =
        new PriorityQueue<>(Comparator.comparing(RunInput::id).thenComparingInt(RunInput::order));
    private final List<RunInput> inputs = new ArrayList<>();
    private RunInput current;

    RawMerge(List<Path> files) throws IOException {
      try {
        for (int i = 0; i < files.size(); i++) {
          RunInput in = new RunInput(files.get(i), i);
          inputs.add(in);
          if (in.advance()) {
            heap.add(in);
          }
        }
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    /** Moves to the next record in id order; false at the end. */
    boolean advance() throws IOException {
      if (current != null && current.advance()) {
        heap.add(current);
      }
      current = heap.poll();
      return current != null;
    }

    String id() {
      return current.id();
    }

    byte[] payload() {
      return current.payload();
    }

    @Override
    public void close() throws IOException {
      IOException first = null;
      for (RunInput in : inputs) {
        try {
          in.close();
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }

  /** Reads one run file record by record. */
  private static final class RunInput implements Closeable {
    private final Path file;
    private final int order;
    private final DataInputStream in;
    private String id;
    private byte[] payload;

    RunInput(Path file, int order) throws IOException {
      this.file = file;
      this.order = order;
      this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), IO_BUFFER));
    }

    boolean advance() throws IOException {
      int idLength;
      try {
        idLength = in.readInt();
      } catch (EOFException e) {
        id = null;
        payload = null;
        return false;
      }
      try {
        byte[] idBytes = new byte[checkLength(idLength)];
        in.readFully(idBytes);
        payload = new byte[checkLength(in.readInt())];
        in.readFully(payload);
        id = new String(idBytes, StandardCharsets.UTF_8);
      } catch (EOFException e) {
        throw new IOException("sort run " + file + " is truncated", e);
      }
      return true;
    }

    private int checkLength(int n) throws IOException {
      if (n < 0) {
        throw new IOException("sort run " + file + " is corrupt (negative record length " + n + ")");
      }
      return n;
    }

    String id() {
      return id;
    }

    int order() {
      return order;
    }

    byte[] payload() {
      return payload;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Writes one run file. */
  private static final class RunOutput implements Closeable {
    private final DataOutputStream out;

    RunOutput(Path file) throws IOException {
      out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), IO_BUFFER));
    }

    void write(String id, byte[] payload) throws IOException {
      byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
      out.writeInt(idBytes.length);
      out.write(idBytes);
      out.writeInt(payload.length);
      out.write(payload);
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
