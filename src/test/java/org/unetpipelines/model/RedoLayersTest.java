package org.unetpipelines.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** ReDo's layers (spectral norm, self-attention, conditional instance norm, sum and pyramid pooling) and orthogonal init. */
class RedoLayersTest {

  /** Top singular value of [[1, 2], [3, 4]]: W^T W has trace 30 and determinant 4, so sigma^2 = 15 + sqrt(221). */
  private static final double SIGMA_MAX = Math.sqrt(15 + Math.sqrt(221));

  @Test
  void spectralNormPowerIterationConvergesToTheTopSingularValueAndIsCheckpointed(@TempDir Path dir) {
    try (LayerHarness h = new LayerHarness(new long[] {1, 1, 1, 2}, Initializer.XAVIER_NORMAL,
        (l, x) -> Map.of("y", l.spectralConv("c", x, 1, 2, false)))) {
      h.set("c/kernel", 1, 2, 3, 4); // W[in][out] = [[1, 2], [3, 4]]
      h.set("c/sn/u", 1, 0);
      float[] x = {1, 0};
      String sigma = "train/net/c/sn/sigma";
      // one iteration from u = (1, 0): v = (1, 3)/sqrt(10), W^T v = (10, 14)/sqrt(10), sigma = sqrt(29.6)
      assertEquals(Math.sqrt(29.6), h.runOp(sigma, x)[0], 1e-5);
      assertEquals(Math.sqrt(29.6), h.runOp(sigma, x)[0], 1e-5, "a forward pass alone does not move u");
      float[] y = h.run("y", x);
      assertEquals(1 / Math.sqrt(29.6), y[0], 1e-6, "y = x W / sigma");
      assertEquals(2 / Math.sqrt(29.6), y[1], 1e-6);
      double previous = 0;
      for (int i = 0; i < 20; i++) {
        double s = h.runOp(sigma, x)[0];
        assertTrue(s >= previous - 1e-6 && s <= SIGMA_MAX + 1e-5, "iteration " + i + ": " + s);
        previous = s;
        h.runUpdates(x);
      }
      assertEquals(SIGMA_MAX, h.runOp(sigma, x)[0], 1e-5, "converged to the top singular value");
      float[] u = h.runOp("params/net/c/sn/u", x);
      // the top left singular vector of W^T (right of W): eigenvector of W^T W = [[10, 14], [14, 20]]
      double lambda = SIGMA_MAX * SIGMA_MAX;
      double ratio = (lambda - 10) / 14; // u1 / u0
      assertEquals(ratio, u[1] / u[0], 1e-4);
      // u is a variable: a checkpoint holds it
      h.session.save(dir.resolve("ckpt").toString());
      h.set("c/sn/u", 1, 0);
      assertEquals(Math.sqrt(29.6), h.runOp(sigma, x)[0], 1e-5);
      h.session.restore(dir.resolve("ckpt").toString());
      assertEquals(SIGMA_MAX, h.runOp(sigma, x)[0], 1e-5, "restored u");
      assertTrue(h.model.trainableVariables("net").stream().noneMatch(v -> v.op().name().endsWith("/u")),
          "u is not trainable");
      assertEquals(4, h.model.parameterCount("net"), "u is not a parameter");
    }
    assertThrows(IllegalArgumentException.class, () -> new LayerHarness(new long[] {1, 4, 4, 1},
        Initializer.XAVIER_NORMAL, (l, x) -> Map.of("y", l.spectralConv("c", x, 2, 2, false))));
  }

  private static float[] ramp(int n, float scale, float offset) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = offset + scale * (((i * 7) % 11) - 5);
    }
    return v;
  }

  @Test
  void selfAttentionMatchesAHandWrittenReference() {
    int hw = 4;
    int c = 8;
    float[] x = ramp(hw * hw * c, 0.1f, 0.05f);
    try (LayerHarness h = new LayerHarness(new long[] {1, hw, hw, c}, Initializer.XAVIER_NORMAL,
        (l, in) -> Map.of("y", l.selfAttention("sa", in)))) {
      assertArrayEquals(x, h.run("y", x), 0f, "gamma starts at 0: the identity");
      assertEquals(8 + 8 + 32 + 32 + 1, h.model.parameterCount("net"), "f, g: C x C/8; h: C x C/2; o: C/2 x C; gamma");
      float[] kf = ramp(c, 0.3f, 0.1f);
      float[] kg = ramp(c, -0.2f, 0.05f);
      float[] kh = ramp(c * 4, 0.15f, 0f);
      float[] ko = ramp(4 * c, 0.1f, -0.02f);
      h.set("sa/f/kernel", kf);
      h.set("sa/g/kernel", kg);
      h.set("sa/h/kernel", kh);
      h.set("sa/o/kernel", ko);
      h.set("sa/gamma", 0.5f);
      double sf = h.runOp("train/net/sa/f/sn/sigma", x)[0];
      double sg = h.runOp("train/net/sa/g/sn/sigma", x)[0];
      double sh = h.runOp("train/net/sa/h/sn/sigma", x)[0];
      double so = h.runOp("train/net/sa/o/sn/sigma", x)[0];
      int n = hw * hw;
      double[] f = new double[n];
      double[] g = new double[n];
      double[][] hv = new double[n][4];
      for (int p = 0; p < n; p++) {
        for (int i = 0; i < c; i++) {
          f[p] += x[p * c + i] * kf[i] / sf;
          g[p] += x[p * c + i] * kg[i] / sg;
          for (int j = 0; j < 4; j++) {
            hv[p][j] += x[p * c + i] * kh[i * 4 + j] / sh;
          }
        }
      }
      // 2x2 max pools: keys and values at the 4 windows
      double[] gk = new double[4];
      double[][] hk = new double[4][4];
      for (int wy = 0; wy < 2; wy++) {
        for (int wx = 0; wx < 2; wx++) {
          int k = wy * 2 + wx;
          gk[k] = Double.NEGATIVE_INFINITY;
          java.util.Arrays.fill(hk[k], Double.NEGATIVE_INFINITY);
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              int p = (2 * wy + dy) * hw + 2 * wx + dx;
              gk[k] = Math.max(gk[k], g[p]);
              for (int j = 0; j < 4; j++) {
                hk[k][j] = Math.max(hk[k][j], hv[p][j]);
              }
            }
          }
        }
      }
      float[] y = h.run("y", x);
      for (int q = 0; q < n; q++) {
        double[] a = new double[4];
        double z = 0;
        for (int k = 0; k < 4; k++) {
          a[k] = Math.exp(f[q] * gk[k]);
          z += a[k];
        }
        double[] mixed = new double[4];
        for (int k = 0; k < 4; k++) {
          for (int j = 0; j < 4; j++) {
            mixed[j] += a[k] / z * hk[k][j];
          }
        }
        for (int i = 0; i < c; i++) {
          double o = 0;
          for (int j = 0; j < 4; j++) {
            o += mixed[j] * ko[j * c + i] / so;
          }
          assertEquals(x[q * c + i] + 0.5 * o, y[q * c + i], 1e-5, "position " + q + " channel " + i);
        }
      }
    }
    assertThrows(IllegalArgumentException.class, () -> new LayerHarness(new long[] {1, 3, 4, 8},
        Initializer.XAVIER_NORMAL, (l, in) -> Map.of("y", l.selfAttention("sa", in))));
  }

  @Test
  void conditionalInstanceNormTakesGammaAndBetaFromZ() {
    float[] x = {1, 2, 3, 4, 0, 0, 0, 2};
    try (LayerHarness h = new LayerHarness(new long[] {2, 2, 2, 1}, Initializer.XAVIER_NORMAL, (l, in) -> {
      Operand<TFloat32> z = l.tf().constant(new float[][] {{1, 2}, {0, -1}});
      return Map.of("y", l.conditionalInstanceNorm("cin", in, z));
    })) {
      h.set("cin/gamma/kernel", 0.5f, 1f);
      h.set("cin/gamma/bias", 0.25f);
      h.set("cin/beta/kernel", 1f, -1f);
      h.set("cin/beta/bias", 0f);
      float[] y = h.run("y", x);
      double eps = Layers.INSTANCE_NORM_EPSILON;
      // sample 0: mean 2.5, var 1.25, gamma = 0.5 + 2 + 0.25 = 2.75, beta = 1 - 2 = -1
      // sample 1: mean 0.5, var 0.75, gamma = 0 - 1 + 0.25 = -0.75, beta = 0 + 1 = 1
      for (int i = 0; i < 4; i++) {
        assertEquals((x[i] - 2.5) / Math.sqrt(1.25 + eps) * 2.75 - 1, y[i], 1e-5);
        assertEquals((x[4 + i] - 0.5) / Math.sqrt(0.75 + eps) * -0.75 + 1, y[4 + i], 1e-5);
      }
    }
  }

  @Test
  void sumPooling() {
    try (LayerHarness h = new LayerHarness(new long[] {1, 2, 2, 2}, Initializer.XAVIER_NORMAL,
        (l, in) -> Map.of("y", l.sumPool("sum", in)))) {
      assertArrayEquals(new float[] {1 + 3 + 5 + 7, 2 + 4 + 6 + 8}, h.run("y", new float[] {1, 2, 3, 4, 5, 6, 7, 8}), 0f);
      assertArrayEquals(new long[] {-1, 2}, h.shape("y"));
    }
  }

  /** PyTorch's bilinear resize with align_corners=False of an n x n grid (one channel) to s x s. */
  private static double bilinear(double[][] grid, int s, int i, int j) {
    int n = grid.length;
    double scale = (double) n / s;
    double sy = Math.max((i + 0.5) * scale - 0.5, 0);
    double sx = Math.max((j + 0.5) * scale - 0.5, 0);
    int y0 = (int) Math.floor(sy);
    int x0 = (int) Math.floor(sx);
    int y1 = Math.min(y0 + 1, n - 1);
    int x1 = Math.min(x0 + 1, n - 1);
    double ly = sy - y0;
    double lx = sx - x0;
    return (1 - ly) * ((1 - lx) * grid[y0][x0] + lx * grid[y0][x1]) + ly * ((1 - lx) * grid[y1][x0] + lx * grid[y1][x1]);
  }

  @Test
  void pyramidPoolingAveragesOnEachGridAndResizesBilinearly() {
    int s = 6;
    float[] x = ramp(s * s, 1f, 0.5f);
    int[] bins = {1, 2, 3, 6};
    try (LayerHarness h = new LayerHarness(new long[] {1, s, s, 1}, Initializer.XAVIER_NORMAL,
        (l, in) -> Map.of("y", l.pyramidPooling("psp", in, bins)))) {
      assertArrayEquals(new long[] {-1, s, s, 5}, h.shape("y"));
      for (int b : bins) {
        h.set("psp/conv" + b + "/kernel", 2f);
        h.set("psp/conv" + b + "/bias", 0.5f);
      }
      float[] y = h.run("y", x);
      for (int m = 0; m < bins.length; m++) {
        int b = bins[m];
        int k = s / b;
        double[][] grid = new double[b][b];
        for (int gy = 0; gy < b; gy++) {
          for (int gx = 0; gx < b; gx++) {
            double sum = 0;
            for (int dy = 0; dy < k; dy++) {
              for (int dx = 0; dx < k; dx++) {
                sum += x[(gy * k + dy) * s + gx * k + dx];
              }
            }
            grid[gy][gx] = 2 * sum / (k * k) + 0.5;
          }
        }
        for (int i = 0; i < s; i++) {
          for (int j = 0; j < s; j++) {
            int p = i * s + j;
            assertEquals(x[p], y[p * 5], 0f, "channel 0 is x");
            assertEquals(bilinear(grid, s, i, j), y[p * 5 + 1 + m], 1e-5, "bins " + b + " at " + i + "," + j);
          }
        }
      }
    }
    // ReDo's sizes: S = 32 -> kernels 32, 16, 10, 5 (grids 1, 2, 3, 6)
    try (LayerHarness h = new LayerHarness(new long[] {1, 32, 32, 3}, Initializer.XAVIER_NORMAL,
        (l, in) -> Map.of("y", l.pyramidPooling("psp", in, 1, 2, 3, 6)))) {
      assertArrayEquals(new long[] {-1, 32, 32, 7}, h.shape("y"));
      assertEquals(4 * (3 + 1), h.model.parameterCount("net"));
    }
    assertThrows(IllegalArgumentException.class, () -> new LayerHarness(new long[] {1, 6, 4, 1},
        Initializer.XAVIER_NORMAL, (l, in) -> Map.of("y", l.pyramidPooling("psp", in, 1, 2))));
  }

  private static float[] draw(long[] shape, long seed) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> v = Initializer.ORTHOGONAL.create(tf, shape, new Initializer.Fans(1, 1), new long[] {seed, 3});
      try (Result r = s.runner().fetch(v).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] out = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    }
  }

  /** (M^T M) of the row-major [rows, cols] matrix, or (M M^T) when {@code byRows}. */
  private static void assertGram(float[] m, int rows, int cols, boolean byRows, double gain) {
    int n = byRows ? rows : cols;
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        double dot = 0;
        for (int k = 0; k < (byRows ? cols : rows); k++) {
          dot += byRows ? (double) m[a * cols + k] * m[b * cols + k] : (double) m[k * cols + a] * m[k * cols + b];
        }
        assertEquals(a == b ? gain * gain : 0.0, dot, 1e-5, "gram[" + a + "][" + b + "]");
      }
    }
  }

  @Test
  void orthogonalInitializationWithGain08() {
    double g = Initializer.ORTHOGONAL_GAIN;
    assertEquals(0.8, g);
    // square: a 3x3 conv 4 -> 36 flattens to [36, 36], W^T W = W W^T = 0.64 I
    float[] square = draw(new long[] {3, 3, 4, 36}, 1);
    assertGram(square, 36, 36, false, g);
    assertGram(square, 36, 36, true, g);
    // tall [144, 8]: orthonormal columns; wide dense [4, 16]: orthonormal rows
    assertGram(draw(new long[] {3, 3, 16, 8}, 2), 144, 8, false, g);
    assertGram(draw(new long[] {4, 16}, 3), 4, 16, true, g);
    assertArrayEquals(draw(new long[] {4, 16}, 3), draw(new long[] {4, 16}, 3), 0f, "seeded: repeatable");
    assertNotEquals(draw(new long[] {4, 16}, 3)[0], draw(new long[] {4, 16}, 4)[0], "another seed, other values");
    assertThrows(IllegalArgumentException.class, () -> draw(new long[] {5}, 1));
    assertEquals(WeightInit.ORTHOGONAL.initializer(), Initializer.ORTHOGONAL);
  }

  @Test
  void aFedInitSeedDrawsOtherWeightsAndTheDefaultRepeatsTheFirst() {
    try (LayerHarness h = new LayerHarness(new long[] {1, 1, 1, 2}, Initializer.ORTHOGONAL,
        (l, in) -> Map.of("y", l.conv("c", in, 1, 2, Padding.SAME, false)))) {
      float[] first = h.runOp("params/net/c/kernel", new float[2]);
      Operand<TInt64> seed = h.model.initSeedInput();
      Ops tf = h.tf();
      // re-run the kernel's initializer (its Assign) with a fed seed, then with the default
      org.tensorflow.GraphOperation assign = null;
      for (java.util.Iterator<org.tensorflow.GraphOperation> it = h.graph.operations(); it.hasNext(); ) {
        org.tensorflow.GraphOperation op = it.next();
        if (h.graph.isInitializer(op) && op.type().startsWith("Assign")) {
          assign = op;
        }
      }
      assertTrue(assign != null);
      try (TInt64 s = TInt64.vectorOf(99, 0); Result r = h.session.runner().feed(seed, s).addTarget(assign).run()) {
        // reinitialized
      }
      float[] other = h.runOp("params/net/c/kernel", new float[2]);
      assertNotEquals(first[0], other[0]);
      try (Result r = h.session.runner().addTarget(assign).run()) {
        // default seed
      }
      assertArrayEquals(first, h.runOp("params/net/c/kernel", new float[2]), 0f);
      assertTrue(tf != null);
    }
  }
}
