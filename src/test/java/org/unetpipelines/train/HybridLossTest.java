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

/** UNet++'s hybrid loss (MODELS.md §1.3): 0.5 * BCE - soft Dice, global over the batch or per image. */
class HybridLossTest {

  /** A hybrid loss over a [n, h, w, 1] logits placeholder, with its gradient. */
  private static final class Case implements AutoCloseable {
    final Graph g = new Graph();
    final Shape shape;
    final Placeholder<TFloat32> logits;
    final Losses.Loss loss;
    final Output<?> grad;
    final Session s;

    Case(LossKind kind, int n, int h, int w) {
      Ops tf = Ops.create(g);
      shape = Shape.of(n, h, w, 1);
      logits = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
      loss = Losses.build(tf, "loss", logits, kind);
      grad = g.addGradients(loss.value().asOutput(), new Output<?>[] {logits.asOutput()})[0];
      s = new Session(g);
    }

    /** {value, d value / d z_0, ...}. */
    double[] run(float[] z, float[] y, float[] wt) {
      try (TFloat32 zt = TFloat32.tensorOf(shape, DataBuffers.of(z));
          TFloat32 yt = TFloat32.tensorOf(shape, DataBuffers.of(y));
          TFloat32 wtt = TFloat32.tensorOf(shape, DataBuffers.of(wt));
          Result r = s.runner().feed(logits, zt).feed(loss.target(), yt).feed(loss.weights(), wtt)
              .fetch(loss.value()).fetch(grad).run()) {
        float[] gr = new float[z.length];
        ((TFloat32) r.get(1)).copyTo(DataBuffers.of(gr, false, false));
        double[] out = new double[1 + z.length];
        out[0] = ((TFloat32) r.get(0)).getFloat();
        for (int i = 0; i < gr.length; i++) {
          out[1 + i] = gr[i];
        }
        return out;
      }
    }

    @Override
    public void close() {
      s.close();
      g.close();
    }
  }

  private static double[] valueAndGradient(LossKind kind, int n, int h, int w, float[] z, float[] y, float[] wt) {
    try (Case c = new Case(kind, n, h, w)) {
      return c.run(z, y, wt);
    }
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, 1f);
    return v;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  @Test
  void perfectPredictionOnTwoPixelsGivesMinusOne() {
    // MODELS.md §1.6 item 5: y = p = 1 on 2 pixels: 0.5 * BCE(~0) - (2*2 + 1) / (2 + 2 + 1) = -1.
    // sigmoid(30) is 1 in float32; BCE = log(1 + e^-30) ~ 1e-13.
    float[] z = {30f, 30f};
    float[] y = {1f, 1f};
    assertEquals(-1.0, valueAndGradient(LossKind.HYBRID, 1, 1, 2, z, y, ones(2))[0], 1e-6);
    assertEquals(-1.0, valueAndGradient(LossKind.HYBRID_PER_IMAGE, 1, 1, 2, z, y, ones(2))[0], 1e-6);
    // the same two pixels as two 1-pixel images: each image's Dice is (2 + 1) / (1 + 1 + 1) = 1
    assertEquals(-1.0, valueAndGradient(LossKind.HYBRID_PER_IMAGE, 2, 1, 1, z, y, ones(2))[0], 1e-6);
  }

  @Test
  void asymmetricBatchGlobalAndPerImageDiceByHand() {
    // two images of 1 x 2 pixels; logits and targets
    float[] z = {2f, -1f, 0.5f, -3f};
    float[] y = {1f, 0f, 0f, 1f};
    // p = sigmoid(z) = 0.880797, 0.268941, 0.622459, 0.047426
    double[] p = new double[4];
    double bce = 0;
    for (int i = 0; i < 4; i++) {
      p[i] = sigmoid(z[i]);
      bce -= (y[i] * Math.log(p[i]) + (1 - y[i]) * Math.log(1 - p[i])) / 4;
    }
    assertEquals(1.115713508578761, bce, 1e-12); // mean BCE
    // global Dice: (2 * (p0 + p3) + 1) / (2 + sum p + 1) = 0.592670
    double global = (2 * (p[0] + p[3]) + 1) / (2 + p[0] + p[1] + p[2] + p[3] + 1);
    assertEquals(0.5926699007853746, global, 1e-12);
    // per image: (2 p0 + 1) / (1 + p0 + p1 + 1) = 0.876769 and (2 p3 + 1) / (1 + p2 + p3 + 1) = 0.410074
    double d0 = (2 * p[0] + 1) / (1 + p[0] + p[1] + 1);
    double d1 = (2 * p[3] + 1) / (1 + p[2] + p[3] + 1);
    assertEquals(0.8767693434002618, d0, 1e-12);
    assertEquals(0.41007446483438487, d1, 1e-12);
    double[] g = valueAndGradient(LossKind.HYBRID, 2, 1, 2, z, y, ones(4));
    assertEquals(-0.034813146495994096, g[0], 1e-6); // 0.5 * 1.115714 - 0.592670
    assertEquals(0.5 * bce - global, g[0], 1e-6);
    double[] pi = valueAndGradient(LossKind.HYBRID_PER_IMAGE, 2, 1, 2, z, y, ones(4));
    assertEquals(-0.08556514982794283, pi[0], 1e-6); // 0.5 * 1.115714 - (0.876769 + 0.410074) / 2
    // analytic gradient of the global variant, pixel i: 0.5 * (p - y) / 4 - dDice/dp * p (1 - p),
    // dDice/dp_i = (2 y_i (S + 1) - (2 I + 1)) / (S + 1)^2, S = sum y + sum p, I = sum y p
    double sum = 2 + p[0] + p[1] + p[2] + p[3];
    double inter = p[0] + p[3];
    for (int i = 0; i < 4; i++) {
      double dDice = (2 * y[i] * (sum + 1) - (2 * inter + 1)) / ((sum + 1) * (sum + 1));
      assertEquals(0.5 * (p[i] - y[i]) / 4 - dDice * p[i] * (1 - p[i]), g[1 + i], 1e-6, "d loss / d z" + i);
    }
  }

  @Test
  void perImageEqualsGlobalForOneImageAndWeightsScaleTheCrossEntropyTerm() {
    float[] z = {1.5f, -0.5f, 0.3f, -2f, 0.8f, -0.1f};
    float[] y = {1f, 0f, 1f, 0f, 1f, 0f};
    double global = valueAndGradient(LossKind.HYBRID, 1, 2, 3, z, y, ones(6))[0];
    assertEquals(global, valueAndGradient(LossKind.HYBRID_PER_IMAGE, 1, 2, 3, z, y, ones(6))[0], 1e-6);
    // weights 3 everywhere triple the BCE term only: difference = 0.5 * 2 * BCE
    double bce = 0;
    for (int i = 0; i < 6; i++) {
      double p = sigmoid(z[i]);
      bce -= (y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p)) / 6;
    }
    float[] three = ones(6);
    java.util.Arrays.fill(three, 3f);
    assertEquals(global + bce, valueAndGradient(LossKind.HYBRID, 1, 2, 3, z, y, three)[0], 1e-5);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    float[] z = {1.5f, -0.5f, 0.3f, -2f, 0.8f, -0.1f, 0.4f, 1.2f};
    float[] y = {1f, 0f, 1f, 0f, 1f, 0f, 0f, 1f};
    float[] w = {2f, 1f, 5f, 1f, 0.5f, 1f, 1f, 3f};
    for (LossKind kind : new LossKind[] {LossKind.HYBRID, LossKind.HYBRID_PER_IMAGE}) {
      try (Case c = new Case(kind, 2, 2, 2)) {
        double[] analytic = c.run(z, y, w);
        double eps = 1e-2;
        for (int i = 0; i < z.length; i++) {
          float[] zp = z.clone();
          float[] zm = z.clone();
          zp[i] += (float) eps;
          zm[i] -= (float) eps;
          double numeric = (c.run(zp, y, w)[0] - c.run(zm, y, w)[0]) / (2 * eps);
          assertEquals(numeric, analytic[1 + i], 2e-3 + 0.02 * Math.abs(numeric), kind + " d loss / d z" + i);
        }
      }
    }
  }
}
