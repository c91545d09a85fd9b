package org.unetpipelines.runners;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.HashSet;
import java.util.Set;
import com.google.common.primitives.Bytes;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.runners.flink.translation.types.EncodedValueComparator;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.flink.util.MathUtils;

/**
 * Integer keys for a GroupByKey such that group {@code g} of {@code n} is handled by worker
 * {@code g mod parallelism}: so two heavy groups (two grid trainings) never share a worker while
 * another waits idle.
 *
 * <p>On Flink (batch, as Beam translates bounded pipelines) a GroupByKey hash-partitions on the
 * key's encoded bytes followed by the window's: the channel is {@code murmurHash(h) mod parallelism}
 * with {@code h} the hash of Beam's {@link EncodedValueComparator} (Arrays.hashCode of the bytes),
 * computed here with those same classes for a VarInt-coded key in the global window
 * ({@code WorkerKeysTest} checks it on an embedded Flink). The keys are the smallest distinct integers that land where
 * wanted. Any other runner gets {@code 0..n-1} (the DirectRunner runs each key's group as its own
 * bundle, in parallel up to its target parallelism).
 */
public final class WorkerKeys {
  private WorkerKeys() {}

  /** The key of each of {@code n} groups under these options. */
  public static int[] forGroups(PipelineOptions options, int n) {
    checkArgument(n >= 1, "need at least one group, got %s", n);
    int parallelism = flinkParallelism(options);
    int[] keys = new int[n];
    if (parallelism <= 1) {
      for (int g = 0; g < n; g++) {
        keys[g] = g;
      }
      return keys;
    }
    Set<Integer> used = new HashSet<>();
    for (int g = 0; g < n; g++) {
      int worker = g % parallelism;
      int k = 0;
      while (used.contains(k) || flinkChannel(k, parallelism) != worker) {
        k++;
      }
      used.add(k);
      keys[g] = k;
    }
    return keys;
  }

  /** The parallelism of a Flink run, or 0 for any other runner. */
  static int flinkParallelism(PipelineOptions options) {
    if (!FlinkRunner.class.equals(options.getRunner())) {
      return 0;
    }
    Integer p = options.as(FlinkPipelineOptions.class).getParallelism();
    return p == null ? 0 : p;
  }

  /** The GroupByKey subtask a VarInt-coded integer key goes to on Flink's batch runtime. */
  static int flinkChannel(int key, int parallelism) {
    try {
      // as Beam's WindowedKvKeySelector: the key's bytes, then the (global) window's
      byte[] bytes = Bytes.concat(CoderUtils.encodeToByteArray(VarIntCoder.of(), key),
          CoderUtils.encodeToByteArray(GlobalWindow.Coder.INSTANCE, GlobalWindow.INSTANCE));
      int hash = new EncodedValueComparator(true).hash(bytes);
      return MathUtils.murmurHash(hash) % parallelism;
    } catch (CoderException e) {
      throw new IllegalStateException("cannot encode key " + key, e);
    }
  }
}
