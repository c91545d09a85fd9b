package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hand-worked cases of the simple-point warping (see each comment for the flips). */
class WarpingErrorTest {

  /** h x w mask with the rectangle rows y0..y1, cols x0..x1 (inclusive) set. */
  static boolean[] rect(int h, int w, int y0, int y1, int x0, int x1) {
    boolean[] m = new boolean[h * w];
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        m[y * w + x] = true;
      }
    }
    return m;
  }

  static float[] prob(boolean[] fg) {
    float[] p = new float[fg.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = fg[i] ? 1f : 0f;
    }
    return p;
  }

  @Test
  void simplePointsAreThoseWhoseFlipKeepsTopology() {
    // end of a line: simple
    assertTrue(WarpingError.isSimple(new boolean[] {false, true, false, false, true, false, false, false, false}));
    // isolated pixel (deleting it deletes an object; adding it adds one): not simple
    assertFalse(WarpingError.isSimple(new boolean[9]));
    // bridge between two parts (up and down): not simple
    assertFalse(WarpingError.isSimple(new boolean[] {false, true, false, false, true, false, false, true, false}));
    // all 8 neighbours foreground: flipping would add or fill a hole: not simple
    assertFalse(WarpingError.isSimple(new boolean[] {true, true, true, true, false, true, true, true, true}));
    // diagonal-only contact is not 4-connected: two corners are two foreground parts of zero
    // 4-adjacent components (T4 = 0): not simple
    assertFalse(WarpingError.isSimple(new boolean[] {true, false, false, false, true, false, false, false, true}));
    // a corner attached to an edge neighbour is one component: simple
    assertTrue(WarpingError.isSimple(new boolean[] {true, true, false, false, false, false, false, false, false}));
  }

  @Test
  void identicalAndBoundaryShiftCostNothing() {
    boolean[] truth = rect(8, 8, 2, 5, 2, 5);
    assertEquals(0, WarpingError.mismatches(prob(truth), truth, 8, 8, 0.5));
    // one row thicker: 4 pixels differ, each flip (column-major (6,2), (6,3), ...) is simple
    float[] thicker = prob(rect(8, 8, 2, 6, 2, 5));
    assertEquals(0, WarpingError.mismatches(thicker, truth, 8, 8, 0.5));
    assertEquals(4, Confusion.of(thicker, truth, 0.5).fp());
  }

  @Test
  void aSplitCostsOnePixel() {
    // 7x7, truth = 5x5 block rows/cols 1..5; prediction cuts row 3 (cols 1..5) out: two objects.
    // Column-major, (3,1) .. (3,4) are simple in turn; (3,5) then joins two parts: T4 = 2, it stays.
    boolean[] truth = rect(7, 7, 1, 5, 1, 5);
    boolean[] pred = truth.clone();
    for (int x = 1; x <= 5; x++) {
      pred[3 * 7 + x] = false;
    }
    assertEquals(1, WarpingError.mismatches(prob(pred), truth, 7, 7, 0.5));
    assertEquals(1.0 / 49, WarpingError.error(prob(pred), truth, 7, 7, 0.5), 1e-15);
  }

  @Test
  void aMissingObjectShrinksToOnePixel() {
    // truth: a 2x2 object in 4x4, prediction: nothing. (1,1), (2,1), (1,2) are simple in turn; the last
    // pixel (2,2) is isolated.
    boolean[] truth = rect(4, 4, 1, 2, 1, 2);
    assertEquals(1, WarpingError.mismatches(new float[16], truth, 4, 4, 0.5));
    // An extra object in the prediction cannot be grown from nothing: a first pixel with no foreground
    // neighbour is not simple (T4 = 0), so all 4 pixels stay.
    assertEquals(4, WarpingError.mismatches(prob(truth), new boolean[16], 4, 4, 0.5));
  }

  @Test
  void mostConfidentMismatchesFlipFirst() {
    // 1x5 truth [1 1 0 1 1], prediction [1 1 1 1 1]: the gap pixel would merge two objects (W and E
    // are separate parts): not simple.
    boolean[] truth = {true, true, false, true, true};
    assertEquals(1, WarpingError.mismatches(new float[] {1, 1, 0.6f, 1, 1}, truth, 1, 5, 0.5));
    // 1x4 truth [1 0 0 1], prediction fills both gap pixels: one flip is simple (it extends an
    // object), the second would then merge. The more confident one (0.9, x = 2) flips first although
    // x = 1 comes first in scan order, so x = 1 is left.
    boolean[] t2 = {true, false, false, true};
    float[] p2 = {1, 0.6f, 0.9f, 1};
    assertEquals(1, WarpingError.mismatches(p2, t2, 1, 4, 0.5));
    assertArrayEquals(new boolean[] {true, false, true, true}, WarpingError.warp(p2, t2, 1, 4, 0.5));
    // equal confidence: scan order decides, x = 1 flips
    assertArrayEquals(new boolean[] {true, true, false, true},
        WarpingError.warp(new float[] {1, 0.9f, 0.9f, 1}, t2, 1, 4, 0.5));
    // at threshold 0.7 the 0.6 pixel is background in the prediction as well; x = 2 alone is simple
    assertEquals(0, WarpingError.mismatches(p2, t2, 1, 4, 0.7));
  }

  @Test
  void rejectsWrongSizes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WarpingError.mismatches(new float[4], new boolean[5], 2, 2, 0.5));
    assertTrue(e.getMessage().contains("prediction has 4 pixels and truth 5, expected 2x2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> WarpingError.isSimple(new boolean[8]));
    assertTrue(e.getMessage().contains("a 3x3 patch has 9 values, got 8"), e.getMessage());
  }
}
