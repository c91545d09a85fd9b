package org.unetpipelines.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageArray.Depth;

class BorderWeightsTest {

  @Test
  void twoTouchingCellsSplitByAOnePixelBorder() {
    // 3 rows of [cell A, cell A, border, cell B, cell B]
    float[] m = new float[15];
    for (int y = 0; y < 3; y++) {
      float[] row = {255, 255, 0, 255, 255};
      System.arraycopy(row, 0, m, y * 5, 5);
    }
    ImageArray w = BorderWeights.weightMap(ImageArray.wrap(3, 5, 1, Depth.U8, m), 10, 5, true);
    double fg = 15.0 / (2 * 12); // 0.625
    double bg = 15.0 / (2 * 3); // 2.5
    for (int y = 0; y < 3; y++) {
      // border pixel: d1 = d2 = 1
      assertEquals(bg + 10 * Math.exp(-4.0 / 50), w.get(y, 2), 1e-5);
      // inner edge of a cell: d1 = 0, d2 = 2
      assertEquals(fg + 10 * Math.exp(-4.0 / 50), w.get(y, 1), 1e-5);
      assertEquals(fg + 10 * Math.exp(-4.0 / 50), w.get(y, 3), 1e-5);
      // outer column: d1 = 0, d2 = 3
      assertEquals(fg + 10 * Math.exp(-9.0 / 50), w.get(y, 0), 1e-5);
      assertEquals(fg + 10 * Math.exp(-9.0 / 50), w.get(y, 4), 1e-5);
    }
  }

  @Test
  void distancesAreEuclideanAndSecondNearestCounts() {
    // 3x4: cell A at (0,0), cell B at (2,3), cell C at (0,3); no class balancing
    float[] m = new float[12];
    m[0] = 1;
    m[2 * 4 + 3] = 1;
    m[3] = 1;
    ImageArray w = BorderWeights.weightMap(ImageArray.wrap(3, 4, 1, Depth.U8, m), 10, 5, false);
    // pixel (1,1): A at sqrt(2), C at sqrt(1+4), B at sqrt(1+4)
    double s = Math.sqrt(2) + Math.sqrt(5);
    assertEquals(1 + 10 * Math.exp(-s * s / 50), w.get(1, 1), 1e-5);
    // pixel (1,3): C and B both at distance 1
    assertEquals(1 + 10 * Math.exp(-4.0 / 50), w.get(1, 3), 1e-5);
    // pixel (0,0) is inside A: d1 = 0, d2 = 3 (C)
    assertEquals(1 + 10 * Math.exp(-9.0 / 50), w.get(0, 0), 1e-5);
  }

  @Test
  void fourConnectivityAndSingleCell() {
    // diagonal neighbours are two cells under 4-connectivity
    float[] m = {1, 0, 0, 1};
    int[] labels = new int[4];
    assertEquals(2, BorderWeights.label(ImageArray.wrap(2, 2, 1, Depth.U8, m), labels));
    // one cell: no border term, only class balance
    float[] one = {1, 1, 0, 0};
    ImageArray w = BorderWeights.weightMap(ImageArray.wrap(2, 2, 1, Depth.U8, one), 10, 5, true);
    assertEquals(1.0, w.get(0, 0), 1e-6);
    assertEquals(1.0, w.get(1, 1), 1e-6);
    assertEquals(Depth.F32, w.depth());
  }

  @Test
  void rejectsBadParameters() {
    ImageArray m = ImageArray.zeros(2, 2, 1, Depth.U8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BorderWeights.weightMap(m, 10, 0, true));
    assertTrue(e.getMessage().contains("sigma must be a finite value > 0, got 0.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> BorderWeights.weightMap(m, -1, 5, true));
    assertTrue(e.getMessage().contains("w0 must be a finite value >= 0, got -1.0"), e.getMessage());
  }
}
