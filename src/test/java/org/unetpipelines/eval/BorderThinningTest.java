package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BorderThinningTest {
  private static boolean[] fg(int... v) {
    boolean[] b = new boolean[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = v[i] != 0;
    }
    return b;
  }

  @Test
  void oddGapLeavesTheLineInTheMiddle() {
    assertArrayEquals(new int[] {1, 1, 0, 2, 2}, BorderThinning.thin(fg(1, 0, 0, 0, 1), 1, 5));
  }

  @Test
  void evenGapPutsTheLineWhereTheFifoFloodingMeets() {
    // Flooding order (column-major start, FIFO): x1 <- 1, x4 <- 2, x2 <- 1, then x3 sees 1 (x2) first
    // and 2 (x4) next: a line. Fiji's WatershedTransform2D places it there too.
    assertArrayEquals(new int[] {1, 1, 1, 0, 2, 2}, BorderThinning.thin(fg(1, 0, 0, 0, 0, 1), 1, 6));
  }

  @Test
  void basinsAreNumberedColumnMajorAndBackgroundIsAbsorbed() {
    // 3x3: foreground at (0,2) and (2,0); column-major order meets (2,0) first (x = 0 column).
    int[] l = BorderThinning.thin(fg(
        0, 0, 1,
        0, 0, 0,
        1, 0, 0), 3, 3);
    assertArrayEquals(new int[] {
        0, 2, 2,
        1, 0, 2,
        1, 1, 0}, l);
  }

  @Test
  void noForegroundIsOneSegmentAndNoBackgroundKeepsTheComponents() {
    assertArrayEquals(new int[] {1, 1, 1, 1}, BorderThinning.thin(fg(0, 0, 0, 0), 2, 2));
    assertArrayEquals(new int[] {1, 1, 1, 1}, BorderThinning.thin(fg(1, 1, 1, 1), 2, 2));
  }

  @Test
  void rejectsWrongSizes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BorderThinning.thin(new boolean[5], 2, 2));
    assertTrue(e.getMessage().contains("mask has 5 pixels, expected 2x2"), e.getMessage());
  }
}
