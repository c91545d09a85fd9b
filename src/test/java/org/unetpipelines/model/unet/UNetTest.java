package org.unetpipelines.model.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.unetpipelines.model.Blocks;
import org.unetpipelines.model.Initializer;
import org.unetpipelines.model.LayerHarness;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.Upsampling;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class UNetTest {

  /** k x k convolution with bias: k*k*cin*cout weights + cout biases. */
  private static long conv(int k, long cin, long cout) {
    return (long) k * k * cin * cout + cout;
  }

  private static long params(UNetConfig c, int size) {
    try (Graph g = new Graph()) {
      return ModelGraph.build(g, UNet.of(c), size, size, Initializer.PAPER, 1).parameterCount();
    }
  }

  @Test
  void depth4Filters16SameTransposeHas1_94MParameters() {
    // Hand count, level by level (f = 16, 32, 64, 128, 256):
    long down = conv(3, 1, 16) + conv(3, 16, 16)          //    160 +   2,320
        + conv(3, 16, 32) + conv(3, 32, 32)                //  4,640 +   9,248
        + conv(3, 32, 64) + conv(3, 64, 64)                // 18,496 +  36,928
        + conv(3, 64, 128) + conv(3, 128, 128)             // 73,856 + 147,584
        + conv(3, 128, 256) + conv(3, 256, 256);           // 295,168 + 590,080
    long up = conv(2, 256, 128) + conv(3, 256, 128) + conv(3, 128, 128) // 2x2 up-conv, then concat -> 256 in
        + conv(2, 128, 64) + conv(3, 128, 64) + conv(3, 64, 64)
        + conv(2, 64, 32) + conv(3, 64, 32) + conv(3, 32, 32)
        + conv(2, 32, 16) + conv(3, 32, 16) + conv(3, 16, 16);
    long head = conv(1, 16, 1);
    assertEquals(1_178_480L, down);
    assertEquals(1_940_817L, down + up + head);
    assertEquals(1_940_817L, params(UNetConfig.small(), 128));
  }

  @Test
  void paperNetParameterCount() {
    // Depth 4, 64 filters, 2-class head: the same formula scaled, 31,030,658 parameters by hand.
    long total = 0;
    long cin = 1;
    for (int i = 0; i <= 4; i++) {
      long f = 64L << i;
      total += conv(3, cin, f) + conv(3, f, f);
      cin = f;
    }
    for (int i = 3; i >= 0; i--) {
      long f = 64L << i;
      total += conv(2, 2 * f, f) + conv(3, 2 * f, f) + conv(3, f, f);
    }
    total += conv(1, 64, 2);
    assertEquals(31_030_658L, total);
    assertEquals(total, params(UNetConfig.paper(), 572));
  }

  @Test
  void variantsParameterCounts() {
    UNetConfig base = new UNetConfig(2, 8, Padding.SAME, Upsampling.TRANSPOSE, false, 0f, 1, 1);
    long enc = conv(3, 1, 8) + conv(3, 8, 8) + conv(3, 8, 16) + conv(3, 16, 16) + conv(3, 16, 32) + conv(3, 32, 32);
    long dec = conv(3, 32, 16) + conv(3, 16, 16) + conv(3, 16, 8) + conv(3, 8, 8);
    long head = conv(1, 8, 1);
    long upTranspose = conv(2, 32, 16) + conv(2, 16, 8);
    assertEquals(enc + dec + head + upTranspose, params(base, 32));
    // resize + 2x2 conv has the same count as the transposed conv
    assertEquals(enc + dec + head + upTranspose, params(base.withUpsampling(Upsampling.BILINEAR), 32));
    assertEquals(enc + dec + head + upTranspose, params(base.withUpsampling(Upsampling.NEAREST), 32));
    // pixel shuffle: 1x1 conv to 4x the channels
    long upShuffle = conv(1, 32, 64) + conv(1, 16, 32);
    assertEquals(enc + dec + head + upShuffle, params(base.withUpsampling(Upsampling.PIXEL_SHUFFLE), 32));
    // max-unpool: a 1x1 conv to the skip's channels before the unpool (which has no weights)
    long upUnpool = conv(1, 32, 16) + conv(1, 16, 8);
    assertEquals(enc + dec + head + upUnpool, params(base.withUpsampling(Upsampling.MAX_UNPOOL), 32));
    // without skips the pool positions still reach the unpool; the decoder convs read only the upsampled channels
    long decNoSkip = conv(3, 16, 16) + conv(3, 16, 16) + conv(3, 8, 8) + conv(3, 8, 8);
    assertEquals(enc + decNoSkip + head + upUnpool,
        params(base.withUpsampling(Upsampling.MAX_UNPOOL).withSkip(false), 32));
    // batch norm: each 3x3 conv loses its bias (c) and gains gamma + beta (2c): +c per 3x3 conv
    long bnExtra = 8 + 8 + 16 + 16 + 32 + 32 + 16 + 16 + 8 + 8;
    assertEquals(enc + dec + head + upTranspose + bnExtra, params(base.withBatchNorm(true), 32));
    // softmax head with 3 classes
    assertEquals(enc + dec + conv(1, 8, 3) + upTranspose, params(base.withClasses(3), 32));
  }

  /** Hand formula for a U-Net without batch norm whose up-steps are 2x2 convs (transpose, bilinear, nearest). */
  private static long formula(int depth, int f, int cin, int classes) {
    long total = 0;
    long in = cin;
    for (int i = 0; i <= depth; i++) {
      long c = (long) f << i;
      total += conv(3, in, c) + conv(3, c, c);
      in = c;
    }
    for (int i = depth - 1; i >= 0; i--) {
      long c = (long) f << i;
      total += conv(2, 2 * c, c) + conv(3, 2 * c, c) + conv(3, c, c);
    }
    return total + conv(1, f, classes);
  }

  @Test
  void understandingUNetIsAConfigurationOfTheBuilder() {
    UNetConfig u = UNetConfig.understanding(); // depth 3, 16 filters, same padding, bilinear, sigmoid
    assertEquals(3, u.depth());
    assertEquals(Padding.SAME, u.padding());
    assertEquals(formula(3, 16, 1, 1), params(u, 64));
    assertEquals(481_745L, formula(3, 16, 1, 1));
    assertEquals(formula(4, 16, 1, 1), params(UNetConfig.small(), 64));
    assertEquals(formula(2, 32, 3, 4), params(UNetConfig.small().withDepth(2).withBaseFilters(32).withInputChannels(3)
        .withClasses(4).withPadding(Padding.VALID), 92));
  }

  @Test
  void paperValidGeometry572To388() {
    UNetConfig paper = UNetConfig.paper();
    assertEquals(388, UNet.outputSide(paper, 572));
    try (Graph g = new Graph()) {
      ModelGraph m = ModelGraph.build(g, UNet.of(paper), 572, 572, Initializer.PAPER, 1);
      assertArrayEquals(new long[] {-1, 388, 388, 2}, m.probabilities().shape().asArray());
      assertArrayEquals(new long[] {-1, 388, 388, 2}, m.trainLogits().shape().asArray());
    }
  }

  @Test
  void rejectsSizesThatDoNotFitAndNamesNearestValid() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UNet.of(UNetConfig.paper()).outputSize(500, 572));
    assertTrue(e.getMessage().contains("input height 500"), e.getMessage());
    assertTrue(e.getMessage().contains("[492, 508]"), e.getMessage());
    IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
        () -> UNet.of(UNetConfig.small()).outputSize(128, 100));
    assertTrue(same.getMessage().contains("multiple of 2^depth = 16"), same.getMessage());
    assertTrue(same.getMessage().contains("[96, 112]"), same.getMessage());
  }

  @Test
  void rejectsBadConfigs() {
    IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> UNetConfig.small().withDepth(0));
    assertTrue(d.getMessage().contains("depth must be 1..6, got 0"), d.getMessage());
    IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> UNetConfig.small().withDropout(1f));
    assertTrue(r.getMessage().contains("dropout must be in [0, 0.95], got 1.0"), r.getMessage());
    IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> UNetConfig.small().withClasses(0));
    assertTrue(k.getMessage().contains("classes must be >= 1"), k.getMessage());
  }

  @Test
  void runsEveryUpsamplingAndValidPaddingWithExpectedShapes() {
    for (Upsampling u : Upsampling.values()) {
      for (Padding p : Padding.values()) {
        UNetConfig c = new UNetConfig(2, 4, p, u, true, 0.5f, 2, 1);
        int in = p == Padding.SAME ? 32 : 44;
        int out = p == Padding.SAME ? 32 : 4; // valid: 44-4=40 /2 20-4=16 /2 8-4=4 -> 8-4=4 -> 8-4=4
        try (Graph g = new Graph()) {
          ModelGraph m = ModelGraph.build(g, UNet.of(c), in, in, Initializer.HE_NORMAL, 3);
          try (Session s = new Session(g);
              TFloat32 x = TFloat32.tensorOf(Shape.of(2, in, in, 1), d -> d.scalars().forEach(v -> v.setFloat(0.5f)))) {
            s.initialize();
            try (Result r = s.runner().feed(m.inferInput(), x).fetch(m.probabilities()).run()) {
              Tensor t = r.get(0);
              assertArrayEquals(new long[] {2, out, out, 2}, t.shape().asArray(), u + " " + p);
              TFloat32 probs = (TFloat32) t;
              float sum = probs.getFloat(0, 0, 0, 0) + probs.getFloat(0, 0, 0, 1);
              assertEquals(1f, sum, 1e-5f, "softmax sums to 1");
            }
          }
        }
      }
    }
  }

  private static float scalar(Session s, ModelGraph m, Operand<TFloat32> loss, TFloat32 x) {
    try (Result r = s.runner().feed(m.trainInput(), x).fetch(loss).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /**
   * A max-unpool U-Net (both geometries) builds, every trainable variable gets a finite gradient
   * (the up-steps' 1x1 convs only through the unpool), and one SGD step lowers the loss.
   */
  @Test
  void maxUnpoolUNetTrainsAStep() {
    for (Padding p : Padding.values()) {
      UNetConfig c = new UNetConfig(2, 4, p, Upsampling.MAX_UNPOOL, false, 0f, 1, 1);
      int in = p == Padding.SAME ? 16 : 44;
      int out = UNet.outputSide(c, in);
      try (Graph g = new Graph()) {
        ModelGraph m = ModelGraph.build(g, UNet.of(c), in, in, Initializer.HE_NORMAL, 7);
        String pass = m.trainLogits().op().name().split("/")[0]; // the training pass's name scope
        assertTrue(g.operation(pass + "/unet/up0/unpool/Mul") != null, "up0 unpools");
        assertTrue(g.operation("params/unet/up1/upconv/kernel") != null, "up1 sets channels with a 1x1 conv");
        Ops tf = m.ops();
        // target: the bright half of the output window
        float[] target = new float[out * out];
        for (int i = 0; i < out; i++) {
          for (int j = 0; j < out; j++) {
            target[i * out + j] = j >= out / 2 ? 1f : 0f;
          }
        }
        Operand<TFloat32> prob = tf.math.sigmoid(m.trainLogits());
        Operand<TFloat32> diff = tf.math.sub(prob, tf.constant(Shape.of(1, out, out, 1), DataBuffers.of(target)));
        Operand<TFloat32> loss = tf.math.mean(tf.math.square(diff), tf.constant(new int[] {0, 1, 2, 3}));
        List<Variable<TFloat32>> vars = m.trainableVariables();
        Output<?>[] xs = new Output<?>[vars.size()];
        for (int i = 0; i < xs.length; i++) {
          xs[i] = vars.get(i).asOutput();
        }
        Output<?>[] grads = g.addGradients(loss.asOutput(), xs);
        float[] image = new float[in * in];
        for (int i = 0; i < image.length; i++) {
          image[i] = ((i % in) >= in / 2 ? 0.8f : 0.2f) + 0.05f * ((i * 7) % 5);
        }
        try (Session s = new Session(g);
            TFloat32 x = TFloat32.tensorOf(Shape.of(1, in, in, 1), DataBuffers.of(image))) {
          s.initialize();
          Session.Runner r = s.runner().feed(m.trainInput(), x);
          for (Output<?> grad : grads) {
            r.fetch(grad);
          }
          double squaredNorm = 0;
          try (Result gr = r.run()) {
            for (int i = 0; i < grads.length; i++) {
              TFloat32 t = (TFloat32) gr.get(i);
              float[] v = new float[(int) t.size()];
              t.copyTo(DataBuffers.of(v, false, false));
              double norm = 0;
              for (float e : v) {
                assertTrue(Float.isFinite(e), p + " gradient of " + xs[i].op().name());
                norm += (double) e * e;
              }
              if (xs[i].op().name().contains("upconv/kernel")) {
                assertTrue(norm > 0, p + ": no gradient reaches " + xs[i].op().name() + " through the unpool");
              }
              squaredNorm += norm;
            }
          }
          float before = scalar(s, m, loss, x);
          // a step that should lower the loss by 0.1 %: to first order by lr * |g|^2 (the ratio tends to 1
          // as the step shrinks; at 1 % the curvature, ReLU kinks and switching maxima already show)
          float lr = (float) (1e-3 * before / squaredNorm);
          List<Op> steps = new ArrayList<>();
          for (int i = 0; i < xs.length; i++) {
            @SuppressWarnings("unchecked")
            Output<TFloat32> grad = (Output<TFloat32>) grads[i];
            steps.add(tf.train.applyGradientDescent(vars.get(i), tf.constant(lr), grad));
          }
          Session.Runner step = s.runner().feed(m.trainInput(), x);
          steps.forEach(step::addTarget);
          step.run();
          float after = scalar(s, m, loss, x);
          double predicted = lr * squaredNorm;
          assertTrue(after < before, p + ": loss " + before + " -> " + after);
          assertEquals(1.0, (before - after) / predicted, 0.1,
              p + ": decrease " + (before - after) + " vs first-order " + predicted + " (is the gradient right?)");
        }
      }
    }
  }
}
