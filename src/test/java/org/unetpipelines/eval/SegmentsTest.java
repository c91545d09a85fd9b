package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SegmentsTest {
  private static final double EPS = 1e-12;

  @Test
  void label4UsesFourConnectivityAndRasterOrder() {
    boolean t = true;
    boolean f = false;
    boolean[] fg = {
        t, f, t,
        f, t, f,
        t, f, t};
    assertArrayEquals(new int[] {1, 0, 2, 0, 3, 0, 4, 0, 5}, Segments.label4(fg, 3, 3));
    // A U shape: the two arms join through the bottom row, so one component.
    boolean[] u = {
        t, f, t,
        t, f, t,
        t, t, t};
    assertArrayEquals(new int[] {1, 0, 1, 1, 0, 1, 1, 1, 1}, Segments.label4(u, 3, 3));
  }

  @Test
  void randAndViMatchHandComputedValues() {
    // truth {1,1,2,2,0}, test {1,1,1,2,5}; the last pixel is membrane in the truth and ignored.
    // n11 = 2, n21 = 1, n22 = 1, N = 4. S = 6 - 4 = 2, A (truth sizes 2,2) = 4, B (test 3,1) = 6.
    Segments.Contingency c = Segments.contingency(new int[] {1, 1, 2, 2, 0}, new int[] {1, 1, 1, 2, 5}, 0);
    assertEquals(4, c.total());
    Segments.RandScore r = c.adaptedRand();
    assertEquals(1 - 4.0 / 10, r.error(), EPS);
    assertEquals(2.0 / 4, r.precision(), EPS);
    assertEquals(2.0 / 6, r.recall(), EPS);
    // H(joint) = 1.5 bits, H(truth) = 1 bit, H(test) = -(3/4 log2 3/4 + 1/4 log2 1/4).
    double hTest = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)) / Math.log(2);
    Segments.ViScore vi = c.variationOfInformation();
    assertEquals(0.5, vi.split(), EPS);
    assertEquals(1.5 - hTest, vi.merge(), EPS);
  }

  @Test
  void identicalSegmentationsScorePerfectly() {
    int[] a = {1, 1, 2, 3, 3, 0};
    Segments.Contingency c = Segments.contingency(a, a, 0);
    assertEquals(0.0, c.adaptedRand().error(), EPS);
    assertEquals(0.0, c.variationOfInformation().split(), EPS);
    assertEquals(0.0, c.variationOfInformation().merge(), EPS);
  }

  @Test
  void rejectsMismatchedSizes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Segments.contingency(new int[3], new int[4], 0));
    assertTrue(e.getMessage().contains("truth has 3 pixels but test has 4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Segments.label4(new boolean[5], 2, 2));
    assertTrue(e.getMessage().contains("mask has 5 pixels, expected 2x2"), e.getMessage());
  }
}
