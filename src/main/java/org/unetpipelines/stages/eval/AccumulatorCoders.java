package org.unetpipelines.stages.eval;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.CustomCoder;
import org.unetpipelines.eval.ChallengeMetrics;
import org.unetpipelines.eval.RedoMetrics;

/**
 * Beam coders for Evaluate's challenge-stack and ReDo-set combiners: each delegates to the value's own
 * exact binary form ({@code write(DataOutput)} / {@code read(DataInput)} in {@code eval/}, which knows no
 * Beam). They replace Java serialization, which was bulkier and made Beam warn that it cannot verify
 * the accumulators' equality.
 */
final class AccumulatorCoders {
  static final DataCoder<ChallengeMetrics.Slice> SLICE =
      new DataCoder<>("Slice", ChallengeMetrics.Slice::write, ChallengeMetrics.Slice::read);
  static final DataCoder<ChallengeMetrics.Stack> STACK =
      new DataCoder<>("Stack", ChallengeMetrics.Stack::write, ChallengeMetrics.Stack::read);
  static final DataCoder<RedoMetrics.Polarities> POLARITIES =
      new DataCoder<>("Polarities", RedoMetrics.Polarities::write, RedoMetrics.Polarities::read);
  static final DataCoder<RedoMetrics.SetScore> SET_SCORE =
      new DataCoder<>("SetScore", RedoMetrics.SetScore::write, RedoMetrics.SetScore::read);

  private AccumulatorCoders() {}

  /** How one value is written. */
  interface Writer<T> extends Serializable {
    void write(T value, DataOutput out) throws IOException;
  }

  /** How one value is read back. */
  interface Reader<T> extends Serializable {
    T read(DataInput in) throws IOException;
  }

  /** A coder over a value's DataOutput form; coders of the same name are equal. */
  static final class DataCoder<T> extends CustomCoder<T> {
    private final String name;
    private final Writer<T> writer;
    private final Reader<T> reader;

    DataCoder(String name, Writer<T> writer, Reader<T> reader) {
      this.name = name;
      this.writer = writer;
      this.reader = reader;
    }

    @Override
    public void encode(T value, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      writer.write(value, data);
      data.flush();
    }

    @Override
    public T decode(InputStream in) throws IOException {
      return reader.read(new DataInputStream(in));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof DataCoder<?> c && c.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return "AccumulatorCoders." + name;
    }
  }
}
