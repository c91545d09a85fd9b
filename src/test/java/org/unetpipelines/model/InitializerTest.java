package org.unetpipelines.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class InitializerTest {
  private static final long[] KERNEL = {3, 3, 64, 128}; // fan-in 576, fan-out 1152

  private static float[] draw(Initializer init, long[] shape, Initializer.Fans fans, long seed) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> v = init.create(tf, shape, fans, new long[] {seed, 1});
      try (Result r = s.runner().fetch(v).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] out = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    }
  }

  private static double[] meanStd(float[] v) {
    double sum = 0;
    double sq = 0;
    for (float x : v) {
      sum += x;
      sq += (double) x * x;
    }
    double mean = sum / v.length;
    return new double[] {mean, Math.sqrt(sq / v.length - mean * mean)};
  }

  @Test
  void fansOfRank4Kernels() {
    Initializer.Fans f = Initializer.Fans.ofConvKernel(KERNEL);
    assertEquals(576, f.fanIn());
    assertEquals(1152, f.fanOut());
    // transposed conv kernel [kh, kw, c_out, c_in]: reads c_in = 128 channels
    Initializer.Fans t = Initializer.Fans.ofTransposedKernel(new long[] {2, 2, 64, 128});
    assertEquals(512, t.fanIn());
    assertEquals(256, t.fanOut());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Initializer.Fans.ofConvKernel(new long[] {3, 3, 64}));
    assertTrue(e.getMessage().contains("rank 4"), e.getMessage());
  }

  @Test
  void statisticsMatchTheTargetStd() {
    Initializer.Fans fans = Initializer.Fans.ofConvKernel(KERNEL);
    double paper = Math.sqrt(2.0 / 576);            // 0.05893
    double xavier = Math.sqrt(2.0 / (576 + 1152));  // 0.03402
    double xavierUniformLimit = Math.sqrt(6.0 / (576 + 1152));
    assertEquals(paper, Initializer.PAPER.stddev(fans), 1e-12);
    assertEquals(paper, Initializer.HE_NORMAL.stddev(fans), 1e-12);
    assertEquals(xavier, Initializer.XAVIER_NORMAL.stddev(fans), 1e-12);
    assertEquals(xavier, Initializer.XAVIER_UNIFORM.stddev(fans), 1e-12); // limit / sqrt(3) = sqrt(2/(in+out))
    int n = 3 * 3 * 64 * 128;
    for (Initializer init : new Initializer[] {Initializer.PAPER, Initializer.HE_NORMAL, Initializer.XAVIER_NORMAL,
        Initializer.XAVIER_UNIFORM}) {
      float[] v = draw(init, KERNEL, fans, 11);
      assertEquals(n, v.length);
      double[] ms = meanStd(v);
      double target = init.stddev(fans);
      assertEquals(0.0, ms[0], 4 * target / Math.sqrt(n), init + " mean");
      assertEquals(target, ms[1], 0.02 * target, init + " std");
    }
    float[] u = draw(Initializer.XAVIER_UNIFORM, KERNEL, fans, 12);
    for (float x : u) {
      assertTrue(Math.abs(x) <= xavierUniformLimit + 1e-6, "uniform value " + x + " beyond " + xavierUniformLimit);
    }
    float[] he = draw(Initializer.HE_NORMAL, KERNEL, fans, 13);
    double cut = 2 * paper / Initializer.TRUNCATED_NORMAL_STD;
    for (float x : he) {
      assertTrue(Math.abs(x) <= cut + 1e-6, "truncated normal value " + x + " beyond 2 std " + cut);
    }
    // the paper's init is a plain normal: some values lie beyond 2 std
    int beyond = 0;
    for (float x : draw(Initializer.PAPER, KERNEL, fans, 14)) {
      beyond += Math.abs(x) > 2 * paper ? 1 : 0;
    }
    assertEquals(0.0455, (double) beyond / n, 0.005, "share beyond 2 std of N(0, s)");
  }

  @Test
  void seededAndDeterministic() {
    Initializer.Fans fans = Initializer.Fans.ofConvKernel(new long[] {3, 3, 2, 4});
    float[] a = draw(Initializer.PAPER, new long[] {3, 3, 2, 4}, fans, 5);
    float[] b = draw(Initializer.PAPER, new long[] {3, 3, 2, 4}, fans, 5);
    float[] c = draw(Initializer.PAPER, new long[] {3, 3, 2, 4}, fans, 6);
    assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
    assertTrue(!java.util.Arrays.equals(a, c));
  }
}
