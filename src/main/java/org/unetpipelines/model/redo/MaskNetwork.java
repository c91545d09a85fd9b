package org.unetpipelines.model.redo;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.Network;
import org.unetpipelines.model.Padding;

/**
 * ReDo's mask network F ({@code _netEncM}: {@code _downConv}, {@code _resBloc} x nRes, pyramid pooling,
 * {@code _upConv}; instance norm with affine, no spectral norm). Input {@code image} [N,S,S,C] in
 * [-1, 1]; output {@code masks} [N,S,S,K], soft masks in (0, 1) that sum to 1 over the K regions
 * (K = 2: {@code m = sigmoid(logit / T)}, masks {@code [m, 1 - m]}; K > 2: softmax), and {@code logits}.
 *
 * <p>At S = 128 the trunk runs at 32 x 32 after two stride-2 convolutions, as the original. At S = 64
 * the second down convolution has stride 1 and the first NN upsampling is left out (one resolution
 * step fewer), so the trunk and its pyramid pooling (kernels 32, 16, 10, 5) still see 32 x 32; S = 32
 * and 16 (tests) use stride 1 in both. The layers, and so the parameter count (274,966 at nf = 64,
 * three residual blocks, 3 channels, K = 2), are the same at every size.
 */
public final class MaskNetwork implements Network {
  public static final String SCOPE = "F";
  public static final String IMAGE = "image";
  public static final String MASKS = "masks";
  public static final String LOGITS = "logits";
  /** PSP grids of the original: 1x1, 2x2, 3x3, 6x6. */
  static final int[] PYRAMID_BINS = {1, 2, 3, 6};

  private final RedoConfig config;
  private final int size;
  private final int resolutionSteps;

  public MaskNetwork(RedoConfig config, int size) {
    RedoConfig.checkSize(size, size);
    this.config = config;
    this.size = size;
    this.resolutionSteps = size >= 128 ? 2 : size == 64 ? 1 : 0;
  }

  @Override
  public String scope() {
    return SCOPE;
  }

  /** Stride-2 steps down (and NN x2 steps up): 2 at 128, 1 at 64, 0 below. */
  public int resolutionSteps() {
    return resolutionSteps;
  }

  @Override
  public Map<String, Operand<TFloat32>> forward(Layers l, Map<String, Operand<TFloat32>> inputs) {
    Operand<TFloat32> x = inputs.get(IMAGE);
    checkArgument(x != null, "F needs input '%s'", IMAGE);
    int nf = config.maskFilters();
    Operand<TFloat32> f = down(l.sub("down"), x, nf); // [N, S/2^steps, S/2^steps, nf]
    for (int i = 1; i <= config.maskResBlocks(); i++) {
      f = residual(l.sub("res" + i), f, nf); // same shape
    }
    Operand<TFloat32> p = l.pyramidPooling("psp", f, PYRAMID_BINS); // [N, s, s, nf + 4]
    Operand<TFloat32> logits = up(l.sub("up"), p, nf + PYRAMID_BINS.length); // [N, S, S, K == 2 ? 1 : K]
    return Map.of(LOGITS, logits, MASKS, masks(l.tf().withSubScope("masks"), logits));
  }

  /**
   * ReflPad3, Conv7x7 C -> nf/4, then Conv3x3 nf/4 -> nf/2 and nf/2 -> nf (stride 2 for the first
   * {@link #resolutionSteps} of them, zero padding 1), each without bias, IN (affine), ReLU.
   * [N,S,S,C] -> [N,S/2^steps,S/2^steps,nf].
   */
  private Operand<TFloat32> down(Layers l, Operand<TFloat32> x, int nf) {
    Operand<TFloat32> y = l.pad("pad0", x, 3, Layers.PadMode.REFLECT); // [N, S+6, S+6, C]
    y = l.relu(l.instanceNorm("norm0", l.conv("conv0", y, 7, nf / 4, Padding.VALID, false), true)); // [N,S,S,nf/4]
    int[] widths = {nf / 2, nf};
    for (int i = 0; i < 2; i++) {
      int stride = i < resolutionSteps ? 2 : 1;
      y = l.pad("pad" + (i + 1), y, 1, Layers.PadMode.ZEROS);
      y = l.conv("conv" + (i + 1), y, 3, widths[i], stride, 1, Padding.VALID, false); // halves H, W when stride 2
      y = l.relu(l.instanceNorm("norm" + (i + 1), y, true));
    }
    return y;
  }

  /** {@code _resBloc}: y = Conv3x3(IN(ReLU(Conv3x3(x)))) (the second with bias); ReLU(IN(y + x)). Same shape. */
  private static Operand<TFloat32> residual(Layers l, Operand<TFloat32> x, int nf) {
    Operand<TFloat32> y = l.relu(l.instanceNorm("norm1", l.conv("conv1", x, 3, nf, Padding.SAME, false), true));
    y = l.conv("conv2", y, 3, nf, Padding.SAME, true);
    return l.relu(l.instanceNorm("norm2", l.add("sum", y, x), true));
  }

  /**
   * {@code _upConv} on nf + 4 channels: [NN x2] Conv3x3 -> (nf+4)/2, IN, ReLU, [NN x2] Conv3x3 -> (nf+4)/4,
   * IN, ReLU (no biases; the NN steps as in {@link #down}), ReflPad3, Conv7x7 -> K' with bias.
   * [N,s,s,nf+4] -> [N,S,S,K'] (K' = 1 for two regions, else K).
   */
  private Operand<TFloat32> up(Layers l, Operand<TFloat32> x, int width) {
    Operand<TFloat32> y = x;
    int[] widths = {width / 2, width / 4};
    for (int i = 0; i < 2; i++) {
      if (i >= 2 - resolutionSteps) { // the last resolutionSteps stages upsample (at 64: only the second)
        y = l.upsample2x("upsample" + (i + 1), y, false); // [N, 2s, 2s, c]
      }
      y = l.relu(l.instanceNorm("norm" + (i + 1), l.conv("conv" + (i + 1), y, 3, widths[i], Padding.SAME, false), true));
    }
    y = l.pad("pad3", y, 3, Layers.PadMode.REFLECT);
    int k = config.regions() == 2 ? 1 : config.regions();
    return l.conv("conv3", y, 7, k, Padding.VALID, true); // [N, S, S, K']
  }

  /** K = 2: [sigmoid(logit / T), 1 - sigmoid(logit / T)]; K > 2: softmax(logits / T). [N,S,S,K'] -> [N,S,S,K]. */
  private Operand<TFloat32> masks(Ops tf, Operand<TFloat32> logits) {
    Operand<TFloat32> scaled = tf.math.div(logits, tf.constant((float) config.temperature()));
    if (config.regions() > 2) {
      return tf.nn.softmax(scaled);
    }
    Operand<TFloat32> m = tf.math.sigmoid(scaled);
    return tf.concat(List.of(m, tf.math.sub(tf.constant(1f), m)), tf.constant(3));
  }

  public int size() {
    return size;
  }
}
