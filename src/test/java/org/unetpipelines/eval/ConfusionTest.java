package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfusionTest {
  private static final double EPS = 1e-12;

  // Hand-made: at t = 0.5 tp = 3, fp = 1, fn = 2, tn = 4.
  static final float[] PROB = {0.9f, 0.8f, 0.7f, 0.2f, 0.1f, 0.6f, 0.4f, 0.3f, 0.2f, 0.0f};
  static final boolean[] TRUTH = {true, true, true, true, true, false, false, false, false, false};

  @Test
  void countsAndRatiosMatchHandComputedValues() {
    Confusion c = Confusion.of(PROB, TRUTH, 0.5);
    assertEquals(new Confusion(3, 1, 2, 4), c);
    assertEquals(0.7, c.accuracy(), EPS);
    assertEquals(3.0 / 4, c.precision(), EPS);
    assertEquals(3.0 / 5, c.recall(), EPS);
    assertEquals(3.0 / 5, c.sensitivity(), EPS);
    assertEquals(4.0 / 5, c.specificity(), EPS);
    assertEquals(6.0 / 9, c.f1(), EPS);
    assertEquals(15.0 / 24, c.f2(), EPS);
    assertEquals(3.0 / 6, c.iou(), EPS);
    assertEquals(6.0 / 9, c.dice(), EPS);
    assertEquals(4.0 / 7, c.inverted().iou(), EPS);
    assertEquals(8.0 / 11, c.inverted().dice(), EPS);
  }

  @Test
  void thresholdIsStrict() {
    Confusion c = Confusion.of(new float[] {0.5f, 0.50001f}, new boolean[] {true, true}, 0.5);
    assertEquals(new Confusion(1, 0, 1, 0), c);
  }

  @Test
  void emptyPredictionAndTruthArePerfect() {
    Confusion c = Confusion.of(new float[] {0f, 0.2f}, new boolean[] {false, false}, 0.5);
    assertEquals(1.0, c.iou());
    assertEquals(1.0, c.dice());
    assertEquals(1.0, c.f1());
    assertEquals(1.0, c.precision());
  }

  @Test
  void rejectsBadArguments() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Confusion.of(new float[3], new boolean[2], 0.5));
    assertTrue(e.getMessage().contains("prediction has 3 pixels but truth has 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Confusion(-1, 0, 0, 0));
    assertTrue(e.getMessage().contains("tp=-1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Confusion(1, 0, 0, 0).fBeta(0));
    assertTrue(e.getMessage().contains("beta must be > 0, got 0.0"), e.getMessage());
  }
}
