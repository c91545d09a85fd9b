package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;

/**
 * Cross-check against scikit-image: src/test/resources/eval/golden/make_golden.py computed the
 * expected values of golden.json with skimage.measure.label / adapted_rand_error /
 * variation_of_information on the PNGs next to it.
 */
class SegmentationMetricsGoldenTest {
  private static final double EPS = 1e-9;

  private static ImageArray png(String name) throws Exception {
    try (InputStream in = SegmentationMetricsGoldenTest.class.getResourceAsStream("/eval/golden/" + name)) {
      return ImageCodec.decodeFirst(in.readAllBytes());
    }
  }

  @Test
  void matchesScikitImage() throws Exception {
    JsonNode golden;
    try (InputStream in = getClass().getResourceAsStream("/eval/golden/golden.json")) {
      golden = new ObjectMapper().readTree(in);
    }
    assertEquals(3, golden.get("cases").size());
    for (JsonNode c : golden.get("cases")) {
      ImageArray pred = png(c.get("pred").asText());
      ImageArray truth = png(c.get("truth").asText());
      String what = c.get("pred").asText();
      Map<String, Double> m = SegmentationMetrics.compute(pred, truth, 0.5);
      assertEquals(c.get("pixel_error").asDouble(), m.get("pixel_error"), EPS, what);
      assertEquals(c.get("adapted_rand_error").asDouble(), m.get("adapted_rand_error"), EPS, what);
      assertEquals(c.get("skimage_precision").asDouble(), m.get("rand_precision"), EPS, what);
      assertEquals(c.get("skimage_recall").asDouble(), m.get("rand_recall"), EPS, what);
      assertEquals(c.get("vi_split").asDouble(), m.get("vi_split"), EPS, what);
      assertEquals(c.get("vi_merge").asDouble(), m.get("vi_merge"), EPS, what);
      int[] tl = Segments.label4(SegmentationMetrics.foreground(truth), truth.height(), truth.width());
      assertEquals(c.get("truth_segments").asInt(), Arrays.stream(tl).max().getAsInt(), what);
    }
  }
}
