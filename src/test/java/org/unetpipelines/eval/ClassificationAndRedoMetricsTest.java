package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClassificationAndRedoMetricsTest {
  private static final double EPS = 1e-9;

  @Test
  void topKBreaksTiesTowardsLowerIndex() {
    float[] p = {0.1f, 0.5f, 0.2f, 0.2f};
    assertTrue(ClassificationMetrics.inTopK(p, 1, 1));
    assertFalse(ClassificationMetrics.inTopK(p, 2, 1));
    assertTrue(ClassificationMetrics.inTopK(p, 2, 2));
    assertFalse(ClassificationMetrics.inTopK(p, 3, 2)); // class 2 ties and has the lower index
    assertTrue(ClassificationMetrics.inTopK(p, 3, 3));
  }

  @Test
  void accuracyAndCrossEntropyMatchHandComputedValues() {
    float[][] p = {
        {0.7f, 0.2f, 0.1f, 0f, 0f, 0f},
        {0.1f, 0.2f, 0.3f, 0.4f, 0f, 0f},
        {0.5f, 0.25f, 0.25f, 0f, 0f, 0f}};
    int[] labels = {0, 2, 5};
    assertEquals(1.0 / 3, ClassificationMetrics.topKAccuracy(p, labels, 1), EPS);
    // Row 2: class 5 has p = 0 and ranks 6th (ties with 4 at lower index) -> outside the top 5.
    assertEquals(2.0 / 3, ClassificationMetrics.topKAccuracy(p, labels, 5), EPS);
    double ce = (-Math.log(0.7) - Math.log(0.3) - Math.log(1e-12)) / 3;
    assertEquals(ce, ClassificationMetrics.crossEntropy(p, labels), 1e-6);
  }

  @Test
  void classificationRejectsBadArguments() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClassificationMetrics.inTopK(new float[3], 3, 1));
    assertTrue(e.getMessage().contains("label 3 out of range 0..2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ClassificationMetrics.inTopK(new float[3], 0, 0));
    assertTrue(e.getMessage().contains("k must be >= 1, got 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ClassificationMetrics.topKAccuracy(new float[2][3], new int[1], 1));
    assertTrue(e.getMessage().contains("2 probability rows but 1 labels"), e.getMessage());
  }

  @Test
  void redoTakesTheBetterOfMaskAndInverse() {
    boolean[] truth = {true, true, false, false};
    float[] inverted = {0.1f, 0.1f, 0.9f, 0.9f};
    assertEquals(1.0, RedoMetrics.accuracy(inverted, truth, 0.5), EPS);
    assertEquals(1.0, RedoMetrics.iou(inverted, truth, 0.5), EPS);
    // mask: tp 1, fn 1, tn 2 -> acc 3/4, IoU 1/2; inverse: tp 1, fp 2, fn 1 -> acc 1/4, IoU 1/4.
    float[] half = {0.9f, 0.1f, 0.1f, 0.1f};
    assertEquals(0.75, RedoMetrics.accuracy(half, truth, 0.5), EPS);
    assertEquals(0.5, RedoMetrics.iou(half, truth, 0.5), EPS);
  }

  @Test
  void redoDecidesOnePolarityForTheWholeSet() {
    boolean[] truth = {true, true, false, false};
    RedoMetrics.Polarities right = RedoMetrics.of(new float[] {0.9f, 0.9f, 0.1f, 0.1f}, truth, 0.5);
    RedoMetrics.Polarities inverted = RedoMetrics.of(new float[] {0.1f, 0.1f, 0.9f, 0.9f}, truth, 0.5);
    RedoMetrics.Polarities half = RedoMetrics.of(new float[] {0.9f, 0.1f, 0.1f, 0.1f}, truth, 0.5);
    assertEquals(new RedoMetrics.Polarities(0.75, 0.5, 0.25, 0.25), half);
    assertEquals(new RedoMetrics.Polarities(0, 0, 1, 1), inverted);
    RedoMetrics.SetScore set = new RedoMetrics.SetScore().add(right).add(inverted).add(half);
    // as predicted: IoU (1 + 0 + 1/2) / 3 = 1/2 beats inverted (0 + 1 + 1/4) / 3 = 5/12
    assertFalse(set.inverted());
    assertEquals(0.5, set.iou().mean(), EPS);
    assertEquals(1.75 / 3, set.accuracy().mean(), EPS, "accuracy under the polarity IoU chose");
    assertEquals(3, set.images());
    // merged in two parts: the same decision and means
    RedoMetrics.SetScore merged = new RedoMetrics.SetScore().add(right)
        .merge(new RedoMetrics.SetScore().add(inverted).add(half));
    assertEquals(set.iou().mean(), merged.iou().mean(), EPS);
    assertEquals(set.accuracy().std(), merged.accuracy().std(), EPS);
    // a set mostly inverted: the inverse for every image, including the one predicted right
    RedoMetrics.SetScore flipped = new RedoMetrics.SetScore().add(inverted).add(inverted).add(right);
    assertTrue(flipped.inverted());
    assertEquals(2.0 / 3, flipped.iou().mean(), EPS);
    assertEquals(2.0 / 3, flipped.accuracy().mean(), EPS);
  }
}
