package org.unetpipelines.stages.eval;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Gathers a (small) collection into one list, on one worker; an empty collection gives an empty
 * list. Used for metric files and the report, which need all records at once.
 *
 * <p>The accumulator holds the elements already encoded, one byte block per bundle: a runner that
 * keeps the partial accumulators in state and copies them per bundle (the DirectRunner does) then
 * copies bytes instead of re-encoding and decoding every record each time, which made gathering
 * 100,000 metric records take minutes.
 */
final class Gather<T> extends Combine.CombineFn<T, Gather.Encoded, List<T>> {
  private final Coder<T> coder;

  private Gather(Coder<T> coder) {
    this.coder = coder;
  }

  static <T> Combine.Globally<T, List<T>> of(Coder<T> coder) {
    return Combine.globally(fn(coder));
  }

  /** The combine function itself. */
  static <T> Gather<T> fn(Coder<T> coder) {
    return new Gather<>(coder);
  }

  /** Elements encoded back to back (nested context), and how many. */
  static final class Encoded {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private int count;

    int count() {
      return count;
    }
  }

  @Override
  public Encoded createAccumulator() {
    return new Encoded();
  }

  @Override
  public Encoded addInput(Encoded acc, T input) {
    try {
      coder.encode(input, acc.bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a gathered element", e);
    }
    acc.count++;
    return acc;
  }

  @Override
  public Encoded mergeAccumulators(Iterable<Encoded> accs) {
    Encoded out = new Encoded();
    for (Encoded a : accs) {
      out.bytes.writeBytes(a.bytes.toByteArray());
      out.count += a.count;
    }
    return out;
  }

  @Override
  public List<T> extractOutput(Encoded acc) {
    List<T> out = new ArrayList<>(acc.count);
    try (InputStream in = new ByteArrayInputStream(acc.bytes.toByteArray())) {
      for (int i = 0; i < acc.count; i++) {
        out.add(coder.decode(in));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode a gathered element", e);
    }
    return out;
  }

  @Override
  public Coder<Encoded> getAccumulatorCoder(CoderRegistry registry, Coder<T> inputCoder) {
    return EncodedCoder.INSTANCE;
  }

  @Override
  public Coder<List<T>> getDefaultOutputCoder(CoderRegistry registry, Coder<T> inputCoder) {
    return ListCoder.of(coder);
  }

  /** count, byte length, bytes. */
  static final class EncodedCoder extends AtomicCoder<Encoded> {
    static final EncodedCoder INSTANCE = new EncodedCoder();

    @Override
    public void encode(Encoded value, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(value.count);
      data.writeInt(value.bytes.size());
      data.flush();
      value.bytes.writeTo(out);
    }

    @Override
    public Encoded decode(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      Encoded e = new Encoded();
      e.count = data.readInt();
      byte[] b = new byte[data.readInt()];
      data.readFully(b);
      e.bytes.write(b);
      return e;
    }
  }
}
