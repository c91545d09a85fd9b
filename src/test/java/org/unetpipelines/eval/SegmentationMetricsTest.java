package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;

class SegmentationMetricsTest {
  private static final double EPS = 1e-12;

  @Test
  void pixelErrorIsOneMinusBestF1OverTenthThresholds() {
    float[] prob = {0.05f, 0.15f, 0.35f, 0.75f, 0.95f};
    boolean[] truth = {true, false, true, false, true};
    // t = 0.0: all predicted, tp 3 fp 2 -> F1 6/8 (the best); t = 0.1: 4/7; 0.2-0.3: 4/6;
    // 0.4-0.7: 2/5; 0.8-0.9: 2/4; 1.0: 0.
    assertEquals(0.25, SegmentationMetrics.pixelError(prob, truth), EPS);
  }

  @Test
  void computeNamesEveryMetric() {
    Map<String, Double> m = SegmentationMetrics.compute(
        ConfusionTest.PROB, ConfusionTest.TRUTH, 2, 5, 0.5);
    assertEquals(SegmentationMetrics.NAMES, java.util.List.copyOf(m.keySet()));
    assertEquals(0.5, m.get("iou"), EPS);
    assertEquals((0.5 + 4.0 / 7) / 2, m.get("mean_iou"), EPS);
    assertEquals(15.0 / 24, m.get("f2"), EPS);
  }

  @Test
  void perfectPredictionHasZeroErrors() {
    float[] prob = {1, 1, 0, 0, 1, 0};
    boolean[] truth = {true, true, false, false, true, false};
    Map<String, Double> m = SegmentationMetrics.compute(prob, truth, 2, 3, 0.5);
    assertEquals(0.0, m.get("pixel_error"), EPS);
    assertEquals(0.0, m.get("adapted_rand_error"), EPS);
    assertEquals(0.0, m.get("vi_split"), EPS);
    assertEquals(0.0, m.get("vi_merge"), EPS);
    assertEquals(1.0, m.get("iou"), EPS);
  }

  @Test
  void imagesAreScaledByTheirDepth() {
    ImageArray prob = ImageArray.wrap(1, 2, 1, ImageArray.Depth.U16, new float[] {65535, 0});
    ImageArray truth = ImageArray.wrap(1, 2, 1, ImageArray.Depth.U8, new float[] {255, 0});
    assertEquals(1.0, SegmentationMetrics.compute(prob, truth, 0.5).get("dice"), EPS);
  }

  @Test
  void eightBitValuesOnAThresholdAreNotAboveIt() {
    // 51/255 is exactly 0.2f: at t = 0.2 it is background. (51 * (1/255f) would be just above.)
    ImageArray prob = ImageArray.wrap(1, 2, 1, ImageArray.Depth.U8, new float[] {51, 0});
    assertEquals(0.2f, SegmentationMetrics.probabilities(prob)[0]);
    boolean[] truth = {false, false};
    assertEquals(1.0, SegmentationMetrics.compute(SegmentationMetrics.probabilities(prob), truth, 1, 2, 0.2)
        .get("specificity"), EPS);
  }

  @Test
  void rejectsBadArguments() {
    ImageArray a = ImageArray.zeros(2, 3, 1, ImageArray.Depth.U8);
    ImageArray b = ImageArray.zeros(3, 2, 1, ImageArray.Depth.U8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SegmentationMetrics.compute(a, b, 0.5));
    assertTrue(e.getMessage().contains("prediction is 2x3 but truth is 3x2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SegmentationMetrics.compute(a, a, 1.5));
    assertTrue(e.getMessage().contains("threshold must be in [0, 1], got 1.5"), e.getMessage());
    ImageArray rgb = ImageArray.zeros(2, 3, 3, ImageArray.Depth.U8);
    e = assertThrows(IllegalArgumentException.class, () -> SegmentationMetrics.compute(rgb, a, 0.5));
    assertTrue(e.getMessage().contains("prediction must have 1 channel"), e.getMessage());
  }
}
