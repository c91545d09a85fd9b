package org.unetpipelines.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Weight initializers of our own. The framework's {@code VarianceScaling} computes the fan-in of
 * rank-4 convolution kernels wrongly (it counts the input channels twice), so these compute fans
 * explicitly: for a kernel {@code [kh, kw, c_in, c_out]}, fan-in = kh*kw*c_in and fan-out =
 * kh*kw*c_out (a transposed convolution's kernel {@code [kh, kw, c_out, c_in]} is given its fans by
 * the layer that owns it, see {@link Fans}).
 *
 * <p>Random values come from seeded stateless ops, so a graph built with the same seed always
 * starts from the same weights.
 */
public enum Initializer {
  /** Glorot normal: N(0, sqrt(2 / (fan_in + fan_out))). */
  XAVIER_NORMAL,
  /** Glorot uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)). */
  XAVIER_UNIFORM,
  /** He (Kaiming) normal as in Keras: truncated N(0, sqrt(2 / fan_in)) cut at 2 std, rescaled to keep that std. */
  HE_NORMAL,
  /** The U-Net paper: plain N(0, sqrt(2 / N)), N = fan-in = kh*kw*c_in. */
  PAPER,
  /** Zeros (biases, batch-norm beta). */
  ZEROS,
  /** Ones (batch-norm gamma). */
  ONES,
  /**
   * Orthogonal with gain {@value #ORTHOGONAL_GAIN} (ReDo's {@code nn.init.orthogonal_(w, 0.8)}): the
   * kernel flattened to {@code [prod(shape[:-1]), shape[-1]]} has orthonormal columns (or rows, when
   * it is wider than tall) times the gain; see {@link #orthogonal}.
   */
  ORTHOGONAL;

  /** The gain of {@link #ORTHOGONAL} (ReDo's {@code initOrthoGain}). */
  public static final double ORTHOGONAL_GAIN = 0.8;

  /**
   * Std of a standard normal truncated at +-2 std (0.8796...): He normal divides its std by this so
   * that the truncated distribution keeps the wanted variance.
   */
  public static final double TRUNCATED_NORMAL_STD = 0.87962566103423978;

  /** Fan-in and fan-out of a weight tensor. */
  public record Fans(long fanIn, long fanOut) {
    public Fans {
      checkArgument(fanIn > 0 && fanOut > 0, "fans must be positive, got in=%s out=%s", fanIn, fanOut);
    }

    /** Fans of a convolution kernel {@code [kh, kw, c_in, c_out]}: kh*kw*c_in, kh*kw*c_out. */
    public static Fans ofConvKernel(long[] shape) {
      checkArgument(shape.length == 4, "a conv kernel has rank 4 [kh, kw, c_in, c_out], got %s", Arrays.toString(shape));
      long receptive = shape[0] * shape[1];
      return new Fans(receptive * shape[2], receptive * shape[3]);
    }

    /**
     * Fans of a transposed-convolution kernel {@code [kh, kw, c_out, c_in]} (TensorFlow's layout for
     * Conv2DBackpropInput): the layer reads c_in channels, so fan-in = kh*kw*c_in.
     */
    public static Fans ofTransposedKernel(long[] shape) {
      checkArgument(shape.length == 4, "a transposed conv kernel has rank 4 [kh, kw, c_out, c_in], got %s", Arrays.toString(shape));
      long receptive = shape[0] * shape[1];
      return new Fans(receptive * shape[3], receptive * shape[2]);
    }
  }

  /** The standard deviation the initializer aims for (0 for constants). */
  public double stddev(Fans fans) {
    switch (this) {
      case XAVIER_NORMAL:
        return Math.sqrt(2.0 / (fans.fanIn() + fans.fanOut()));
      case XAVIER_UNIFORM:
        return Math.sqrt(6.0 / (fans.fanIn() + fans.fanOut())) / Math.sqrt(3.0);
      case HE_NORMAL:
      case PAPER:
        return Math.sqrt(2.0 / fans.fanIn());
      case ORTHOGONAL: // entries of an orthogonal [r, c] matrix times g have variance g^2 / max(r, c): exact for dense kernels, approximate for convs
        return ORTHOGONAL_GAIN / Math.sqrt(Math.max(fans.fanIn(), fans.fanOut()));
      default:
        return 0.0;
    }
  }

  /**
   * The initial value as a graph op. Build it in the init scope ({@code tf.withInitScope()}) when it
   * feeds a variable's initializer.
   *
   * @param seed two int64 seed words for the stateless random ops (e.g. model seed, layer index)
   */
  public Operand<TFloat32> create(Ops tf, long[] shape, Fans fans, long[] seed) {
    checkArgument(seed.length == 2, "seed must have 2 words, got %s", seed.length);
    return create(tf, shape, fans, tf.constant(seed));
  }

  /**
   * As {@link #create(Ops, long[], Fans, long[])} with the two seed words as an int64 [2] operand
   * (e.g. fed, so that a restart re-runs the initializers with another seed).
   */
  public Operand<TFloat32> create(Ops tf, long[] shape, Fans fans, Operand<org.tensorflow.types.TInt64> s) {
    Operand<org.tensorflow.types.TInt64> dims = tf.constant(shape);
    switch (this) {
      case ORTHOGONAL:
        return orthogonal(tf, shape, ORTHOGONAL_GAIN, s);
      case ZEROS:
        return tf.fill(dims, tf.constant(0f));
      case ONES:
        return tf.fill(dims, tf.constant(1f));
      case XAVIER_UNIFORM: {
        float limit = (float) Math.sqrt(6.0 / (fans.fanIn() + fans.fanOut()));
        Operand<TFloat32> u = tf.random.statelessRandomUniform(dims, s, TFloat32.class); // [0, 1)
        return tf.math.sub(tf.math.mul(u, tf.constant(2f * limit)), tf.constant(limit));
      }
      case HE_NORMAL: {
        float std = (float) (stddev(fans) / TRUNCATED_NORMAL_STD);
        return tf.math.mul(tf.random.statelessTruncatedNormal(dims, s, TFloat32.class), tf.constant(std));
      }
      default: {
        float std = (float) stddev(fans);
        return tf.math.mul(tf.random.statelessRandomNormal(dims, s, TFloat32.class), tf.constant(std));
      }
    }
  }

  /**
   * PyTorch's {@code nn.init.orthogonal_(w, gain)} for a kernel whose last axis is the output
   * (TensorFlow layout: conv {@code [kh, kw, c_in, c_out]}, dense {@code [c_in, units]}): a standard
   * normal {@code [max(r, c), min(r, c)]} matrix, its reduced QR, Q's columns multiplied by the signs
   * of R's diagonal (so the distribution is uniform, Haar), transposed when {@code r < c}, times
   * {@code gain}, reshaped to {@code shape}; r = prod(shape[:-1]), c = shape[-1]. PyTorch flattens the
   * transposed kernel {@code [c_out, c_in*kh*kw]}: the same orthogonality, fan-in entries in another order.
   */
  public static Operand<TFloat32> orthogonal(Ops tf, long[] shape, double gain, Operand<org.tensorflow.types.TInt64> seed) {
    checkArgument(shape.length >= 2, "orthogonal initialization needs a kernel of rank >= 2, got %s",
        Arrays.toString(shape));
    long c = shape[shape.length - 1];
    long r = 1;
    for (int i = 0; i < shape.length - 1; i++) {
      r *= shape[i];
    }
    long tall = Math.max(r, c);
    long narrow = Math.min(r, c);
    Operand<TFloat32> a = tf.random.statelessRandomNormal(tf.constant(new long[] {tall, narrow}), seed, TFloat32.class);
    org.tensorflow.op.linalg.Qr<TFloat32> qr = tf.linalg.qr(a); // reduced: q [tall, narrow], r [narrow, narrow]
    Operand<TFloat32> diag = tf.linalg.matrixDiagPart(qr.r(), tf.constant(0), tf.constant(0f)); // [narrow]
    Operand<TFloat32> signs = tf.math.sign(diag); // exact zeros have probability 0
    Operand<TFloat32> q = tf.math.mul(qr.q(), signs); // each column times the sign of its R diagonal
    if (r < c) {
      q = tf.linalg.transpose(q, tf.constant(new int[] {1, 0}));
    }
    return tf.reshape(tf.math.mul(q, tf.constant((float) gain)), tf.constant(shape));
  }
}
