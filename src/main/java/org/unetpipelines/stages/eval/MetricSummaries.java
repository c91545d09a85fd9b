package org.unetpipelines.stages.eval;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.values.KV;
import org.unetpipelines.eval.ExactMoments;
import org.unetpipelines.eval.MetricSummary;

/**
 * Combines a model's per-image values of all its metrics at once: input (metric, value), accumulator
 * exact moments per metric ({@link MetricSummary} when read). Keyed by model (not by model and metric) so a runner groups
 * one key per model: with the ~120 metric names of a 10-class classifier (per-class accuracy,
 * confusion cells) a key per metric multiplied the DirectRunner's per-bundle state copies by 120.
 * The sums are exact ({@link ExactMoments}), so the aggregates do not depend on how a runner bundles
 * and merges: the DirectRunner and a Flink cluster write the same bits.
 */
final class MetricSummaries extends Combine.CombineFn<KV<String, Double>, MetricSummaries.Acc, MetricSummaries.Acc> {

  /** Exact moments by metric name (sorted). */
  static final class Acc {
    final TreeMap<String, ExactMoments> byMetric = new TreeMap<>();

    /** Each metric's mean / std / interval. */
    Map<String, MetricSummary> byMetric() {
      Map<String, MetricSummary> out = new TreeMap<>();
      byMetric.forEach((m, e) -> out.put(m, e.summary()));
      return out;
    }
  }

  @Override
  public Acc createAccumulator() {
    return new Acc();
  }

  @Override
  public Acc addInput(Acc acc, KV<String, Double> in) {
    acc.byMetric.computeIfAbsent(in.getKey(), k -> new ExactMoments()).add(in.getValue());
    return acc;
  }

  @Override
  public Acc mergeAccumulators(Iterable<Acc> accs) {
    Acc out = new Acc();
    for (Acc a : accs) {
      a.byMetric.forEach((m, s) -> out.byMetric.computeIfAbsent(m, k -> new ExactMoments()).merge(s));
    }
    return out;
  }

  @Override
  public Acc extractOutput(Acc acc) {
    return acc;
  }

  @Override
  public Coder<Acc> getAccumulatorCoder(CoderRegistry registry, Coder<KV<String, Double>> inputCoder) {
    return AccCoder.INSTANCE;
  }

  @Override
  public Coder<Acc> getDefaultOutputCoder(CoderRegistry registry, Coder<KV<String, Double>> inputCoder) {
    return AccCoder.INSTANCE;
  }

  /** Entry count, then per metric: name, n, sum and sum of squares (as decimal strings, exact). */
  static final class AccCoder extends AtomicCoder<Acc> {
    static final AccCoder INSTANCE = new AccCoder();

    @Override
    public void encode(Acc value, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(value.byMetric.size());
      for (Map.Entry<String, ExactMoments> e : value.byMetric.entrySet()) {
        data.writeUTF(e.getKey());
        e.getValue().write(data);
      }
      data.flush();
    }

    @Override
    public Acc decode(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      Acc a = new Acc();
      int n = data.readInt();
      for (int i = 0; i < n; i++) {
        String metric = data.readUTF();
        a.byMetric.put(metric, ExactMoments.read(data));
      }
      return a;
    }
  }
}
