package org.unetpipelines.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.op.nn.LeakyRelu;
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
  /** PyTorch's {@code BatchNorm2d} default momentum 0.1 in TensorFlow's convention (share of the old average kept). */
  public static final float TORCH_BATCH_NORM_MOMENTUM = 0.9f;
  /** PyTorch's {@code BatchNorm2d} default epsilon. */
  public static final float TORCH_BATCH_NORM_EPSILON = 1e-5f;
  /** Instance-norm epsilon (PyTorch's {@code InstanceNorm2d} default). */
  public static final float INSTANCE_NORM_EPSILON = 1e-5f;

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
    return conv(name, x, k, filters, 1, 1, padding, bias);
  }

  /**
   * k x k convolution with a stride or a dilation rate (atrous convolution), with an optional bias.
   * {@code y[n, i, j, o] = sum_{a, b, c} x[n, s*i + d*a - p_top, s*j + d*b - p_left, c] * kernel[a, b, c, o]}
   * (cross-correlation, as TensorFlow and PyTorch compute it), zero outside the input.
   *
   * <p>[N,H,W,Cin] -> [N,H',W',filters] with, for the effective kernel size K = d*(k-1)+1,
   * H' = ceil(H / s) (SAME) or ceil((H - K + 1) / s) (VALID). TensorFlow's SAME pads
   * max((H'-1)*s + K - H, 0) rows, the odd row at the bottom (likewise columns, at the right); for
   * stride 1 and odd k that is PyTorch's symmetric {@code padding = d*(k-1)/2}, for stride 2 on even
   * sizes it is not: use {@link #pad} (zeros) and VALID to get PyTorch's {@code Conv2d(k, s, padding)}.
   * Stride and dilation cannot both exceed 1.
   */
  public Operand<TFloat32> conv(String name, Operand<TFloat32> x, int k, int filters, int stride, int dilation,
      Padding padding, boolean bias) {
    checkArgument(k >= 1 && filters >= 1, "conv %s: kernel %s and filters %s must be >= 1", name, k, filters);
    checkArgument(stride >= 1 && dilation >= 1, "conv %s: stride %s and dilation %s must be >= 1", name, stride, dilation);
    checkArgument(stride == 1 || dilation == 1, "conv %s: stride %s and dilation %s cannot both be > 1", name, stride,
        dilation);
    long[] d = dims(x);
    long effective = (long) dilation * (k - 1) + 1;
    checkArgument(padding == Padding.SAME || (d[1] >= effective && d[2] >= effective),
        "conv %s: input %sx%s is smaller than the %sx%s (dilated) kernel with valid padding", name, d[1], d[2],
        effective, effective);
    Layers l = sub(name);
    long[] shape = {k, k, d[3], filters};
    Variable<TFloat32> kernel = graph.variable(l.path, "kernel", shape, graph.initializer(),
        Initializer.Fans.ofConvKernel(shape), true, mode);
    List<Long> strides = stride == 1 ? UNIT_STRIDES : List.of(1L, (long) stride, (long) stride, 1L);
    Operand<TFloat32> y = dilation == 1
        ? l.tf.nn.conv2d(x, kernel, strides, padding.tf())
        : l.atrousConv(x, kernel, d, k, dilation, padding, filters);
    return bias ? l.biasAdd(y, filters) : y;
  }

  /**
   * Dilated convolution as space-to-batch, a plain VALID convolution, batch-to-space (the
   * formulation of TensorFlow Python's {@code with_space_to_batch}). Not Conv2D's {@code dilations}
   * attribute: its forward pass is right, but the C++ gradient TensorFlow Java uses ignores the
   * attribute (measured: the input gradient is an undilated convolution's; LayersTest catches it).
   */
  private Operand<TFloat32> atrousConv(Operand<TFloat32> x, Operand<TFloat32> kernel, long[] d, int k, int dilation,
      Padding padding, int filters) {
    long total = padding == Padding.SAME ? (long) dilation * (k - 1) : 0; // SAME keeps H: pads K - 1
    int[][] paddings = new int[2][2];
    int[][] crops = new int[2][2];
    long[] out = new long[2];
    for (int i = 0; i < 2; i++) {
      long start = total / 2;
      long end = total - start;
      long extra = (dilation - (d[1 + i] + start + end) % dilation) % dilation; // to a multiple of the rate
      paddings[i] = new int[] {(int) start, (int) (end + extra)};
      crops[i] = new int[] {0, (int) extra};
      out[i] = d[1 + i] + total - (long) dilation * (k - 1);
    }
    Operand<TInt32> block = tf.constant(new int[] {dilation, dilation});
    // [N,H,W,C] -> [N*r*r, (H+pads)/r, (W+pads)/r, C]: each batch entry holds one phase of the grid
    Operand<TFloat32> phases = tf.spaceToBatchNd(x, block, tf.constant(paddings));
    Operand<TFloat32> y = tf.nn.conv2d(phases, kernel, UNIT_STRIDES, Padding.VALID.tf());
    return pin(tf.batchToSpaceNd(y, block, tf.constant(crops)), out[0], out[1], filters);
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

  /**
   * k x k transposed convolution with a stride, with bias, as PyTorch's
   * {@code ConvTranspose2d(cin, filters, k, stride, padding, output_padding)}: the full transposed
   * convolution of size (H-1)*s + k, cropped by {@code padding} at the top / left, to the
   * requested output size. The output size is an argument, not a constant, so a decoder can ask for
   * exactly its skip's size: for k = 3, s = 2, padding 1 that is 2H (PyTorch's output_padding 1)
   * or 2H - 1 (output_padding 0). Allowed: {@code (H-1)*s + k - 2*padding + p} for p in [0, s) on
   * each side. Kernel [k, k, filters, cin] (fan-in k*k*cin, as {@link Initializer.Fans#ofTransposedKernel}).
   * [N,H,W,Cin] -> [N,outHeight,outWidth,filters].
   */
  public Operand<TFloat32> transposedConv(String name, Operand<TFloat32> x, int k, int stride, int padding,
      int filters, long outHeight, long outWidth) {
    checkArgument(k >= 1 && stride >= 1 && filters >= 1 && padding >= 0,
        "transposed conv %s: kernel %s, stride %s and filters %s must be >= 1, padding %s >= 0", name, k, stride,
        filters, padding);
    long[] d = dims(x);
    long[] full = {(d[1] - 1) * stride + k, (d[2] - 1) * stride + k};
    long[] want = {outHeight, outWidth};
    for (int i = 0; i < 2; i++) {
      long min = full[i] - 2L * padding;
      checkArgument(want[i] >= Math.max(1, min) && want[i] <= min + stride - 1,
          "transposed conv %s: a %s-pixel input side gives %s..%s pixels (kernel %s, stride %s, padding %s), not %s",
          name, d[1 + i], min, min + stride - 1, k, stride, padding, want[i]);
    }
    Layers l = sub(name);
    long[] shape = {k, k, filters, d[3]}; // [kh, kw, c_out, c_in]
    Variable<TFloat32> kernel = graph.variable(l.path, "kernel", shape, graph.initializer(),
        Initializer.Fans.ofTransposedKernel(shape), true, mode);
    Operand<TInt32> batch = l.tf.slice(l.tf.shape(x), l.tf.constant(new int[] {0}), l.tf.constant(new int[] {1}));
    Operand<TInt32> fullShape = l.tf.concat(
        List.of(batch, l.tf.constant(new int[] {(int) full[0], (int) full[1], filters})), l.tf.constant(0));
    Operand<TFloat32> y = l.tf.nn.conv2dBackpropInput(fullShape, kernel, x,
        List.of(1L, (long) stride, (long) stride, 1L), "VALID");
    if (padding > 0 || full[0] != outHeight || full[1] != outWidth) {
      y = l.tf.slice(y, l.tf.constant(new int[] {0, padding, padding, 0}),
          l.tf.constant(new int[] {-1, (int) outHeight, (int) outWidth, filters}));
    }
    return l.pin(l.biasAdd(y, filters), outHeight, outWidth, filters);
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
    return batchNorm(name, x, BATCH_NORM_MOMENTUM, BATCH_NORM_EPSILON);
  }

  /**
   * {@link #batchNorm(String, Operand)} with its own moving-average momentum (the share of the old
   * average kept per step: TensorFlow's convention; PyTorch's {@code momentum=0.1} is 0.9 here) and
   * epsilon. The models ported from PyTorch use {@link #TORCH_BATCH_NORM_MOMENTUM} and
   * {@link #TORCH_BATCH_NORM_EPSILON}, whose averages settle within a few dozen steps.
   */
  public Operand<TFloat32> batchNorm(String name, Operand<TFloat32> x, float momentum, float epsilon) {
    checkArgument(momentum >= 0f && momentum < 1f, "batch norm %s: momentum must be in [0, 1), got %s", name, momentum);
    checkArgument(epsilon > 0f, "batch norm %s: epsilon must be > 0, got %s", name, epsilon);
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
          FusedBatchNorm.epsilon(epsilon), FusedBatchNorm.isTraining(true));
      Ops u = l.tf.withSubScope("update");
      Operand<TFloat32> m = u.constant(momentum);
      Operand<TFloat32> oneMinus = u.constant(1f - momentum);
      graph.addUpdate(u.assign(movingMean,
          u.math.add(u.math.mul(movingMean, m), u.math.mul(u.stopGradient(bn.batchMean()), oneMinus))));
      graph.addUpdate(u.assign(movingVar,
          u.math.add(u.math.mul(movingVar, m), u.math.mul(u.stopGradient(bn.batchVariance()), oneMinus))));
      return bn.y();
    }
    return l.tf.nn.fusedBatchNorm(x, gamma, beta, movingMean, movingVar,
        FusedBatchNorm.epsilon(epsilon), FusedBatchNorm.isTraining(false)).y();
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
    long[] d = dims(x);
    return l.tf.concat(List.of(l.centerCrop("concat " + name + ": skip", skip, d[1], d[2], 1), x), l.tf.constant(3));
  }

  /**
   * Center-crops x to {@code h x w} (x itself when it has that size). Each side's margin must be a
   * multiple of {@code align} (2 keeps a 2x2 pooling grid). [N,H,W,C] -> [N,h,w,C].
   */
  private Operand<TFloat32> centerCrop(String what, Operand<TFloat32> x, long h, long w, int align) {
    long[] s = dims(x);
    checkArgument(s[1] >= h && s[2] >= w && (s[1] - h) % (2 * align) == 0 && (s[2] - w) % (2 * align) == 0,
        "%s %s cannot be center-cropped to %sx%s%s", what, Arrays.toString(s), h, w,
        align == 1 ? "" : " with margins that are multiples of " + align);
    if (s[1] == h && s[2] == w) {
      return x;
    }
    int oy = (int) ((s[1] - h) / 2);
    int ox = (int) ((s[2] - w) / 2);
    return pin(tf.slice(x, tf.constant(new int[] {0, oy, ox, 0}), tf.constant(new int[] {-1, (int) h, (int) w, -1})),
        h, w, s[3]);
  }

  // ---- layers for the other families (UNet++, Stacked U-Nets, ResNet-20, ReDo) ----

  /** How {@link #pad} fills the border. */
  public enum PadMode {
    /** Zeros (PyTorch's {@code Conv2d(padding=p)}, {@code ZeroPad2d}). */
    ZEROS,
    /** Mirror without repeating the edge: a b c -> b a b c b (PyTorch's {@code ReflectionPad2d}). */
    REFLECT
  }

  /**
   * Pads {@code p} pixels on every side of H and W. [N,H,W,C] -> [N,H+2p,W+2p,C]. REFLECT needs
   * {@code p < H} and {@code p < W}.
   */
  public Operand<TFloat32> pad(String name, Operand<TFloat32> x, int p, PadMode mode) {
    long[] d = dims(x);
    checkArgument(p >= 0, "pad %s: amount must be >= 0, got %s", name, p);
    checkArgument(mode != PadMode.REFLECT || (p < d[1] && p < d[2]),
        "pad %s: reflect padding %s needs a size above it, got %sx%s", name, p, d[1], d[2]);
    Layers l = sub(name);
    Operand<TInt32> paddings = l.tf.constant(new int[][] {{0, 0}, {p, p}, {p, p}, {0, 0}});
    Operand<TFloat32> y = mode == PadMode.ZEROS
        ? l.tf.pad(x, paddings, l.tf.constant(0f))
        : l.tf.mirrorPad(x, paddings, "REFLECT");
    return l.pin(y, d[1] + 2L * p, d[2] + 2L * p, d[3]);
  }

  /**
   * Residual sum {@code a + b} of two tensors of the same shape (batch excepted). No broadcasting:
   * a shape mismatch is an error. [N,...] + [N,...] -> [N,...].
   */
  public Operand<TFloat32> add(String name, Operand<TFloat32> a, Operand<TFloat32> b) {
    long[] da = a.shape().asArray();
    long[] db = b.shape().asArray();
    boolean same = da != null && db != null && da.length == db.length && da.length >= 1;
    for (int i = 1; same && i < da.length; i++) {
      same = da[i] == db[i] && da[i] > 0;
    }
    checkArgument(same, "add %s: shapes %s and %s differ (batch aside) or are not static", name, a.shape(), b.shape());
    return sub(name).tf.math.add(a, b);
  }

  /**
   * Concatenates N >= 1 tensors along channels, in list order; they must share H and W.
   * [N,H,W,C1], ..., [N,H,W,Ck] -> [N,H,W,C1+...+Ck].
   */
  public Operand<TFloat32> concat(String name, List<Operand<TFloat32>> xs) {
    checkArgument(xs != null && !xs.isEmpty(), "concat %s: needs at least one tensor", name);
    long[] first = dims(xs.get(0));
    for (Operand<TFloat32> x : xs) {
      long[] d = dims(x);
      checkArgument(d[1] == first[1] && d[2] == first[2], "concat %s: sizes differ: %s vs %s", name,
          xs.get(0).shape(), x.shape());
    }
    Layers l = sub(name);
    return xs.size() == 1 ? l.tf.identity(xs.get(0)) : l.tf.concat(xs, l.tf.constant(3));
  }

  /** Mean over H and W per sample and channel. [N,H,W,C] -> [N,C]. */
  public Operand<TFloat32> globalAvgPool(String name, Operand<TFloat32> x) {
    dims(x);
    Layers l = sub(name);
    return l.tf.math.mean(x, l.tf.constant(new int[] {1, 2}));
  }

  /**
   * Fully connected layer {@code y = x W (+ b)}, W of shape [Cin, units] (fan-in Cin, fan-out
   * units) from the graph's initializer, b zeros. [N,Cin] -> [N,units].
   */
  public Operand<TFloat32> dense(String name, Operand<TFloat32> x, int units, boolean bias) {
    long[] d = x.shape().asArray();
    checkArgument(d != null && d.length == 2 && d[1] > 0, "dense %s: expected a [N, C] tensor with static C, got %s",
        name, x.shape());
    checkArgument(units >= 1, "dense %s: units must be >= 1, got %s", name, units);
    Layers l = sub(name);
    long[] shape = {d[1], units};
    Variable<TFloat32> kernel = graph.variable(l.path, "kernel", shape, graph.initializer(),
        new Initializer.Fans(d[1], units), true, mode);
    Operand<TFloat32> y = l.tf.linalg.matMul(x, kernel);
    return bias ? l.biasAdd(y, units) : y;
  }

  /**
   * Instance normalization (Ulyanov et al.; PyTorch's {@code InstanceNorm2d}): per sample and
   * channel, {@code (x - mean) / sqrt(var + eps)} over H and W with the biased variance and
   * eps = {@value #INSTANCE_NORM_EPSILON}; then {@code * gamma + beta} (per channel, learnable,
   * ones and zeros at start) when {@code affine}. No running statistics: training and inference
   * compute the same. ReDo's mask network uses {@code affine = true}, its generators
   * {@code affine = false} followed by their own conditional gamma(z), beta(z). [N,H,W,C] -> [N,H,W,C].
   */
  public Operand<TFloat32> instanceNorm(String name, Operand<TFloat32> x, boolean affine) {
    long c = dims(x)[3];
    Layers l = sub(name);
    Ops t = l.tf;
    Operand<TInt32> hw = t.constant(new int[] {1, 2});
    Operand<TFloat32> mean = t.math.mean(x, hw, Mean.keepDims(true)); // [N,1,1,C]
    Operand<TFloat32> centered = t.math.sub(x, mean);
    Operand<TFloat32> var = t.math.mean(t.math.square(centered), hw, Mean.keepDims(true));
    Operand<TFloat32> y = t.math.mul(centered, t.math.rsqrt(t.math.add(var, t.constant(INSTANCE_NORM_EPSILON))));
    if (!affine) {
      return y;
    }
    long[] shape = {c};
    Initializer.Fans one = new Initializer.Fans(1, 1);
    Variable<TFloat32> gamma = graph.variable(l.path, "gamma", shape, Initializer.ONES, one, true, mode);
    Variable<TFloat32> beta = graph.variable(l.path, "beta", shape, Initializer.ZEROS, one, true, mode);
    return t.math.add(t.math.mul(y, gamma), beta);
  }

  /** Leaky ReLU: x for x >= 0, {@code slope * x} below, slope in [0, 1). Same shape. */
  public Operand<TFloat32> leakyRelu(Operand<TFloat32> x, float slope) {
    checkArgument(slope >= 0f && slope < 1f, "leaky relu: slope must be in [0, 1), got %s", slope);
    return tf.nn.leakyRelu(x, LeakyRelu.alpha(slope));
  }

  /** Hyperbolic tangent, element-wise (ReDo's generator output). Same shape. */
  public Operand<TFloat32> tanh(Operand<TFloat32> x) {
    return tf.math.tanh(x);
  }

  /**
   * k x k average pooling with stride s. VALID: windows inside the input only,
   * [N,H,W,C] -> [N,floor((H-k)/s)+1,...] (PyTorch's {@code AvgPool2d(k, s)}); SAME:
   * [N,ceil(H/s),...], and windows that cross the border average only the pixels inside
   * ({@code count_include_pad=False}). k = s = 1 is the identity (the reproduction's dilated
   * Stacked U-Net transition).
   */
  public Operand<TFloat32> avgPool(String name, Operand<TFloat32> x, int k, int stride, Padding padding) {
    long[] d = dims(x);
    checkArgument(k >= 1 && stride >= 1, "avg pool %s: kernel %s and stride %s must be >= 1", name, k, stride);
    checkArgument(padding == Padding.SAME || (d[1] >= k && d[2] >= k),
        "avg pool %s: input %sx%s is smaller than the %sx%s window with valid padding", name, d[1], d[2], k, k);
    return sub(name).tf.nn.avgPool(x, List.of(1L, (long) k, (long) k, 1L), List.of(1L, (long) stride, (long) stride, 1L),
        padding.tf());
  }

  /**
   * A 2x2 max pool's values and where it took them: {@code positions} is a 0/1 mask shaped like
   * the input, with exactly one 1 per 2x2 window and channel, at the window's maximum (the first in
   * row-major order on ties, as PyTorch's and TensorFlow's argmax). Feed it to {@link #maxUnpool2x2}.
   */
  public record MaxPooled(Operand<TFloat32> values, Operand<TFloat32> positions) {}

  /**
   * 2x2 max pooling, stride 2, that also returns the positions of the maxima (SegNet's pooling
   * indices) as a 0/1 mask. The values are {@link #maxPool2x2}'s (the same op and gradient); the mask
   * compares each window with its maximum, keeps the first match in row-major order, and carries no
   * gradient (it is piecewise constant; on exact ties the values' gradient goes wherever MaxPool's
   * own gradient sends it). Built from plain differentiable ops because MaxPoolWithArgmax has no
   * gradient in TensorFlow Java.
   * [N,H,W,C] -> values [N,H/2,W/2,C], positions [N,H,W,C]; H and W must be even.
   */
  public MaxPooled maxPool2x2WithPositions(String name, Operand<TFloat32> x) {
    long[] d = dims(x);
    checkArgument(d[1] % 2 == 0 && d[2] % 2 == 0, "max pool %s: size %sx%s is not even", name, d[1], d[2]);
    Layers l = sub(name);
    Operand<TInt32> k = l.tf.constant(new int[] {1, 2, 2, 1});
    Operand<TFloat32> values = l.tf.nn.maxPool(x, k, k, "VALID");
    Ops p = l.tf.withSubScope("positions");
    int h = (int) d[1] / 2;
    int w = (int) d[2] / 2;
    int c = (int) d[3];
    // [N,H,W,C] -> [N,H/2,W/2,4,C]: axis 3 holds a window's entries (0,0), (0,1), (1,0), (1,1)
    Operand<TFloat32> windows = p.reshape(p.nn.spaceToDepth(x, 2L), p.constant(new int[] {-1, h, w, 4, c}));
    Operand<TFloat32> max = p.reshape(values, p.constant(new int[] {-1, h, w, 1, c}));
    Operand<TFloat32> isMax = p.dtypes.cast(p.math.equal(windows, max), TFloat32.class);
    // the first maximum is the one where the running count of maxima reaches 1
    Operand<TFloat32> seen = p.math.cumsum(isMax, p.constant(3));
    Operand<TFloat32> first = p.math.mul(isMax, p.dtypes.cast(p.math.equal(seen, p.constant(1f)), TFloat32.class));
    Operand<TFloat32> mask = p.nn.depthToSpace(p.reshape(first, p.constant(new int[] {-1, h, w, 4 * c})), 2L);
    Operand<TFloat32> positions = p.stopGradient(p.reshape(mask, p.constant(new int[] {-1, 2 * h, 2 * w, c})));
    return new MaxPooled(values, positions);
  }

  /**
   * Max-unpooling (SegNet; the "Understanding U-Net" upsampling): each value of x goes back to the
   * position its 2x2 window's maximum came from, zeros elsewhere: {@code positions * nearest2x(x)}.
   * The gradient reaches x from that position only. {@code positions} comes from
   * {@link #maxPool2x2WithPositions} on a tensor with x's channels; when it is larger than
   * [2H, 2W] (valid geometry, where x shrank after the pool) it is center-cropped like
   * {@link #cropConcat}'s skip, with even margins on each side so the windows stay aligned.
   * [N,H,W,C] + positions [N,>=2H,>=2W,C] -> [N,2H,2W,C].
   */
  public Operand<TFloat32> maxUnpool2x2(String name, Operand<TFloat32> x, Operand<TFloat32> positions) {
    long[] d = dims(x);
    long[] pd = dims(positions);
    checkArgument(pd[3] == d[3], "max unpool %s: positions have %s channels, the input %s", name, pd[3], d[3]);
    Layers l = sub(name);
    Operand<TFloat32> mask = l.centerCrop("max unpool " + name + ": positions", positions, 2 * d[1], 2 * d[2], 2);
    Operand<TFloat32> up = l.upsample2x("nearest", x, false);
    return l.tf.math.mul(up, mask);
  }

  // ---- ReDo: spectral norm, self-attention, z-conditioned instance norm, sum pooling, pyramid pooling ----

  /** The floor of a vector norm in spectral normalization's power iteration (PyTorch's {@code F.normalize} eps). */
  public static final float SPECTRAL_NORM_EPSILON = 1e-12f;

  /**
   * Spectral normalization (Miyato et al. 2018; PyTorch's {@code torch.nn.utils.spectral_norm} with one
   * power iteration): {@code kernel / sigma}, sigma an estimate of the largest singular value of the
   * kernel viewed as the matrix {@code W = reshape(kernel, [-1, c_out])} (PyTorch's weight matrix
   * transposed: the same singular values). A persistent, non-trainable variable {@code <name>/u}
   * ({@code [c_out]}, saved in checkpoints like every variable) carries the power iteration across steps:
   * {@code v = normalize(W u)}, {@code u' = normalize(W^T v)}, {@code sigma = u' . (W^T v)}, u' and v
   * without gradient (sigma keeps W's). A training pass registers {@code u := u'} as an update op (one
   * iteration each time the pass runs); an inference pass computes the same from the stored u without
   * storing it. The kernel is read once, so sigma and the normalized kernel see the same values.
   * Graph name of sigma: {@code <name>/sigma}. Same shape as {@code kernel}.
   */
  public Operand<TFloat32> spectralNorm(String name, Operand<TFloat32> kernel) {
    long[] shape = kernel.shape().asArray();
    checkArgument(shape != null && shape.length >= 2 && shape[shape.length - 1] > 0,
        "spectral norm %s: needs a kernel of rank >= 2 with a static last axis, got %s", name, kernel.shape());
    long out = shape[shape.length - 1];
    Layers l = sub(name);
    Ops t = l.tf;
    Variable<TFloat32> u = graph.variable(l.path, "u", new long[] {out}, Initializer.PAPER, new Initializer.Fans(1, 1),
        false, mode);
    Operand<TFloat32> read = t.identity(kernel); // the one read of the kernel
    Operand<TFloat32> w = t.reshape(read, t.constant(new long[] {-1, out})); // [R, c_out]
    Operand<TFloat32> u0 = t.reshape(t.identity(u), t.constant(new long[] {out, 1}));
    Operand<TFloat32> wStopped = t.stopGradient(w);
    Operand<TFloat32> v = t.stopGradient(normalize(t, t.linalg.matMul(wStopped, u0))); // [R, 1]
    Operand<TFloat32> wtv = t.linalg.matMul(w, v, org.tensorflow.op.linalg.MatMul.transposeA(true)); // [c_out, 1]
    Operand<TFloat32> u1 = t.stopGradient(normalize(t, wtv));
    Operand<TFloat32> sigma = t.withName("sigma").sum(t.math.mul(u1, wtv), t.constant(new int[] {0, 1}));
    if (training()) {
      graph.addUpdate(t.withSubScope("update").assign(u, t.reshape(u1, t.constant(new long[] {out}))));
    }
    return t.math.div(read, sigma);
  }

  /** {@code x / max(||x||, eps)} over the whole tensor. */
  private static Operand<TFloat32> normalize(Ops t, Operand<TFloat32> x) {
    Operand<TFloat32> norm = t.math.sqrt(t.sum(t.math.square(x), t.constant(new int[] {0, 1})));
    return t.math.div(x, t.math.maximum(norm, t.constant(SPECTRAL_NORM_EPSILON)));
  }

  /**
   * A k x k convolution (k odd), stride 1, zero padding (k-1)/2 (PyTorch's {@code Conv2d(k, 1, (k-1)/2)}),
   * its kernel spectrally normalized ({@link #spectralNorm}, variable {@code <name>/sn/u}), optional bias.
   * [N,H,W,Cin] -> [N,H,W,filters].
   */
  public Operand<TFloat32> spectralConv(String name, Operand<TFloat32> x, int k, int filters, boolean bias) {
    checkArgument(k >= 1 && k % 2 == 1 && filters >= 1, "spectral conv %s: kernel %s must be odd and filters %s >= 1",
        name, k, filters);
    long[] d = dims(x);
    Layers l = sub(name);
    long[] shape = {k, k, d[3], filters};
    Variable<TFloat32> kernel = graph.variable(l.path, "kernel", shape, graph.initializer(),
        Initializer.Fans.ofConvKernel(shape), true, mode);
    Operand<TFloat32> y = l.tf.nn.conv2d(x, l.spectralNorm("sn", kernel), UNIT_STRIDES, Padding.SAME.tf());
    return bias ? l.biasAdd(y, filters) : y;
  }

  /**
   * Self-attention as ReDo's {@code SelfAttention} (SAGAN / BigGAN style): f, g = SN-Conv1x1 C -> C/8
   * (at least 1), h = SN-Conv1x1 C -> C/2, all without bias; g and h max-pooled 2x2 (the N/4 keys);
   * for every position q, {@code a_q = softmax_k(f_q . g_k)} over the keys; {@code o = SN-Conv1x1(C/2 -> C)(sum_k a_qk h_k)};
   * {@code out = x + gamma * o} with a trainable scalar gamma that starts at 0 (the layer starts as the
   * identity). H and W must be even, C >= 2 even. [N,H,W,C] -> [N,H,W,C].
   */
  public Operand<TFloat32> selfAttention(String name, Operand<TFloat32> x) {
    long[] d = dims(x);
    checkArgument(d[1] % 2 == 0 && d[2] % 2 == 0 && d[3] >= 2 && d[3] % 2 == 0,
        "self-attention %s: needs even H, W and C, got %s", name, x.shape());
    Layers l = sub(name);
    Ops t = l.tf;
    int c = (int) d[3];
    int nh = Math.max(c / 8, 1);
    int positions = (int) (d[1] * d[2]);
    // queries [N, HW, nh]; keys [N, HW/4, nh]; values [N, HW/4, C/2]
    Operand<TFloat32> f = t.reshape(l.spectralConv("f", x, 1, nh, false), t.constant(new int[] {-1, positions, nh}));
    Operand<TFloat32> g = t.reshape(l.maxPool2x2("g_pool", l.spectralConv("g", x, 1, nh, false)),
        t.constant(new int[] {-1, positions / 4, nh}));
    Operand<TFloat32> h = t.reshape(l.maxPool2x2("h_pool", l.spectralConv("h", x, 1, c / 2, false)),
        t.constant(new int[] {-1, positions / 4, c / 2}));
    // [N, HW, HW/4]: softmax over the keys
    Operand<TFloat32> attention = t.nn.softmax(
        t.train.batchMatMul(f, g, TFloat32.class, org.tensorflow.op.train.BatchMatMul.adjY(true)));
    Operand<TFloat32> o = t.reshape(t.train.batchMatMul(attention, h, TFloat32.class),
        t.constant(new int[] {-1, (int) d[1], (int) d[2], c / 2})); // [N,H,W,C/2]
    o = l.spectralConv("o", o, 1, c, false); // [N,H,W,C]
    Variable<TFloat32> gamma = graph.variable(l.path, "gamma", new long[] {1}, Initializer.ZEROS,
        new Initializer.Fans(1, 1), true, mode);
    return t.math.add(x, t.math.mul(o, gamma));
  }

  /**
   * z-conditioned instance norm (ReDo's generators): {@link #instanceNorm} without affine, then
   * {@code * gamma(z) + beta(z)} per sample and channel, gamma and beta linear in z ({@link #dense} with
   * bias, no spectral norm; PyTorch's 1x1 convs on a [N, nz, 1, 1] code). gamma is used as is, not 1 + gamma.
   * [N,H,W,C] and z [N,nz] -> [N,H,W,C].
   */
  public Operand<TFloat32> conditionalInstanceNorm(String name, Operand<TFloat32> x, Operand<TFloat32> z) {
    int c = (int) dims(x)[3];
    Layers l = sub(name);
    Operand<TFloat32> y = l.instanceNorm("norm", x, false);
    Operand<TInt32> perChannel = l.tf.constant(new int[] {-1, 1, 1, c});
    Operand<TFloat32> gamma = l.tf.reshape(l.dense("gamma", z, c, true), perChannel);
    Operand<TFloat32> beta = l.tf.reshape(l.dense("beta", z, c, true), perChannel);
    return l.tf.math.add(l.tf.math.mul(y, gamma), beta);
  }

  /** Sum over H and W per sample and channel (ReDo's discriminator head). [N,H,W,C] -> [N,C]. */
  public Operand<TFloat32> sumPool(String name, Operand<TFloat32> x) {
    dims(x);
    Layers l = sub(name);
    return l.tf.sum(x, l.tf.constant(new int[] {1, 2}));
  }

  /**
   * Pyramid pooling as ReDo's mask network uses it (after PSPNet): for each bin count b, average
   * pooling with kernel = stride = floor(S / b) (VALID: a b x b grid for b = 1, 2, 3, 6 and S = 32,
   * kernels 32, 16, 10, 5), a 1x1 convolution C -> 1 with bias, bilinear resize back to S x S
   * (half-pixel centers = PyTorch's {@code align_corners=False}); the maps are concatenated after x.
   * x must be square with S >= max(bins). [N,S,S,C] -> [N,S,S,C+len(bins)].
   */
  public Operand<TFloat32> pyramidPooling(String name, Operand<TFloat32> x, int... bins) {
    long[] d = dims(x);
    checkArgument(d[1] == d[2], "pyramid pooling %s: needs a square input, got %s", name, x.shape());
    checkArgument(bins.length >= 1, "pyramid pooling %s: needs at least one bin count", name);
    Layers l = sub(name);
    int size = (int) d[1];
    List<Operand<TFloat32>> maps = new java.util.ArrayList<>();
    maps.add(x);
    for (int b : bins) {
      checkArgument(b >= 1 && b <= size, "pyramid pooling %s: bin count %s must be in 1..%s", name, b, size);
      int k = size / b;
      Operand<TFloat32> pooled = l.avgPool("pool" + b, x, k, k, Padding.VALID); // [N, g, g, C]
      Operand<TFloat32> score = l.conv("conv" + b, pooled, 1, 1, Padding.VALID, true); // [N, g, g, 1]
      Operand<TFloat32> up = l.sub("up" + b).tf.image.resizeBilinear(score, l.tf.constant(new int[] {size, size}),
          ResizeBilinear.halfPixelCenters(true)); // [N, S, S, 1]
      maps.add(l.pin(up, size, size, 1));
    }
    return l.concat("concat", maps);
  }
}
