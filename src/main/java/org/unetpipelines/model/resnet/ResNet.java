package org.unetpipelines.model.resnet;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.ConfiguredNet;
import org.unetpipelines.model.ClassifierNet;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.Padding;

/**
 * ResNet-(6n+2) for small images (He et al. 2016, section 4.2), as PyTorch's reference
 * reimplementations build it ({@code akamaster/pytorch_resnet_cifar10}):
 *
 * <pre>
 * stem     Conv3x3(C -> f, no bias) BN ReLU                                [N, H, W, f]
 * stage 1  n x BasicBlock(f)                                               [N, H, W, f]
 * stage 2  n x BasicBlock(2f), the first with stride 2                     [N, H/2, W/2, 2f]
 * stage 3  n x BasicBlock(4f), the first with stride 2                     [N, H/4, W/4, 4f]
 * head     global average pool, Dense(4f -> K, bias)                       [N, K]
 * BasicBlock(w, s): Conv3x3(s, no bias) BN ReLU Conv3x3(no bias) BN, + shortcut, ReLU
 * </pre>
 *
 * Option-A shortcut (no parameters): where the block changes the size, {@code x[:, ::2, ::2, :]}
 * with the new channels as zeros, half of them before and half after the old ones. Stride-2
 * convolutions pad one zero on every side, as PyTorch's {@code padding=1} does (TensorFlow's SAME
 * pads only bottom / right for even sizes); batch norm uses PyTorch's momentum 0.1 and epsilon 1e-5. ResNet-20 with f = 16: 269,722 parameters for 3 input
 * channels and 10 classes, 269,434 for 1.
 */
public final class ResNet extends ConfiguredNet<ResNetConfig> implements ClassifierNet {
  private ResNet(ResNetConfig config) {
    super(config);
  }

  public static ResNet of(ResNetConfig config) {
    return new ResNet(java.util.Objects.requireNonNull(config, "config"));
  }

  @Override
  public String variant() {
    return String.format(Locale.ROOT, "resnet%d-f%d-c%d-k%d", config.depth(), config.baseFilters(),
        config.inputChannels(), config.classes());
  }

  @Override
  public Map<String, Object> properties() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("depth", config.depth());
    m.put("blocksPerStage", config.blocksPerStage());
    m.put("baseFilters", config.baseFilters());
    m.put("shortcut", "A (strided identity, zero-padded channels)");
    return m;
  }

  /** Any size of at least 4x4 (two stride-2 stages; odd sizes round up, as PyTorch's). */
  @Override
  public void checkInputSize(int height, int width) {
    checkArgument(height >= 4 && width >= 4, "%s takes inputs of at least 4x4, got %sx%s", variant(), height, width);
  }

  @Override
  public Operand<TFloat32> logits(Layers l, Operand<TFloat32> images) {
    int f = config.baseFilters();
    // [N,H,W,C] -> [N,H,W,f]
    Operand<TFloat32> x = l.relu(bn(l, "bn1", l.conv("conv1", images, 3, f, Padding.SAME, false)));
    for (int s = 0; s < 3; s++) {
      Layers stage = l.sub("stage" + (s + 1));
      for (int b = 0; b < config.blocksPerStage(); b++) {
        // stages 2 and 3 halve the size in their first block: [N,H,W,w/2] -> [N,ceil(H/2),ceil(W/2),w]
        x = basicBlock(stage.sub("block" + (b + 1)), x, f << s, s > 0 && b == 0 ? 2 : 1);
      }
    }
    // [N,H/4,W/4,4f] -> [N,4f] -> [N,K]
    return l.dense("fc", l.globalAvgPool("pool", x), config.classes(), true);
  }

  /** Conv3x3(stride) BN ReLU Conv3x3 BN, plus the (option-A) shortcut, then ReLU. [N,H,W,C] -> [N,H/s,W/s,w]. */
  static Operand<TFloat32> basicBlock(Layers l, Operand<TFloat32> x, int w, int stride) {
    long cin = x.shape().get(3);
    Operand<TFloat32> h = stride == 1
        ? l.conv("conv1", x, 3, w, Padding.SAME, false)
        : l.conv("conv1", l.pad("pad", x, 1, Layers.PadMode.ZEROS), 3, w, stride, 1, Padding.VALID, false);
    h = l.relu(bn(l, "bn1", h));
    h = bn(l, "bn2", l.conv("conv2", h, 3, w, Padding.SAME, false));
    Operand<TFloat32> shortcut = stride == 1 && cin == w ? x : optionA(l.sub("shortcut"), x, w, stride);
    return l.relu(l.add("add", h, shortcut));
  }

  /**
   * The parameter-free shortcut: {@code x[:, ::s, ::s, :]}, channels zero-padded to {@code w}
   * ((w - C) / 2 before, the rest after). [N,H,W,C] -> [N,ceil(H/s),ceil(W/s),w].
   */
  static Operand<TFloat32> optionA(Layers l, Operand<TFloat32> x, int w, int stride) {
    long[] d = x.shape().asArray();
    checkArgument(w >= d[3], "option-A shortcut cannot shrink %s channels to %s", d[3], w);
    Ops tf = l.tf();
    Operand<TFloat32> y = x;
    if (stride > 1) {
      y = tf.stridedSlice(x, tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {0, 0, 0, 0}),
          tf.constant(new int[] {1, stride, stride, 1}), StridedSlice.beginMask(15L), StridedSlice.endMask(15L));
    }
    int lo = (int) ((w - d[3]) / 2);
    int hi = (int) (w - d[3] - lo);
    if (lo + hi > 0) {
      y = tf.pad(y, tf.constant(new int[][] {{0, 0}, {0, 0}, {0, 0}, {lo, hi}}), tf.constant(0f));
    }
    long h = (d[1] + stride - 1) / stride;
    long wd = (d[2] + stride - 1) / stride;
    return tf.reshape(y, tf.constant(new int[] {-1, (int) h, (int) wd, w}));
  }

  /** Batch norm with PyTorch's defaults (momentum 0.1, i.e. 0.9 of the old average kept; epsilon 1e-5), as the reference code. */
  private static Operand<TFloat32> bn(Layers l, String name, Operand<TFloat32> x) {
    return l.batchNorm(name, x, Layers.TORCH_BATCH_NORM_MOMENTUM, Layers.TORCH_BATCH_NORM_EPSILON);
  }
}
