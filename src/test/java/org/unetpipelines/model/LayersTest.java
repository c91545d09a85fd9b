package org.unetpipelines.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The layer vocabulary against hand-computed values on tiny tensors with known weights, and each
 * layer's gradient against central finite differences.
 */
class LayersTest {
  private static final float TOL = 1e-5f;

  /** 1, 2, ..., n. */
  private static float[] seq(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i + 1;
    }
    return v;
  }

  private static Operand<TFloat32> constant(Ops tf, long[] shape, float... values) {
    return tf.constant(Shape.of(shape), DataBuffers.of(values));
  }

  /** A 3x3 kernel [3, 3, 1, 2]: filter 0 has k[0][0] = 1, k[0][1] = 2, k[2][2] = -1, filter 1 is all ones. */
  private static float[] kernel3x3x1x2() {
    float[] k = new float[18];
    for (int ab = 0; ab < 9; ab++) {
      k[ab * 2 + 1] = 1f;
    }
    k[0] = 1f; // a=0 b=0 o=0
    k[2] = 2f; // a=0 b=1 o=0
    k[16] = -1f; // a=2 b=2 o=0
    return k;
  }

  @Test
  void stridedConvolutionSameValidAndPyTorchStyle() {
    long[] in = {1, 4, 4, 1}; // x[i][j] = 4i + j + 1
    try (LayerHarness h = new LayerHarness(in, Initializer.HE_NORMAL, (l, x) -> {
      Operand<TFloat32> same = l.conv("same", x, 3, 2, 2, 1, Padding.SAME, false);
      Operand<TFloat32> valid = l.conv("valid", x, 3, 2, 2, 1, Padding.VALID, true);
      Operand<TFloat32> torch = l.conv("torch", l.pad("pad", x, 1, Layers.PadMode.ZEROS), 3, 2, 2, 1, Padding.VALID,
          false);
      Ops tf = l.tf();
      return Map.of("same", same, "valid", valid, "torch", torch,
          "loss", tf.math.add(LayerHarness.probe(tf, same, new long[] {1, 2, 2, 2}),
              LayerHarness.probe(tf, valid, new long[] {1, 1, 1, 2})),
          "validLoss", LayerHarness.probe(tf, valid, new long[] {1, 1, 1, 2}));
    })) {
      h.set("same/kernel", kernel3x3x1x2());
      h.set("valid/kernel", kernel3x3x1x2());
      h.set("valid/bias", 0.5f, -1f);
      h.set("torch/kernel", kernel3x3x1x2());
      float[] x = seq(16);
      assertArrayEquals(new long[] {-1, 2, 2, 2}, h.shape("same"));
      assertArrayEquals(new long[] {-1, 1, 1, 2}, h.shape("valid"));
      // SAME, stride 2: TensorFlow pads one row/column at the bottom/right only. Output (r, c) reads
      // rows 2r..2r+2, cols 2c..2c+2. Filter 0: x[2r][2c] + 2 x[2r][2c+1] - x[2r+2][2c+2]:
      //   (0,0) 1 + 4 - 11 = -6; (0,1) 3 + 8 - 0 = 11; (1,0) 9 + 20 - 0 = 29; (1,1) 11 + 24 - 0 = 35.
      // Filter 1 (window sums): (0,0) 6+18+30 = 54; (0,1) 7+15+23 = 45; (1,0) 30+42 = 72; (1,1) 11+12+15+16 = 54.
      assertArrayEquals(new float[] {-6, 54, 11, 45, 29, 72, 35, 54}, h.run("same", x), TOL);
      // VALID, stride 2 on 4x4: one window (0,0), plus the biases 0.5 and -1.
      assertArrayEquals(new float[] {-5.5f, 53f}, h.run("valid", x), TOL);
      // PyTorch Conv2d(3, stride 2, padding 1) = zero pad 1 + VALID: windows centered on (2r, 2c);
      // filter 0 = xp[2r][2c] + 2 xp[2r][2c+1] - xp[2r+2][2c+2] with xp[i][j] = x[i-1][j-1]:
      //   (0,0) 0 + 0 - 6 = -6; (0,1) 0 + 0 - 8 = -8; (1,0) 0 + 10 - 14 = -4; (1,1) 6 + 14 - 16 = 4.
      // Filter 1 sums x over rows 2r-1..2r+1, cols 2c-1..2c+1: (0,0) 1+2+5+6 = 14; (0,1) 2+3+4+6+7+8 = 30;
      //   (1,0) 5+6+9+10+13+14 = 57; (1,1) 6+7+8+10+11+12+14+15+16 = 99.
      assertArrayEquals(new float[] {-6, 14, -8, 30, -4, 57, 4, 99}, h.run("torch", x), TOL);
      h.assertScoped("same", "same");
      h.assertScoped("valid", "valid");
      // kernel gradient of sum(w * valid): w_o * x[a][b] (a, b < 3), by hand
      float[] gk = h.gradientOfVariable("validLoss", "valid/kernel", x);
      for (int a = 0; a < 3; a++) {
        for (int b = 0; b < 3; b++) {
          for (int o = 0; o < 2; o++) {
            assertEquals(LayerHarness.probeWeight(o) * x[4 * a + b], gk[(a * 3 + b) * 2 + o], TOL);
          }
        }
      }
      h.checkGradient("loss", x, 1e-2f, 2e-3f);
    }
  }

  @Test
  void dilatedConvolution() {
    long[] in = {1, 5, 5, 1}; // X(i, j) = 5i + j + 1
    try (LayerHarness h = new LayerHarness(in, Initializer.HE_NORMAL, (l, x) -> {
      Operand<TFloat32> same = l.conv("same", x, 3, 1, 1, 2, Padding.SAME, false);
      Operand<TFloat32> valid = l.conv("valid", x, 3, 1, 1, 2, Padding.VALID, false);
      return Map.of("same", same, "valid", valid, "loss", LayerHarness.probe(l.tf(), same, new long[] {1, 5, 5, 1}),
          "validLoss", LayerHarness.probe(l.tf(), valid, new long[] {1, 1, 1, 1}));
    })) {
      float[] k = new float[9];
      k[0] = 1f;
      k[1] = 2f;
      k[8] = -1f;
      h.set("same/kernel", k);
      h.set("valid/kernel", k);
      float[] x = seq(25);
      // dilation 2: y(r, c) = X(r-2, c-2) + 2 X(r-2, c) - X(r+2, c+2), zero outside (SAME pads 2 each side)
      float[] expected = {
          -13, -14, -15, 0, 0, //  r=0: -X(2, c+2)
          -18, -19, -20, 0, 0, //  r=1: -X(3, c+2)
          -21, -20, -18, 10, 13, // r=2: 2-23, 4-24, 1+6-25, 2+8, 3+10
          12, 14, 22, 25, 28, //   r=3: X(1, c-2) + 2 X(1, c), X(1, j) = 6 + j
          22, 24, 37, 40, 43}; //  r=4: X(2, c-2) + 2 X(2, c), X(2, j) = 11 + j
      assertArrayEquals(expected, h.run("same", x), TOL);
      assertArrayEquals(new long[] {-1, 1, 1, 1}, h.shape("valid"));
      assertArrayEquals(new float[] {1 + 2 * 3 - 25}, h.run("valid", x), TOL);
      h.assertScoped("same", "same");
      // kernel gradient of w0 * valid: w0 * X(2a, 2b), by hand (an undilated gradient would give X(a, b))
      float[] gk = h.gradientOfVariable("validLoss", "valid/kernel", x);
      for (int a = 0; a < 3; a++) {
        for (int b = 0; b < 3; b++) {
          assertEquals(LayerHarness.probeWeight(0) * x[5 * (2 * a) + 2 * b], gk[a * 3 + b], TOL);
        }
      }
      h.checkGradient("loss", x, 1e-2f, 2e-3f);
    }
  }

  @Test
  void convolutionRejectsBadStridesAndSizes() {
    long[] in = {1, 4, 4, 1};
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.conv("c", x, 3, 1, 2, 2, Padding.SAME, false))));
    assertTrue(both.getMessage().contains("stride 2 and dilation 2 cannot both be > 1"), both.getMessage());
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.conv("c", x, 3, 1, 0, 1, Padding.SAME, false))));
    assertTrue(zero.getMessage().contains("stride 0 and dilation 1 must be >= 1"), zero.getMessage());
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.conv("c", x, 3, 1, 1, 2, Padding.VALID, false))));
    assertTrue(big.getMessage().contains("input 4x4 is smaller than the 5x5 (dilated) kernel"), big.getMessage());
  }

  @Test
  void padZerosAndReflect() {
    long[] in = {1, 3, 3, 1};
    try (LayerHarness h = new LayerHarness(in, Initializer.ONES, (l, x) -> {
      Operand<TFloat32> r = l.pad("reflect", x, 1, Layers.PadMode.REFLECT);
      return Map.of("zeros", l.pad("zeros", x, 1, Layers.PadMode.ZEROS), "reflect", r,
          "loss", LayerHarness.probe(l.tf(), r, new long[] {1, 5, 5, 1}));
    })) {
      float[] x = seq(9);
      assertArrayEquals(new float[] {
          0, 0, 0, 0, 0,
          0, 1, 2, 3, 0,
          0, 4, 5, 6, 0,
          0, 7, 8, 9, 0,
          0, 0, 0, 0, 0}, h.run("zeros", x), TOL);
      assertArrayEquals(new float[] {
          5, 4, 5, 6, 5,
          2, 1, 2, 3, 2,
          5, 4, 5, 6, 5,
          8, 7, 8, 9, 8,
          5, 4, 5, 6, 5}, h.run("reflect", x), TOL);
      assertArrayEquals(new long[] {-1, 5, 5, 1}, h.shape("reflect"));
      h.assertScoped("reflect", "reflect");
      h.checkGradient("loss", x, 1e-2f, 2e-3f);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.pad("p", x, 3, Layers.PadMode.REFLECT))));
    assertTrue(e.getMessage().contains("reflect padding 3 needs a size above it, got 3x3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.pad("p", x, -1, Layers.PadMode.ZEROS))));
  }

  @Test
  void residualAddAndConcatenationOfNTensors() {
    long[] in = {1, 2, 2, 1};
    try (LayerHarness h = new LayerHarness(in, Initializer.ONES, (l, x) -> {
      Ops tf = l.tf();
      Operand<TFloat32> res = l.add("res", x, constant(tf, in, 10, 20, 30, 40));
      Operand<TFloat32> two = constant(tf, new long[] {1, 2, 2, 2}, 100, 101, 102, 103, 104, 105, 106, 107);
      Operand<TFloat32> cat = l.concat("cat", List.of(x, two, tf.math.mul(x, tf.constant(2f))));
      Operand<TFloat32> one = l.concat("one", List.of(x));
      return Map.of("res", res, "cat", cat, "one", one,
          "loss", tf.math.add(LayerHarness.probe(tf, cat, new long[] {1, 2, 2, 4}),
              LayerHarness.probe(tf, res, in)));
    })) {
      float[] x = {1, 2, 3, 4};
      assertArrayEquals(new float[] {11, 22, 33, 44}, h.run("res", x), TOL);
      assertArrayEquals(new long[] {2, 2, 4}, java.util.Arrays.copyOfRange(h.shape("cat"), 1, 4));
      // per pixel: [x, two[0], two[1], 2x]
      assertArrayEquals(new float[] {1, 100, 101, 2, 2, 102, 103, 4, 3, 104, 105, 6, 4, 106, 107, 8},
          h.run("cat", x), TOL);
      assertArrayEquals(x, h.run("one", x), TOL);
      h.assertScoped("res", "res");
      h.assertScoped("cat", "cat");
      // d/dx_p = w_cat[p*4] + 2 w_cat[p*4 + 3] + w_res[p], by hand
      float[] g = h.gradient("loss", x);
      for (int p = 0; p < 4; p++) {
        float want = LayerHarness.probeWeight(4 * p) + 2 * LayerHarness.probeWeight(4 * p + 3) + LayerHarness.probeWeight(p);
        assertEquals(want, g[p], TOL);
      }
      h.checkGradient("loss", x, 1e-2f, 2e-3f);
    }
    IllegalArgumentException broadcast = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.add("res", x, constant(l.tf(), new long[] {1, 2, 2, 2}, 1, 2, 3, 4,
            5, 6, 7, 8)))));
    assertTrue(broadcast.getMessage().contains("add res: shapes [-1, 2, 2, 1] and [1, 2, 2, 2] differ"),
        broadcast.getMessage());
    IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.concat("cat", List.of(x, constant(l.tf(), new long[] {1, 1, 2, 1},
            1, 2))))));
    assertTrue(size.getMessage().contains("concat cat: sizes differ"), size.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.concat("cat", List.of()))));
    assertTrue(empty.getMessage().contains("needs at least one tensor"), empty.getMessage());
  }

  /** Two samples, two channels: s0 c0 = 1,2,3,4; s0 c1 = 0,0,0,8; s1 c0 = 5,5,5,5; s1 c1 = -1,1,-1,1 (NHWC order). */
  private static final float[] TWO_BY_TWO = {1, 0, 2, 0, 3, 0, 4, 8, 5, -1, 5, 1, 5, -1, 5, 1};

  @Test
  void globalAveragePoolingAndDense() {
    long[] in = {2, 2, 2, 2};
    try (LayerHarness h = new LayerHarness(in, Initializer.HE_NORMAL, (l, x) -> {
      Operand<TFloat32> gap = l.globalAvgPool("gap", x);
      Operand<TFloat32> fc = l.dense("fc", gap, 3, true);
      Operand<TFloat32> plain = l.dense("plain", gap, 3, false);
      return Map.of("gap", gap, "fc", fc, "plain", plain, "loss", LayerHarness.probe(l.tf(), fc, new long[] {2, 3}));
    })) {
      assertEquals(9 + 6, h.model.parameterCount(), "dense 2->3: 6 weights + 3 biases; without bias 6");
      h.set("fc/kernel", 1, 0, -1, 2, 1, 0.5f); // W = [[1, 0, -1], [2, 1, 0.5]]
      h.set("fc/bias", 0.1f, 0.2f, 0.3f);
      h.set("plain/kernel", 1, 0, -1, 2, 1, 0.5f);
      assertArrayEquals(new long[] {-1, 2}, h.shape("gap"));
      assertArrayEquals(new long[] {-1, 3}, h.shape("fc"));
      // means: s0 = [2.5, 2], s1 = [5, 0]
      assertArrayEquals(new float[] {2.5f, 2f, 5f, 0f}, h.run("gap", TWO_BY_TWO), TOL);
      // s0: [2.5 + 4, 2, -2.5 + 1] = [6.5, 2, -1.5]; s1: [5, 0, -5]
      assertArrayEquals(new float[] {6.5f, 2f, -1.5f, 5f, 0f, -5f}, h.run("plain", TWO_BY_TWO), TOL);
      assertArrayEquals(new float[] {6.6f, 2.2f, -1.2f, 5.1f, 0.2f, -4.7f}, h.run("fc", TWO_BY_TWO), TOL);
      h.assertScoped("gap", "gap");
      // dL/dW[i][o] = sum_n gap[n][i] w[n][o]; dL/db[o] = sum_n w[n][o]
      float[][] gap = {{2.5f, 2f}, {5f, 0f}};
      float[] gw = h.gradientOfVariable("loss", "fc/kernel", TWO_BY_TWO);
      float[] gb = h.gradientOfVariable("loss", "fc/bias", TWO_BY_TWO);
      for (int o = 0; o < 3; o++) {
        for (int i = 0; i < 2; i++) {
          float want = gap[0][i] * LayerHarness.probeWeight(o) + gap[1][i] * LayerHarness.probeWeight(3 + o);
          assertEquals(want, gw[i * 3 + o], TOL);
        }
        assertEquals(LayerHarness.probeWeight(o) + LayerHarness.probeWeight(3 + o), gb[o], TOL);
      }
      h.checkGradient("loss", TWO_BY_TWO, 1e-2f, 2e-3f);
    }
    IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.dense("fc", x, 3, true))));
    assertTrue(rank.getMessage().contains("dense fc: expected a [N, C] tensor"), rank.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.dense("fc", l.globalAvgPool("gap", x), 0, true))));
    assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.globalAvgPool("gap2", l.globalAvgPool("gap", x)))));
  }

  @Test
  void instanceNormalization() {
    long[] in = {2, 2, 2, 2};
    try (LayerHarness h = new LayerHarness(in, Initializer.HE_NORMAL, (l, x) -> {
      Operand<TFloat32> affine = l.instanceNorm("in", x, true);
      Operand<TFloat32> plain = l.instanceNorm("plain", x, false);
      return Map.of("affine", affine, "plain", plain,
          "loss", LayerHarness.probe(l.tf(), affine, in));
    })) {
      assertEquals(4, h.model.parameterCount(), "affine: gamma and beta per channel; affine=false: none");
      h.set("in/gamma", 2f, 1f);
      h.set("in/beta", 0.5f, -1f);
      double eps = 1e-5;
      // per sample and channel over H, W, biased variance:
      // s0 c0 [1,2,3,4]: mean 2.5, var 1.25; s0 c1 [0,0,0,8]: mean 2, var 12;
      // s1 c0 [5,5,5,5]: mean 5, var 0; s1 c1 [-1,1,-1,1]: mean 0, var 1.
      double[][] meanVar = {{2.5, 1.25}, {2, 12}, {5, 0}, {0, 1}};
      float[] x = TWO_BY_TWO;
      float[] plain = new float[16];
      float[] affine = new float[16];
      for (int i = 0; i < 16; i++) {
        int n = i / 8;
        int c = i % 2;
        double[] mv = meanVar[2 * n + c];
        plain[i] = (float) ((x[i] - mv[0]) / Math.sqrt(mv[1] + eps));
        affine[i] = c == 0 ? 2 * plain[i] + 0.5f : plain[i] - 1f;
      }
      assertEquals(-1.5 / Math.sqrt(1.25 + eps), plain[0], 1e-7);
      assertArrayEquals(plain, h.run("plain", x), 1e-5f);
      assertArrayEquals(affine, h.run("affine", x), 1e-5f);
      assertEquals(0.5f, h.run("affine", x)[8], 1e-6f, "a constant channel normalizes to 0, then beta");
      h.assertScoped("affine", "in");
      // finite differences where no channel is constant (a zero variance makes 1/sqrt(eps) = 316 slopes)
      float[] varied = {1, 0, 2, 0.5f, 3, -1, 4, 8, 5, -1, 6, 1.5f, 2, -2, 4.5f, 1};
      h.checkGradient("loss", varied, 1e-2f, 5e-3f);
      float[] gGamma = h.gradientOfVariable("loss", "in/gamma", varied);
      assertEquals(2, gGamma.length);
    }
  }

  @Test
  void leakyReluAndTanh() {
    long[] in = {1, 1, 2, 2};
    try (LayerHarness h = new LayerHarness(in, Initializer.ONES, (l, x) -> {
      Operand<TFloat32> leaky = l.leakyRelu(x, 0.2f);
      Operand<TFloat32> tanh = l.tanh(x);
      Ops tf = l.tf();
      return Map.of("leaky", leaky, "tanh", tanh,
          "loss", tf.math.add(LayerHarness.probe(tf, leaky, in), LayerHarness.probe(tf, tanh, in)));
    })) {
      float[] x = {-2f, -0.5f, 0.25f, 3f};
      assertArrayEquals(new float[] {-0.4f, -0.1f, 0.25f, 3f}, h.run("leaky", x), TOL);
      float[] t = new float[4];
      for (int i = 0; i < 4; i++) {
        t[i] = (float) Math.tanh(x[i]);
      }
      assertArrayEquals(t, h.run("tanh", x), 1e-6f);
      assertEquals(-0.7615942f, h.run("tanh", new float[] {-1, 0, 0, 0})[0], 1e-6f);
      h.checkGradient("loss", x, 1e-2f, 2e-3f);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.leakyRelu(x, 1f))));
    assertTrue(e.getMessage().contains("slope must be in [0, 1), got 1.0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.leakyRelu(x, -0.1f))));
  }

  @Test
  void averagePooling() {
    long[] in = {1, 4, 4, 1}; // x[i][j] = 4i + j + 1
    try (LayerHarness h = new LayerHarness(in, Initializer.ONES, (l, x) -> {
      Operand<TFloat32> k2 = l.avgPool("k2", x, 2, 2, Padding.VALID);
      Operand<TFloat32> k3 = l.avgPool("k3", x, 3, 1, Padding.VALID);
      Operand<TFloat32> same = l.avgPool("same", x, 3, 2, Padding.SAME);
      Operand<TFloat32> identity = l.avgPool("k1", x, 1, 1, Padding.VALID);
      return Map.of("k2", k2, "k3", k3, "same", same, "k1", identity,
          "loss", LayerHarness.probe(l.tf(), same, new long[] {1, 2, 2, 1}));
    })) {
      float[] x = seq(16);
      // 2x2 block means: (1+2+5+6)/4, (3+4+7+8)/4, (9+10+13+14)/4, (11+12+15+16)/4
      assertArrayEquals(new float[] {3.5f, 5.5f, 11.5f, 13.5f}, h.run("k2", x), TOL);
      // 3x3 windows of a linear ramp average to their centers x[1][1], x[1][2], x[2][1], x[2][2]
      assertArrayEquals(new float[] {6, 7, 10, 11}, h.run("k3", x), TOL);
      // SAME 3x3 stride 2 pads the bottom/right and averages only inside pixels:
      // (0,0) rows 0-2 cols 0-2 = 6; (0,1) rows 0-2 cols 2-3 = (3+4+7+8+11+12)/6 = 7.5;
      // (1,0) rows 2-3 cols 0-2 = (9+10+11+13+14+15)/6 = 12; (1,1) (11+12+15+16)/4 = 13.5
      assertArrayEquals(new float[] {6, 7.5f, 12, 13.5f}, h.run("same", x), TOL);
      assertArrayEquals(x, h.run("k1", x), TOL);
      h.assertScoped("k2", "k2");
      h.checkGradient("loss", x, 1e-2f, 2e-3f);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.avgPool("p", x, 5, 1, Padding.VALID))));
    assertTrue(e.getMessage().contains("input 4x4 is smaller than the 5x5 window"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LayerHarness(in,
        Initializer.ONES, (l, x) -> Map.of("y", l.avgPool("p", x, 2, 0, Padding.VALID))));
  }

  /**
   * Channel 0 distinct values, channel 1 with ties (NHWC order below):
   * <pre>
   * c0:  1  5  2  0     c1:  4  4  1  2
   *      3  4  8  7          4  4  2  0
   *      9  6  0 -1          0  3 -1 -1
   *      2  7 -3 -2          3  1 -1 -1
   * </pre>
   */
  private static final float[] POOL_INPUT = interleave(
      new float[] {1, 5, 2, 0, 3, 4, 8, 7, 9, 6, 0, -1, 2, 7, -3, -2},
      new float[] {4, 4, 1, 2, 4, 4, 2, 0, 0, 3, -1, -1, 3, 1, -1, -1});

  private static float[] interleave(float[] c0, float[] c1) {
    float[] v = new float[2 * c0.length];
    for (int i = 0; i < c0.length; i++) {
      v[2 * i] = c0[i];
      v[2 * i + 1] = c1[i];
    }
    return v;
  }

  @Test
  void maxPoolWithPositionsAndMaxUnpool() {
    long[] in = {1, 4, 4, 2};
    try (LayerHarness h = new LayerHarness(in, Initializer.ONES, (l, x) -> {
      Layers.MaxPooled p = l.maxPool2x2WithPositions("pool", x);
      Ops tf = l.tf();
      Operand<TFloat32> u = constant(tf, new long[] {1, 2, 2, 2}, 10, -1, 20, -2, 30, -3, 40, -4);
      Operand<TFloat32> unpooled = l.maxUnpool2x2("unpool", u, p.positions());
      Operand<TFloat32> roundTrip = l.maxUnpool2x2("back", tf.math.add(tf.math.mul(p.values(), tf.constant(2f)),
          tf.constant(1f)), p.positions());
      return Map.of("values", p.values(), "plain", l.maxPool2x2("plainpool", x), "positions", p.positions(),
          "unpooled", unpooled, "loss", LayerHarness.probe(tf, roundTrip, in));
    })) {
      float[] x = POOL_INPUT;
      assertArrayEquals(new long[] {-1, 2, 2, 2}, h.shape("values"));
      assertArrayEquals(new long[] {-1, 4, 4, 2}, h.shape("positions"));
      assertArrayEquals(new long[] {-1, 4, 4, 2}, h.shape("unpooled"));
      // window maxima: c0 5, 8, 9, 0; c1 4, 2, 3, -1
      assertArrayEquals(new float[] {5, 4, 8, 2, 9, 3, 0, -1}, h.run("values", x), TOL);
      assertArrayEquals(h.run("plain", x), h.run("values", x), 0f);
      // c0 maxima at (0,1), (1,2), (2,0), (2,2); c1: all-equal window -> (0,0); 2 at (0,3) and (1,2)
      // -> (0,3) first in row-major order; 3 at (2,1) and (3,0) -> (2,1); all -1 -> (2,2)
      float[] positions = interleave(
          new float[] {0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0},
          new float[] {1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0});
      assertArrayEquals(positions, h.run("positions", x), 0f);
      // u = c0 [[10, 20], [30, 40]], c1 [[-1, -2], [-3, -4]] scattered to those positions
      float[] unpooled = interleave(
          new float[] {0, 10, 0, 0, 0, 0, 20, 0, 30, 0, 40, 0, 0, 0, 0, 0},
          new float[] {-1, 0, 0, -2, 0, 0, 0, 0, 0, -3, -4, 0, 0, 0, 0, 0});
      assertArrayEquals(unpooled, h.run("unpooled", x), 0f);
      h.assertScoped("values", "pool");
      h.assertScoped("positions", "pool");
      h.assertScoped("unpooled", "unpool");

      // loss = sum(w * unpool(2 pool(x) + 1)): with distinct values, dL/dx = 2 w at each window's
      // maximum and 0 elsewhere (by hand), and the finite differences agree.
      float[] distinct = interleave(
          new float[] {1, 5, 2, 0, 3, 4, 8, 7, 9, 6, 0, -1, 2, 7, -3, -2},
          new float[] {0.5f, 4, 1, 2.5f, 3, 3.5f, 2, 0, -0.5f, 3, -1.5f, -1, 2.5f, 1, -2, -1.25f});
      float[] maskOf = h.run("positions", distinct);
      float[] g = h.gradient("loss", distinct);
      for (int i = 0; i < g.length; i++) {
        assertEquals(maskOf[i] * 2 * LayerHarness.probeWeight(i), g[i], TOL, "dL/dx[" + i + "]");
      }
      assertEquals(8f, sum(maskOf), "one maximum per window and channel");
      h.checkGradient("loss", distinct, 1e-2f, 2e-3f);
    }
  }

  private static float sum(float[] v) {
    float s = 0;
    for (float x : v) {
      s += x;
    }
    return s;
  }

  @Test
  void maxUnpoolCentersLargerPositionsAndRejectsMisfits() {
    long[] in = {1, 8, 8, 1}; // x[i][j] = 8i + j + 1: every window's maximum is its bottom-right entry
    try (LayerHarness h = new LayerHarness(in, Initializer.ONES, (l, x) -> {
      Layers.MaxPooled p = l.maxPool2x2WithPositions("pool", x);
      Operand<TFloat32> u = constant(l.tf(), new long[] {1, 2, 2, 1}, 1, 2, 3, 4);
      return Map.of("unpooled", l.maxUnpool2x2("unpool", u, p.positions()));
    })) {
      // positions 8x8 are center-cropped to 4x4 (rows/cols 2..5): maxima at (1,1), (1,3), (3,1), (3,3)
      assertArrayEquals(new long[] {-1, 4, 4, 1}, h.shape("unpooled"));
      assertArrayEquals(new float[] {
          0, 0, 0, 0,
          0, 1, 0, 2,
          0, 0, 0, 0,
          0, 3, 0, 4}, h.run("unpooled", seq(64)), 0f);
    }
    IllegalArgumentException odd = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(
        new long[] {1, 6, 6, 1}, Initializer.ONES, (l, x) -> Map.of("y", l.maxUnpool2x2("unpool",
            constant(l.tf(), new long[] {1, 2, 2, 1}, 1, 2, 3, 4), l.maxPool2x2WithPositions("pool", x).positions()))));
    assertTrue(odd.getMessage().contains("max unpool unpool: positions [-1, 6, 6, 1] cannot be center-cropped to 4x4 with margins that are multiples of 2"),
        odd.getMessage());
    IllegalArgumentException channels = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(
        new long[] {1, 4, 4, 1}, Initializer.ONES, (l, x) -> Map.of("y", l.maxUnpool2x2("unpool",
            constant(l.tf(), new long[] {1, 2, 2, 2}, 1, 2, 3, 4, 5, 6, 7, 8),
            l.maxPool2x2WithPositions("pool", x).positions()))));
    assertTrue(channels.getMessage().contains("positions have 1 channels, the input 2"), channels.getMessage());
    IllegalArgumentException oddPool = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(
        new long[] {1, 5, 4, 1}, Initializer.ONES, (l, x) -> Map.of("y", l.maxPool2x2WithPositions("pool", x).values())));
    assertTrue(oddPool.getMessage().contains("size 5x4 is not even"), oddPool.getMessage());
  }
}
