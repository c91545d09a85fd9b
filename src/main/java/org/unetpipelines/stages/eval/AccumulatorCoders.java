package org.unetpipelines.stages.eval;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.unetpipelines.eval.ChallengeMetrics;
import org.unetpipelines.eval.RedoMetrics;

/**
 * Beam coders for Evaluate's challenge-stack and ReDo-set combiners: each delegates to the value's own
 * exact binary form ({@code write(DataOutput)} / {@code read(DataInput)} in {@code eval/}, which knows no
 * Beam). They replace Java serialization, which was bulkier and made Beam warn that it cannot verify
 * the accumulators' equality.
 */
final class AccumulatorCoders {
  static final Coder<ChallengeMetrics.Slice> SLICE = new SliceCoder();
  static final Coder<ChallengeMetrics.Stack> STACK = new StackCoder();
  static final Coder<RedoMetrics.Polarities> POLARITIES = new PolaritiesCoder();
  static final Coder<RedoMetrics.SetScore> SET_SCORE = new SetScoreCoder();

  private AccumulatorCoders() {}

  /** A coder over a value's DataOutput form; subclasses say how to write and read one value. */
  abstract static class Coder<T> extends AtomicCoder<T> {
    abstract void write(T value, DataOutput out) throws IOException;

    abstract T read(DataInput in) throws IOException;

    @Override
    public final void encode(T value, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      write(value, data);
      data.flush();
    }

    @Override
    public final T decode(InputStream in) throws IOException {
      return read(new DataInputStream(in));
    }
  }

  static final class SliceCoder extends Coder<ChallengeMetrics.Slice> {
    @Override
    void write(ChallengeMetrics.Slice value, DataOutput out) throws IOException {
      value.write(out);
    }

    @Override
    ChallengeMetrics.Slice read(DataInput in) throws IOException {
      return ChallengeMetrics.Slice.read(in);
    }
  }

  static final class StackCoder extends Coder<ChallengeMetrics.Stack> {
    @Override
    void write(ChallengeMetrics.Stack value, DataOutput out) throws IOException {
      value.write(out);
    }

    @Override
    ChallengeMetrics.Stack read(DataInput in) throws IOException {
      return ChallengeMetrics.Stack.read(in);
    }
  }

  static final class PolaritiesCoder extends Coder<RedoMetrics.Polarities> {
    @Override
    void write(RedoMetrics.Polarities value, DataOutput out) throws IOException {
      value.write(out);
    }

    @Override
    RedoMetrics.Polarities read(DataInput in) throws IOException {
      return RedoMetrics.Polarities.read(in);
    }
  }

  static final class SetScoreCoder extends Coder<RedoMetrics.SetScore> {
    @Override
    void write(RedoMetrics.SetScore value, DataOutput out) throws IOException {
      value.write(out);
    }

    @Override
    RedoMetrics.SetScore read(DataInput in) throws IOException {
      return RedoMetrics.SetScore.read(in);
    }
  }
}
