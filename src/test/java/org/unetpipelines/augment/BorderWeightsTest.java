package org.unetpipelines.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.unetpipelines.bench.BorderWeightsBaseline;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageArray.Depth;
import org.unetpipelines.image.ImageCodec;

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

  static final Path ISBI_LABELS = Path.of("../shared/data/isbi2012/train/labels");

  static ImageArray isbiLabel(int slice) throws Exception {
    Path f = ISBI_LABELS.resolve(String.format("slice%02d.png", slice));
    assumeTrue(Files.isRegularFile(f), "ISBI 2012 labels not found at " + ISBI_LABELS.toAbsolutePath());
    return ImageCodec.decodeFirst(Files.readAllBytes(f));
  }

  static double maxAbsDiff(ImageArray a, ImageArray b) {
    assertEquals(a.height(), b.height());
    assertEquals(a.width(), b.width());
    double m = 0;
    for (int i = 0; i < a.data().length; i++) {
      m = Math.max(m, Math.abs(a.data()[i] - b.data()[i]));
    }
    return m;
  }

  /**
   * The windowed implementation against the full-image one it replaced (kept as
   * bench/BorderWeightsBaseline), on the ISBI 2012 training labels: four whole 512x512 slices, and a
   * 160x160 crop of each of the 24 at a different place, with the paper's parameters and others.
   * Required: within 1e-4; the cut-off bounds the difference by NEGLIGIBLE = 1e-6 before float rounding.
   */
  @Test
  void equalsTheFullImageReferenceOnTheIsbiLabels() throws Exception {
    int cells = 0;
    for (int slice : new int[] {0, 8, 16, 23}) {
      ImageArray m = isbiLabel(slice);
      cells += BorderWeights.label(m, new int[m.height() * m.width()]);
      double d = maxAbsDiff(BorderWeightsBaseline.weightMap(m, 10, 5, true), BorderWeights.weightMap(m, 10, 5, true));
      assertTrue(d <= 2e-6, "slice " + slice + ": max |fast - reference| = " + d);
    }
    assertTrue(cells > 4 * 100, "many cells per slice: " + cells);
    double[][] params = {{10, 5, 1}, {10, 5, 0}, {5, 3, 1}, {25, 8, 0}, {1e-8, 5, 1}};
    for (int slice = 0; slice < 24; slice++) {
      ImageArray m = isbiLabel(slice);
      Crops.Window win = new Crops.Window((slice * 61) % (512 - 160), (slice * 113) % (512 - 160), 160, 160);
      ImageArray crop = Crops.crop(m, win);
      double[] p = params[slice % params.length];
      double d = maxAbsDiff(BorderWeightsBaseline.weightMap(crop, p[0], p[1], p[2] > 0),
          BorderWeights.weightMap(crop, p[0], p[1], p[2] > 0));
      assertTrue(d <= 2e-6, "slice " + slice + " crop " + win + " w0/sigma/balance " + java.util.Arrays.toString(p)
          + ": max |fast - reference| = " + d);
    }
  }

  @Test
  void reachIsWhereTheBorderTermFallsBelowNegligible() {
    double r = BorderWeights.reach(10, 5);
    assertEquals(BorderWeights.NEGLIGIBLE, 10 * Math.exp(-r * r / (2 * 25)), 1e-15);
    assertEquals(5 * Math.sqrt(2 * Math.log(1e7)), r, 1e-12);
    assertEquals(0, BorderWeights.reach(1e-8, 5));
  }

  /** Two cells farther apart than the reach: no border term between them, the reference's is below NEGLIGIBLE. */
  @Test
  void cellsBeyondTheReachGetNoBorderTerm() {
    int w = 80;
    float[] m = new float[w];
    m[0] = 1;
    m[w - 1] = 1;
    ImageArray mask = ImageArray.wrap(1, w, 1, Depth.U8, m);
    assertTrue(BorderWeights.reach(10, 5) < w - 1);
    ImageArray fast = BorderWeights.weightMap(mask, 10, 5, false);
    ImageArray ref = BorderWeightsBaseline.weightMap(mask, 10, 5, false);
    for (int x = 0; x < w; x++) {
      assertEquals(1.0, fast.get(0, x), 0.0, "x=" + x);
      assertEquals(ref.get(0, x), fast.get(0, x), BorderWeights.NEGLIGIBLE, "x=" + x);
    }
  }

  /** The run-based labelling gives exactly Segments.label4's labels (skimage's connectivity=1 order). */
  @Test
  void labelsEqualTheSegmentationMetricsLabelling() throws Exception {
    java.util.Random rnd = new java.util.Random(3);
    for (int t = 0; t < 30; t++) {
      ImageArray m;
      if (t < 4) {
        m = isbiLabel(t * 7);
      } else {
        int h = 1 + rnd.nextInt(40);
        int w = 1 + rnd.nextInt(40);
        float[] px = new float[h * w];
        double density = rnd.nextDouble();
        for (int i = 0; i < px.length; i++) {
          px[i] = rnd.nextDouble() < density ? 255 : 0;
        }
        m = ImageArray.wrap(h, w, 1, Depth.U8, px);
      }
      boolean[] fg = new boolean[m.height() * m.width()];
      for (int i = 0; i < fg.length; i++) {
        fg[i] = m.data()[i] > 0;
      }
      int[] expected = org.unetpipelines.eval.Segments.label4(fg, m.height(), m.width());
      int[] labels = new int[fg.length];
      int k = BorderWeights.label(m, labels);
      assertArrayEquals(expected, labels, "mask " + t);
      assertEquals(java.util.Arrays.stream(expected).max().orElse(0), k, "mask " + t);
    }
  }
}
