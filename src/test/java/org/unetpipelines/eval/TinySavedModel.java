package org.unetpipelines.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Serving;

/**
 * Test helper: exports a tiny valid-padding "network" per the serving contract — two 3x3 VALID
 * convolutions with fixed weights and a sigmoid, any input size, 1 input and 1 output channel — and
 * writes its model.json for 12x12 input tiles (8x8 output).
 */
public final class TinySavedModel {
  /** First and second 3x3 kernels, row-major. */
  public static final float[][] K1 = {{0.5f, -1f, 0.25f}, {1f, 2f, -0.5f}, {0f, 0.75f, -1.5f}};
  public static final float[][] K2 = {{-0.3f, 0.2f, 0.1f}, {0.4f, 0.6f, -0.2f}, {0.1f, -0.4f, 0.3f}};
  public static final float BIAS = -0.4f;

  private TinySavedModel() {}

  public static ModelSpec export(Path dir) throws IOException {
    return exportWithHeads(dir);
  }

  /**
   * The same network with named heads besides the default one ({@code probabilities} = p): the first
   * named head serves 1 - p, any further head the mean of p and 1 - p (an "ensemble"); model.json
   * lists them under {@code serving.heads}.
   */
  public static ModelSpec exportWithHeads(Path dir, String... heads) throws IOException {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, -1, -1, 1)));
      Operand<TFloat32> h = tf.nn.conv2d(x, kernel(tf, K1), List.of(1L, 1L, 1L, 1L), "VALID");
      h = tf.nn.conv2d(h, kernel(tf, K2), List.of(1L, 1L, 1L, 1L), "VALID");
      Operand<TFloat32> y = tf.withName("probabilities").math.sigmoid(tf.math.add(h, tf.constant(BIAS)));
      Signature.Builder sig = Signature.builder().key(Serving.SIGNATURE)
          .input(Serving.INPUT, x).output(Serving.OUTPUT, y);
      Operand<TFloat32> inverse = tf.math.sub(tf.constant(1f), y);
      for (int i = 0; i < heads.length; i++) {
        Operand<TFloat32> head = i == 0 ? inverse : tf.math.mul(tf.math.add(y, inverse), tf.constant(0.5f));
        sig.output(TfPredictor.output(heads[i]), tf.withName("head_" + i).identity(head));
      }
      SavedModelBundle.exporter(dir.toString()).withTags(Serving.TAG)
          .withFunction(SessionFunction.create(sig.build(), s)).export();
    }
    ModelSpec spec = new ModelSpec(dir.toString(), 12, 12, 1, 8, 8, 1, List.of(heads), null);
    Files.writeString(dir.resolve(ModelSpec.MODEL_JSON), spec.toJson());
    return spec;
  }

  private static Operand<TFloat32> kernel(Ops tf, float[][] k) {
    float[] flat = new float[9];
    for (int i = 0; i < 9; i++) {
      flat[i] = k[i / 3][i % 3];
    }
    return tf.constant(Shape.of(3, 3, 1, 1), DataBuffers.of(flat));
  }

  /** The same function in plain Java on an already mirror-padded image (h x w, valid output). */
  public static float[] reference(float[] padded, int h, int w) {
    FilterPredictor a = new FilterPredictor(K1, h, w);
    float[] first = a.predict(new float[][] {padded})[0];
    FilterPredictor b = new FilterPredictor(K2, h - 2, w - 2);
    float[] second = b.predict(new float[][] {first})[0];
    for (int i = 0; i < second.length; i++) {
      second[i] = (float) (1 / (1 + Math.exp(-(second[i] + BIAS))));
    }
    return second;
  }
}
