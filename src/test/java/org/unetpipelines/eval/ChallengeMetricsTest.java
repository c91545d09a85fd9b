package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-computed cases of the ISBI challenge scores (definitions: ChallengeMetrics' javadoc). */
class ChallengeMetricsTest {
  private static final double EPS = 1e-12;
  private static final boolean[] TWO_CELLS = {true, true, false, true, true}; // 1x5: cells {0,1}, {3,4}

  @Test
  void thresholdsAccumulateAsFijiDoes() {
    assertEquals(11, ChallengeMetrics.THRESHOLDS.length);
    assertEquals(0.30000000000000004, ChallengeMetrics.THRESHOLDS[3]);
    assertEquals(0.9999999999999999, ChallengeMetrics.THRESHOLDS[10]);
  }

  @Test
  void contingencyTableWithSingletonsByHand() {
    // truth segments 1 = {0,1,2}, 2 = {3,4,5}, background {6,7,8} (ignored); proposal labels, 0 = line.
    // n = 6; counts n11 = 2, n12 = 1, n22 = 2, n20 = 1 (a singleton).
    int[] truth = {1, 1, 1, 2, 2, 2, 0, 0, 0};
    int[] prop = {1, 1, 2, 2, 2, 0, 1, 3, 3};
    ChallengeMetrics.Table t = ChallengeMetrics.Table.of(truth, prop);
    assertEquals(6, t.n());
    assertEquals(0.5, t.sumA2(), EPS);                     // (1/2)^2 + (1/2)^2
    assertEquals(14.0 / 36, t.sumB2(), EPS);               // (2/6)^2 + (3/6)^2 + p_20 / n = 1/36
    assertEquals(10.0 / 36, t.sumAB2(), EPS);              // (4 + 1 + 4) / 36 + 1/36
    assertArrayEquals(new double[] {10, 4, 8}, t.randCounts(), 1e-9); // tp = 36 * 10/36, fp = 14 - 10, fn = 18 - 10
    assertEquals(2 * (10.0 / 36) / (0.5 + 14.0 / 36), t.vRand(), EPS); // = 0.625
    assertEquals(0.625, t.vRand(), EPS);
    // V_info: H(A) = ln 2; H(B) over {1/3, 1/2, 1/6 (singleton)}; H(A,B) over {1/3, 1/6, 1/3, 1/6}.
    double ha = Math.log(2);
    double hb = -(1.0 / 3 * Math.log(1.0 / 3) + 0.5 * Math.log(0.5) + 1.0 / 6 * Math.log(1.0 / 6));
    double hab = -(2 * (1.0 / 3) * Math.log(1.0 / 3) + 2 * (1.0 / 6) * Math.log(1.0 / 6));
    double mi = ha + hb - hab;
    assertEquals(2 * mi / (ha + hb), t.vInfo(), EPS);
  }

  @Test
  void perfectProposalScoresOne() {
    float[] p = {1, 1, 0, 1, 1};
    Map<String, Double> m = ChallengeMetrics.score(p, TWO_CELLS, 1, 5).values();
    assertEquals(1.0, m.get("v_rand"), EPS);
    assertEquals(1.0, m.get("v_info"), EPS);
    assertEquals(0.0, m.get("rand_error_2012"), EPS);
    assertEquals(0.0, m.get("warping_error"), EPS);
  }

  @Test
  void oneSegmentOverTwoCells() {
    // Everything predicted cell: one segment. n = 4, a = (1/2, 1/2), b = (1), p = (1/2, 1/2):
    // V_rand = 2 * 1/2 / (1/2 + 1) = 2/3; H(proposal) = 0 -> V_info = 0; the 2012 Rand index is the
    // same table (no background to be singletons) -> error 1/3; the gap pixel would merge -> 1 of 5.
    Map<String, Double> m = ChallengeMetrics.score(new float[] {1, 1, 1, 1, 1}, TWO_CELLS, 1, 5).values();
    assertEquals(2.0 / 3, m.get("v_rand"), EPS);
    assertEquals(0.0, m.get("v_info"), EPS);
    assertEquals(1.0 / 3, m.get("rand_error_2012"), EPS);
    assertEquals(0.2, m.get("warping_error"), EPS);
  }

  @Test
  void thickBordersAreThinnedForVRandButNotForTheRandError2012() {
    // 1x7, truth cells {0,1,2} and {4,5,6}; the proposal's border is 3 pixels wide (2..4), so cell
    // pixels 2 and 4 are proposal background. V_rand thins the border to pixel 3: perfect. The 2012
    // Rand index keeps pixels 2 and 4 as singletons: n = 6, Σa² = 1/2, Σb² = 2 (2/6)² + 2/36 = 10/36,
    // Σp² = 8/36 + 2/36 = 10/36; tp = 10, fp = 0, fn = 18 - 10 = 8: P = 1, R = 10/18, F = 20/28.
    boolean[] truth = {true, true, true, false, true, true, true};
    float[] p = {1, 1, 0, 0, 0, 1, 1};
    ChallengeMetrics.Slice s = ChallengeMetrics.score(p, truth, 1, 7);
    Map<String, Double> m = s.values();
    assertEquals(1.0, m.get("v_rand"), EPS);
    assertEquals(1.0, m.get("v_info"), EPS);
    assertEquals(1 - 20.0 / 28, m.get("rand_error_2012"), EPS);
    // warping: pixels 2 and 4 can be eroded from the truth cells (simple): no topological error
    assertEquals(0.0, m.get("warping_error"), EPS);
  }

  @Test
  void thresholdsCompareTheFloatProbabilityAsADouble() {
    // p = 0.4f is 0.4000000059604645 > 0.4: still cell at t = 0.4, so the two cells stay merged there;
    // t = 0.5 .. 0.8 separate them; at t = 0.9 nothing is cell (0.9f < 0.9): one segment again.
    float[] p = {0.9f, 0.9f, 0.4f, 0.9f, 0.9f};
    ChallengeMetrics.Slice s = ChallengeMetrics.score(p, TWO_CELLS, 1, 5);
    assertEquals(2.0 / 3, s.vRand()[4], EPS);
    assertEquals(1.0, s.vRand()[5], EPS);
    assertEquals(1.0, s.vRand()[8], EPS);
    assertEquals(2.0 / 3, s.vRand()[9], EPS);
    assertEquals(1.0, s.values().get("v_rand"), EPS);
  }

  @Test
  void stackAveragesPerThresholdOrPoolsCounts() {
    ChallengeMetrics.Slice perfect = ChallengeMetrics.score(new float[] {1, 1, 0, 1, 1}, TWO_CELLS, 1, 5);
    ChallengeMetrics.Slice merged = ChallengeMetrics.score(new float[] {1, 1, 1, 1, 1}, TWO_CELLS, 1, 5);
    ChallengeMetrics.Stack a = new ChallengeMetrics.Stack().add(perfect);
    ChallengeMetrics.Stack b = new ChallengeMetrics.Stack().add(merged);
    Map<String, ChallengeMetrics.Score> s = a.merge(b).scores();
    assertEquals(2, s.get("v_rand").n());
    assertEquals((1 + 2.0 / 3) / 2, s.get("v_rand").value(), EPS);
    assertEquals(MetricSummary.of(1, 2.0 / 3).std(), s.get("v_rand").std(), EPS);
    assertEquals(0.5, s.get("v_info").value(), EPS);
    assertEquals(0.1, s.get("warping_error").value(), EPS);
    // pooled 2012 Rand: perfect (tp 8, fp 0, fn 0) + merged (tp 8, fp 8, fn 0) -> P = 2/3, R = 1, F = 0.8
    assertEquals(0.2, s.get("rand_error_2012").value(), EPS);
    assertTrue(Double.isNaN(s.get("rand_error_2012").std()));
    // pooled pixel error: tp 4 + 4, fp 0 + 1, fn 0 -> F = 16/17 at every threshold below 1
    assertEquals(1 - 16.0 / 17, s.get("pixel_error").value(), EPS);
    assertEquals(0.0, s.get("pixel_error").threshold());
    assertEquals(ChallengeMetrics.STACK_SCORED, java.util.List.copyOf(s.keySet()));
  }

  @Test
  void noTruthForegroundAndBadInput() {
    Map<String, Double> m = ChallengeMetrics.score(new float[] {1, 0}, new boolean[2], 1, 2).values();
    assertEquals(0.0, m.get("v_rand"));
    assertEquals(0.0, m.get("v_info"));
    assertEquals(1.0, m.get("rand_error_2012"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ChallengeMetrics.score(new float[3], new boolean[4], 2, 2));
    assertTrue(e.getMessage().contains("prediction has 3 pixels and truth 4, expected 2x2 = 4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ChallengeMetrics.Stack().scores());
    assertTrue(e.getMessage().contains("no slices were scored"), e.getMessage());
  }
}
