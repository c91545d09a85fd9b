package org.unetpipelines.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The layer library over the TensorFlow Ops API. Every layer gets its own graph name
 * ({@code withSubScope(name)}) and its variables live under the same path in {@code params/}, so the
 * training and inference passes of a {@link ModelGraph} share them. Tensors are NHWC
 * {@code [batch, height, width, channels]} with static height, width and channels.
 */
public final class Layers {
  /** Batch-norm moving-average momentum (Keras default). */
  public static final float BATCH_NORM_MOMENTUM = 0.99f;
  /** Batch-norm epsilon (Keras default). */
  public static final float BATCH_NORM_EPSILON = 1e-3f;

  private static final List<Long> UNIT_STRIDES = List.of(1L, 1L, 1L, 1L);

  private final ModelGraph graph;
  private final ModelGraph.Mode mode;
  private final Ops tf;
  private final String path;

  Layers(ModelGraph graph, ModelGraph.Mode mode, Ops tf, String path) {
    this.graph = graph;
    this.mode = mode;
    this.tf = tf;
    this.path = path;
  }

  /** The variable path of this scope ({@code <network scope>/<layer path>}). */
  public String path() {
    return path;
  }

  /** Layers nested one level deeper: graph name and variable path get {@code /name}. */
  public Layers sub(String name) {
    checkArgument(name != null && name.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]*"), "bad layer name '%s'", name);
    return new Layers(graph, mode, tf.withSubScope(name), path.isEmpty() ? name : path + "/" + name);
  }

  public Ops tf() {
    return tf;
  }

  public boolean training() {
    return mode == ModelGraph.Mode.TRAIN;
  }

  /** Static dims of an NHWC tensor. */
  static long[] dims(Operand<?> x) {
    long[] d = x.shape().asArray();
    checkArgument(d != null && d.length == 4 && d[1] > 0 && d[2] > 0 && d[3] > 0,
        "expected a [N, H, W, C] tensor with static H, W, C, got %s", x.shape());
    return d;
  }

  /**
   * Pins the static shape {@code [-1, h, w, c]} (ops fed dynamic shapes can lose it). A reshape (no
   * copy) rather than EnsureShape, which has no gradient in TensorFlow's C++ gradient registry.
   */
  private Operand<TFloat32> pin(Operand<TFloat32> x, long h, long w, long c) {
    return tf.reshape(x, tf.constant(new int[] {-1, (int) h, (int) w, (int) c}));
  }

  /** k x k convolution, stride 1, with an optional bias. [N,H,W,Cin] -> [N,H',W',filters]. */
  public Operand<TFloat32> conv(String name, Operand<TFloat32> x, int k, int filters, Padding padding, boolean bias) {
    checkArgument(k >= 1 && filters >= 1, "conv %s: kernel %s and filters %s must be >= 1", name, k, filters);
    Layers l = sub(name);
    long cin = dims(x)[3];
    long[] shape = {k, k, cin, filters};
    Variable<TFloat32> kernel = graph.variable(l.path, "kernel", shape, graph.initializer(),
        Initializer.Fans.ofConvKernel(shape), true, mode);
    Operand<TFloat32> y = l.tf.nn.conv2d(x, kernel, UNIT_STRIDES, padding.tf());
    return bias ? l.biasAdd(y, filters) : y;
  }

  private Operand<TFloat32> biasAdd(Operand<TFloat32> y, int filters) {
    Variable<TFloat32> b = graph.variable(path, "bias", new long[] {filters}, Initializer.ZEROS,
        new Initializer.Fans(1, 1), true, mode);
    return tf.nn.biasAdd(y, b);
  }

  /** 2x2 transposed convolution, stride 2, with bias. [N,H,W,Cin] -> [N,2H,2W,filters]. */
  public Operand<TFloat32> transposedConv(String name, Operand<TFloat32> x, int filters) {
    Layers l = sub(name);
    long[] d = dims(x);
    long[] shape = {2, 2, filters, d[3]}; // [kh, kw, c_out, c_in]
    Variable<TFloat32> kernel = graph.variable(l.path, "kernel", shape, graph.initializer(),
        Initializer.Fans.ofTransposedKernel(shape), true, mode);
    Operand<TInt32> batch = l.tf.slice(l.tf.shape(x), l.tf.constant(new int[] {0}), l.tf.constant(new int[] {1}));
    Operand<TInt32> outShape = l.tf.concat(
        List.of(batch, l.tf.constant(new int[] {(int) (2 * d[1]), (int) (2 * d[2]), filters})), l.tf.constant(0));
    Operand<TFloat32> y = l.tf.nn.conv2dBackpropInput(outShape, kernel, x, List.of(1L, 2L, 2L, 1L), "VALID");
    return l.pin(l.biasAdd(y, filters), 2 * d[1], 2 * d[2], filters);
  }

  /** Resize x2 (bilinear with half-pixel centers, or nearest). [N,H,W,C] -> [N,2H,2W,C]. */
  public Operand<TFloat32> upsample2x(String name, Operand<TFloat32> x, boolean bilinear) {
    Layers l = sub(name);
    long[] d = dims(x);
    Operand<TInt32> size = l.tf.constant(new int[] {(int) (2 * d[1]), (int) (2 * d[2])});
    Operand<TFloat32> y = bilinear
        ? l.tf.image.resizeBilinear(x, size, ResizeBilinear.halfPixelCenters(true))
        : l.tf.image.resizeNearestNeighbor(x, size, ResizeNearestNeighbor.halfPixelCenters(true));
    return l.pin(y, 2 * d[1], 2 * d[2], d[3]);
  }

  /** Pixel shuffle: 1x1 conv to 4*filters, then depth-to-space block 2. [N,H,W,Cin] -> [N,2H,2W,filters]. */
  public Operand<TFloat32> pixelShuffle(String name, Operand<TFloat32> x, int filters) {
    Layers l = sub(name);
    long[] d = dims(x);
    Operand<TFloat32> y = l.conv("expand", x, 1, 4 * filters, Padding.SAME, true);
    return l.pin(l.tf.nn.depthToSpace(y, 2L), 2 * d[1], 2 * d[2], filters);
  }

  /** 2x2 max pooling, stride 2. [N,H,W,C] -> [N,H/2,W/2,C]; H and W must be even. */
  public Operand<TFloat32> maxPool2x2(String name, Operand<TFloat32> x) {
    long[] d = dims(x);
    checkArgument(d[1] % 2 == 0 && d[2] % 2 == 0, "max pool %s: size %sx%s is not even", name, d[1], d[2]);
    Layers l = sub(name);
    Operand<TInt32> k = l.tf.constant(new int[] {1, 2, 2, 1});
    return l.tf.nn.maxPool(x, k, k, "VALID");
  }

  /**
   * Batch normalization over N, H, W. Training: batch statistics, and the moving averages are
   * updated by ops registered with the graph ({@link ModelGraph#updateOps()}). Inference: moving
   * averages.
   */
  public Operand<TFloat32> batchNorm(String name, Operand<TFloat32> x) {
    Layers l = sub(name);
    long c = dims(x)[3];
    long[] shape = {c};
    Initializer.Fans one = new Initializer.Fans(1, 1);
    Variable<TFloat32> gamma = graph.variable(l.path, "gamma", shape, Initializer.ONES, one, true, mode);
    Variable<TFloat32> beta = graph.variable(l.path, "beta", shape, Initializer.ZEROS, one, true, mode);
    Variable<TFloat32> movingMean = graph.variable(l.path, "moving_mean", shape, Initializer.ZEROS, one, false, mode);
    Variable<TFloat32> movingVar = graph.variable(l.path, "moving_variance", shape, Initializer.ONES, one, false, mode);
    if (training()) {
      Operand<TFloat32> empty = l.tf.constant(new float[0]);
      FusedBatchNorm<TFloat32, TFloat32> bn = l.tf.nn.fusedBatchNorm(x, gamma, beta, empty, empty,
          FusedBatchNorm.epsilon(BATCH_NORM_EPSILON), FusedBatchNorm.isTraining(true));
      Ops u = l.tf.withSubScope("update");
      Operand<TFloat32> m = u.constant(BATCH_NORM_MOMENTUM);
      Operand<TFloat32> oneMinus = u.constant(1f - BATCH_NORM_MOMENTUM);
      graph.addUpdate(u.assign(movingMean,
          u.math.add(u.math.mul(movingMean, m), u.math.mul(u.stopGradient(bn.batchMean()), oneMinus))));
      graph.addUpdate(u.assign(movingVar,
          u.math.add(u.math.mul(movingVar, m), u.math.mul(u.stopGradient(bn.batchVariance()), oneMinus))));
      return bn.y();
    }
    return l.tf.nn.fusedBatchNorm(x, gamma, beta, movingMean, movingVar,
        FusedBatchNorm.epsilon(BATCH_NORM_EPSILON), FusedBatchNorm.isTraining(false)).y();
  }

  public Operand<TFloat32> relu(Operand<TFloat32> x) {
    return tf.nn.relu(x);
  }

  /**
   * Inverted dropout in the training pass (identity at inference). The mask comes from a stateless
   * uniform op seeded by the graph's dropout seed (fed per step) plus this layer's path, so masks
   * are a function of (seed, step, layer) only.
   */
  public Operand<TFloat32> dropout(String name, Operand<TFloat32> x, float rate) {
    checkArgument(rate >= 0f && rate < 1f, "dropout %s: rate must be in [0, 1), got %s", name, rate);
    if (!training() || rate == 0f) {
      return x;
    }
    Layers l = sub(name);
    Operand<TInt64> seed = l.tf.math.add(graph.dropoutSeed(), l.tf.constant(new long[] {0, l.path.hashCode()}));
    Operand<TFloat32> u = l.tf.random.statelessRandomUniform(l.tf.shape(x), seed, TFloat32.class);
    Operand<TFloat32> keep = l.tf.stopGradient(
        l.tf.dtypes.cast(l.tf.math.greaterEqual(u, l.tf.constant(rate)), TFloat32.class));
    return l.tf.math.mul(x, l.tf.math.mul(keep, l.tf.constant(1f / (1f - rate))));
  }

  /**
   * Concatenates {@code skip} (center-cropped to {@code x}'s size when larger, as in the paper's
   * valid geometry) with {@code x} along channels. -> [N, H_x, W_x, C_skip + C_x].
   */
  public Operand<TFloat32> cropConcat(String name, Operand<TFloat32> skip, Operand<TFloat32> x) {
    Layers l = sub(name);
    long[] s = dims(skip);
    long[] d = dims(x);
    checkArgument(s[1] >= d[1] && s[2] >= d[2] && (s[1] - d[1]) % 2 == 0 && (s[2] - d[2]) % 2 == 0,
        "concat %s: skip %s cannot be center-cropped to %s", name, Arrays.toString(s), Arrays.toString(d));
    Operand<TFloat32> cropped = skip;
    if (s[1] != d[1] || s[2] != d[2]) {
      int oy = (int) ((s[1] - d[1]) / 2);
      int ox = (int) ((s[2] - d[2]) / 2);
      cropped = l.pin(l.tf.slice(skip, l.tf.constant(new int[] {0, oy, ox, 0}),
          l.tf.constant(new int[] {-1, (int) d[1], (int) d[2], -1})), d[1], d[2], s[3]);
    }
    return l.tf.concat(List.of(cropped, x), l.tf.constant(3));
  }
}
