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
import org.unetpipelines.eval.MetricSummary;

/**
 * Combines a model's per-image values of all its metrics at once: input (metric, value), accumulator
 * one {@link MetricSummary} per metric. Keyed by model (not by model and metric) so a runner groups
 * one key per model: with the ~120 metric names of a 10-class classifier (per-class accuracy,
 * confusion cells) a key per metric multiplied the DirectRunner's per-bundle state copies by 120.
 */
final class MetricSummaries extends Combine.CombineFn<KV<String, Double>, MetricSummaries.Acc, MetricSummaries.Acc> {

  /** Summaries by metric name (sorted). */
  static final class Acc {
    final TreeMap<String, MetricSummary> byMetric = new TreeMap<>();

    Map<String, MetricSummary> byMetric() {
      return byMetric;
    }
  }

  @Override
  public Acc createAccumulator() {
    return new Acc();
  }

  @Override
  public Acc addInput(Acc acc, KV<String, Double> in) {
    acc.byMetric.computeIfAbsent(in.getKey(), k -> new MetricSummary()).add(in.getValue());
    return acc;
  }

  @Override
  public Acc mergeAccumulators(Iterable<Acc> accs) {
    Acc out = new Acc();
    for (Acc a : accs) {
      a.byMetric.forEach((m, s) -> out.byMetric.computeIfAbsent(m, k -> new MetricSummary()).merge(s));
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

  /** Entry count, then per metric: name, n, mean, m2. */
  static final class AccCoder extends AtomicCoder<Acc> {
    static final AccCoder INSTANCE = new AccCoder();

    @Override
    public void encode(Acc value, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(value.byMetric.size());
      for (Map.Entry<String, MetricSummary> e : value.byMetric.entrySet()) {
        data.writeUTF(e.getKey());
        data.writeLong(e.getValue().n());
        data.writeDouble(e.getValue().n() == 0 ? 0 : e.getValue().mean());
        data.writeDouble(e.getValue().m2());
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
        long count = data.readLong();
        double mean = data.readDouble();
        double m2 = data.readDouble();
        a.byMetric.put(metric, MetricSummary.ofMoments(count, mean, m2));
      }
      return a;
    }
  }
}
