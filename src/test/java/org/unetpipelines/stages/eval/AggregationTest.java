package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;
import org.unetpipelines.eval.ChallengeMetrics;
import org.unetpipelines.eval.MetricSummary;
import org.unetpipelines.eval.RedoMetrics;

/** Evaluate's per-model aggregate accumulator and the Gather of records, outside a pipeline. */
class AggregationTest {
  @Test
  void perModelSummariesEqualOneSummaryPerMetricAndSurviveTheirCoder() throws Exception {
    MetricSummaries fn = new MetricSummaries();
    double[] top1 = {1, 0, 1, 1, 0, 1};
    double[] ce = {0.1, 2.5, 0.3, 0.05, 1.7, 0.2};
    MetricSummaries.Acc a = fn.createAccumulator();
    MetricSummaries.Acc b = fn.createAccumulator();
    for (int i = 0; i < top1.length; i++) {
      MetricSummaries.Acc into = i < 2 ? a : b; // an uneven split, as bundles are
      fn.addInput(into, KV.of("top1", top1[i]));
      fn.addInput(into, KV.of("cross_entropy", ce[i]));
    }
    fn.addInput(b, KV.of("accuracy_class_3", 1.0)); // a metric only one part has
    MetricSummaries.Acc merged = fn.mergeAccumulators(List.of(a, b));
    byte[] bytes = CoderUtils.encodeToByteArray(MetricSummaries.AccCoder.INSTANCE, merged);
    MetricSummaries.Acc back = CoderUtils.decodeFromByteArray(MetricSummaries.AccCoder.INSTANCE, bytes);
    assertEquals(List.of("accuracy_class_3", "cross_entropy", "top1"), List.copyOf(back.byMetric().keySet()));
    for (var e : List.of(KV.of("top1", MetricSummary.of(top1)), KV.of("cross_entropy", MetricSummary.of(ce)))) {
      MetricSummary got = back.byMetric().get(e.getKey());
      assertEquals(e.getValue().n(), got.n(), e.getKey());
      assertEquals(e.getValue().mean(), got.mean(), 1e-12, e.getKey());
      assertEquals(e.getValue().std(), got.std(), 1e-12, e.getKey());
    }
    assertEquals(4.0 / 6, back.byMetric().get("top1").mean(), 1e-12);
    assertEquals(1, back.byMetric().get("accuracy_class_3").n());
    assertArrayEquals(bytes, CoderUtils.encodeToByteArray(MetricSummaries.AccCoder.INSTANCE, back));
  }

  @Test
  void gatherKeepsEveryElementInOrderOfItsPartsThroughItsCoder() throws Exception {
    Gather<String> g = Gather.fn(StringUtf8Coder.of());
    Gather.Encoded a = g.createAccumulator();
    Gather.Encoded b = g.createAccumulator();
    g.addInput(a, "one");
    g.addInput(a, "");
    g.addInput(b, "three, with ünïcode");
    Gather.Encoded merged = g.mergeAccumulators(List.of(a, b, g.createAccumulator()));
    Gather.Encoded back = CoderUtils.decodeFromByteArray(Gather.EncodedCoder.INSTANCE,
        CoderUtils.encodeToByteArray(Gather.EncodedCoder.INSTANCE, merged));
    assertEquals(List.of("one", "", "three, with ünïcode"), g.extractOutput(back));
    assertTrue(g.extractOutput(g.createAccumulator()).isEmpty());
  }

  /** The Flink / DirectRunner agreement: however the values are split into parts and merged, the same bits. */
  @Test
  void theAggregateDoesNotDependOnHowValuesAreSplitOrMerged() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    java.util.List<Double> values = new java.util.ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      values.add(r.nextDouble() * Math.pow(10, r.nextInt(-6, 3)));
    }
    MetricSummaries fn = new MetricSummaries();
    MetricSummary first = null;
    for (int trial = 0; trial < 6; trial++) {
      java.util.List<Double> shuffled = new java.util.ArrayList<>(values);
      java.util.Collections.shuffle(shuffled, new java.util.Random(trial));
      java.util.List<MetricSummaries.Acc> parts = new java.util.ArrayList<>();
      for (int i = 0; i < shuffled.size(); ) {
        MetricSummaries.Acc part = fn.createAccumulator();
        int size = 1 + r.nextInt(300);
        for (int j = 0; j < size && i < shuffled.size(); j++, i++) {
          fn.addInput(part, KV.of("m", shuffled.get(i)));
        }
        parts.add(part);
      }
      java.util.Collections.reverse(parts);
      MetricSummary s = fn.mergeAccumulators(parts).byMetric().get("m");
      if (first == null) {
        first = s;
        MetricSummary welford = MetricSummary.of(values.stream().mapToDouble(Double::doubleValue).toArray());
        assertEquals(welford.mean(), s.mean(), 1e-12 * Math.abs(welford.mean()));
        assertEquals(welford.std(), s.std(), 1e-9 * welford.std());
      } else {
        assertEquals(first, s, "trial " + trial); // n, mean and M2 bit for bit
      }
    }
  }

  /** The challenge stack and the ReDo set score: through their coders, and the same bits in any merge order. */
  @Test
  void stackAndRedoSetSurviveTheirCodersAndDoNotDependOnMergeOrder() throws Exception {
    java.util.SplittableRandom r = new java.util.SplittableRandom(11);
    int h = 20;
    int w = 24;
    java.util.List<ChallengeMetrics.Slice> slices = new java.util.ArrayList<>();
    java.util.List<RedoMetrics.Polarities> polarities = new java.util.ArrayList<>();
    for (int i = 0; i < 9; i++) {
      float[] prob = new float[h * w];
      boolean[] truth = new boolean[h * w];
      for (int p = 0; p < prob.length; p++) {
        truth[p] = (p / w + p % w + i) % 7 != 0; // membranes: thin diagonal lines
        prob[p] = (float) Math.min(1, Math.max(0, (truth[p] ? 0.7 : 0.3) + 0.5 * (r.nextDouble() - 0.5)));
      }
      ChallengeMetrics.Slice slice = ChallengeMetrics.score(prob, truth, h, w);
      ChallengeMetrics.Slice back = CoderUtils.decodeFromByteArray(AccumulatorCoders.SLICE,
          CoderUtils.encodeToByteArray(AccumulatorCoders.SLICE, slice));
      assertEquals(slice.values(), back.values());
      slices.add(back);
      RedoMetrics.Polarities pol = RedoMetrics.of(prob, truth, 0.5);
      assertEquals(pol, CoderUtils.decodeFromByteArray(AccumulatorCoders.POLARITIES,
          CoderUtils.encodeToByteArray(AccumulatorCoders.POLARITIES, pol)));
      polarities.add(pol);
    }
    ChallengeMetrics.Stack inOrder = new ChallengeMetrics.Stack();
    slices.forEach(inOrder::add);
    ChallengeMetrics.Stack a = new ChallengeMetrics.Stack();
    ChallengeMetrics.Stack b = new ChallengeMetrics.Stack();
    for (int i = slices.size() - 1; i >= 0; i--) {
      (i % 3 == 0 ? a : b).add(slices.get(i));
    }
    ChallengeMetrics.Stack split = CoderUtils.decodeFromByteArray(AccumulatorCoders.STACK,
        CoderUtils.encodeToByteArray(AccumulatorCoders.STACK, b)).merge(a);
    assertEquals(inOrder.scores(), split.scores());
    assertArrayEquals(CoderUtils.encodeToByteArray(AccumulatorCoders.STACK, inOrder),
        CoderUtils.encodeToByteArray(AccumulatorCoders.STACK, split));
    assertEquals(9, split.slices());

    RedoMetrics.SetScore whole = new RedoMetrics.SetScore();
    polarities.forEach(whole::add);
    RedoMetrics.SetScore first = new RedoMetrics.SetScore();
    RedoMetrics.SetScore rest = new RedoMetrics.SetScore();
    for (int i = polarities.size() - 1; i >= 0; i--) {
      (i < 4 ? first : rest).add(polarities.get(i));
    }
    RedoMetrics.SetScore merged = CoderUtils.decodeFromByteArray(AccumulatorCoders.SET_SCORE,
        CoderUtils.encodeToByteArray(AccumulatorCoders.SET_SCORE, rest)).merge(first);
    assertEquals(whole.iou(), merged.iou());
    assertEquals(whole.accuracy(), merged.accuracy());
    assertEquals(whole.inverted(), merged.inverted());
    MetricSummary iou = MetricSummary.of(polarities.stream()
        .mapToDouble(p -> whole.inverted() ? p.invertedIou() : p.iou()).toArray());
    assertEquals(iou.mean(), merged.iou().mean(), 1e-12);
    assertEquals(iou.std(), merged.iou().std(), 1e-12);
  }
}
