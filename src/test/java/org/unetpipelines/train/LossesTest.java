package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class LossesTest {

  /** A loss over a logits placeholder, with its gradient. */
  private static final class Case implements AutoCloseable {
    final Graph g = new Graph();
    final Session s;
    final Placeholder<TFloat32> logits;
    final Losses.Loss loss;
    final Output<?> grad;
    final Shape shape;
    final Shape wShape;

    Case(int n, int h, int w, int k, LossKind kind) {
      Ops tf = Ops.create(g);
      shape = Shape.of(n, h, w, k);
      wShape = Shape.of(n, h, w, 1);
      logits = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
      loss = Losses.build(tf, "loss", logits, kind);
      grad = g.addGradients(loss.value().asOutput(), new Output<?>[] {logits.asOutput()})[0];
      s = new Session(g);
    }

    float[][] run(float[] z, float[] y, float[] w) {
      try (TFloat32 zt = TFloat32.tensorOf(shape, DataBuffers.of(z));
          TFloat32 yt = TFloat32.tensorOf(shape, DataBuffers.of(y));
          TFloat32 wt = TFloat32.tensorOf(wShape, DataBuffers.of(w));
          Result r = s.runner().feed(logits, zt).feed(loss.target(), yt).feed(loss.weights(), wt)
              .fetch(loss.value()).fetch(grad).run()) {
        float[] g = new float[z.length];
        ((TFloat32) r.get(1)).copyTo(DataBuffers.of(g, false, false));
        return new float[][] {{((TFloat32) r.get(0)).getFloat()}, g};
      }
    }

    @Override
    public void close() {
      s.close();
      g.close();
    }
  }

  private static void checkGradient(Case c, float[] z, float[] y, float[] w) {
    float[] analytic = c.run(z, y, w)[1];
    double eps = 1e-2;
    for (int i = 0; i < z.length; i++) {
      float[] zp = z.clone();
      float[] zm = z.clone();
      zp[i] += (float) eps;
      zm[i] -= (float) eps;
      double numeric = (c.run(zp, y, w)[0][0] - c.run(zm, y, w)[0][0]) / (2 * eps);
      assertEquals(numeric, analytic[i], 2e-3 + 0.02 * Math.abs(numeric), "d loss / d z[" + i + "]");
    }
  }

  @Test
  void weightedSigmoidCrossEntropyValueAndGradient() {
    // 1 x 2 x 2 x 1: logits, targets, border weights
    float[] z = {2f, -1f, 0.5f, -3f};
    float[] y = {1f, 0f, 0f, 1f};
    float[] w = {1f, 10f, 2f, 0.5f};
    try (Case c = new Case(1, 2, 2, 1, LossKind.CROSS_ENTROPY)) {
      // hand: CE(z, y) = log(1 + e^-z) for y = 1, log(1 + e^z) for y = 0
      double expected = (1 * Math.log1p(Math.exp(-2)) + 10 * Math.log1p(Math.exp(-1)) + 2 * Math.log1p(Math.exp(0.5))
          + 0.5 * Math.log1p(Math.exp(3))) / 4;
      float[][] r = c.run(z, y, w);
      assertEquals(expected, r[0][0], 1e-6);
      // analytic gradient: w * (sigmoid(z) - y) / 4
      for (int i = 0; i < 4; i++) {
        double sig = 1 / (1 + Math.exp(-z[i]));
        assertEquals(w[i] * (sig - y[i]) / 4, r[1][i], 1e-6);
      }
      checkGradient(c, z, y, w);
    }
  }

  @Test
  void weightedSoftmaxCrossEntropyGradientMatchesFiniteDifferences() {
    // 1 x 2 x 1 x 3 one-hot targets
    float[] z = {0.2f, -0.4f, 1.1f, -1.5f, 0.3f, 0.9f};
    float[] y = {0f, 0f, 1f, 1f, 0f, 0f};
    float[] w = {3f, 0.7f};
    try (Case c = new Case(1, 2, 1, 3, LossKind.CROSS_ENTROPY)) {
      double ce0 = -Math.log(Math.exp(1.1) / (Math.exp(0.2) + Math.exp(-0.4) + Math.exp(1.1)));
      double ce1 = -Math.log(Math.exp(-1.5) / (Math.exp(-1.5) + Math.exp(0.3) + Math.exp(0.9)));
      assertEquals((3 * ce0 + 0.7 * ce1) / 2, c.run(z, y, w)[0][0], 1e-5);
      checkGradient(c, z, y, w);
    }
  }

  @Test
  void diceAndHybridGradientsMatchFiniteDifferences() {
    float[] z = {1.5f, -0.5f, 0.3f, -2f, 0.8f, -0.1f};
    float[] y = {1f, 0f, 1f, 0f, 1f, 0f};
    float[] w = {1f, 1f, 1f, 1f, 1f, 1f};
    try (Case c = new Case(1, 2, 3, 1, LossKind.DICE)) {
      double inter = 0;
      double ps = 0;
      for (int i = 0; i < 6; i++) {
        double p = 1 / (1 + Math.exp(-z[i]));
        inter += p * y[i];
        ps += p;
      }
      assertEquals(1 - (2 * inter + 1) / (ps + 3 + 1), c.run(z, y, w)[0][0], 1e-6);
      checkGradient(c, z, y, w);
    }
    try (Case c = new Case(1, 2, 3, 1, LossKind.BCE_DICE)) {
      checkGradient(c, z, y, new float[] {2f, 1f, 5f, 1f, 0.5f, 1f});
    }
  }
}
