package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;

/**
 * Cross-check against Python: src/test/resources/eval/challenge/make_challenge_golden.py computed
 * challenge_golden.json with scikit-image (4-connected labelling, watershed border thinning) and
 * numpy (contingency table, V_rand, V_info, 2012 Rand F-score) independently of this code, plus a
 * second implementation of the challenge's FIFO flooding and of the simple-point warping. Where
 * skimage's thinning draws the same lines (22 of the 44 slice-thresholds), the Java values must equal
 * the skimage ones; everywhere they must equal the second implementation's.
 */
class ChallengeMetricsGoldenTest {
  private static final double EPS = 1e-12;

  private static ImageArray png(String name) throws Exception {
    try (InputStream in = ChallengeMetricsGoldenTest.class.getResourceAsStream("/eval/" + name)) {
      return ImageCodec.decodeFirst(in.readAllBytes());
    }
  }

  @Test
  void matchesScikitImageAndNumpy() throws Exception {
    JsonNode golden;
    try (InputStream in = getClass().getResourceAsStream("/eval/challenge/challenge_golden.json")) {
      golden = new ObjectMapper().readTree(in);
    }
    for (int t = 0; t < ChallengeMetrics.THRESHOLDS.length; t++) {
      assertEquals(golden.get("thresholds").get(t).asDouble(), ChallengeMetrics.THRESHOLDS[t], 0.0);
    }
    assertEquals(4, golden.get("cases").size());
    ChallengeMetrics.Stack stack = new ChallengeMetrics.Stack();
    int independent = 0;
    for (JsonNode c : golden.get("cases")) {
      ImageArray pred = png(c.get("pred").asText());
      ImageArray truth = png(c.get("truth").asText());
      String what = c.get("pred").asText();
      ChallengeMetrics.Slice s = ChallengeMetrics.score(SegmentationMetrics.probabilities(pred),
          SegmentationMetrics.foreground(truth), truth.height(), truth.width());
      for (int t = 0; t < ChallengeMetrics.THRESHOLDS.length; t++) {
        if (c.get("lines_equal_per_threshold").get(t).asBoolean()) {
          independent++;
          assertEquals(c.get("v_rand_skimage_per_threshold").get(t).asDouble(), s.vRand()[t], EPS,
              what + " V_rand vs skimage, t=" + t);
          assertEquals(c.get("v_info_skimage_per_threshold").get(t).asDouble(), s.vInfo()[t], EPS,
              what + " V_info vs skimage, t=" + t);
        }
        assertEquals(c.get("v_rand_per_threshold").get(t).asDouble(), s.vRand()[t], EPS, what + " V_rand t=" + t);
        assertEquals(c.get("v_info_per_threshold").get(t).asDouble(), s.vInfo()[t], EPS, what + " V_info t=" + t);
        assertEquals(c.get("warping_error_per_threshold").get(t).asDouble(), s.warpingErrors()[t], EPS,
            what + " warping t=" + t);
      }
      Map<String, Double> m = s.values();
      assertEquals(c.get("warping_error").asDouble(), m.get("warping_error"), EPS, what);
      assertEquals(c.get("v_rand").asDouble(), m.get("v_rand"), EPS, what);
      assertEquals(c.get("v_info").asDouble(), m.get("v_info"), EPS, what);
      assertEquals(c.get("rand_error_2012").asDouble(), m.get("rand_error_2012"), EPS, what);
      stack.add(s);
    }
    assertEquals(22, independent);
    Map<String, ChallengeMetrics.Score> st = stack.scores();
    assertEquals(golden.get("stack").get("v_rand").asDouble(), st.get("v_rand").value(), EPS);
    assertEquals(golden.get("stack").get("v_info").asDouble(), st.get("v_info").value(), EPS);
  }
}
