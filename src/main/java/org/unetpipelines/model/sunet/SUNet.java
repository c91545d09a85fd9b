package org.unetpipelines.model.sunet;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.ConfiguredNet;
import org.unetpipelines.model.ClassifierNet;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.Padding;

/**
 * The Stacked U-Nets classifier ({@code shahsohil/sunets:ptsemseg/models/sunet.py},
 * {@code Stackedunet_imagenet}), every convolution with a bias, batch norm and ReLU before every
 * convolution (pre-activation):
 *
 * <pre>
 * stem        Conv7x7 stride 2 (C -> 64), no norm after it                   [N, H/2, W/2, 64]
 * residual1   BN ReLU -> [Conv3x3 s2 (64 -> 128), BN ReLU, Conv3x3]
 *             + Conv1x1 s2 shortcut of the pre-activated input               [N, H/4, W/4, 128]
 * block j     modules x {@link #module U-Net module}(N, M_j), then a transition: 2x2 average pool,
 *             or a 1x1 stride-1 pool (identity) where the net is dilated / for u2
 * head        BN ReLU, global average pool (the paper's AvgPool 7 on its 7x7 map), Dense(M -> K)
 * </pre>
 *
 * Stride-2 convolutions pad one zero on every side (PyTorch's {@code padding=1}; the 7x7 stem pads 3),
 * average pools are VALID (PyTorch's floor mode), batch norm uses PyTorch's momentum 0.1 and epsilon 1e-5. Parameter counts (BN gamma/beta counted, moving
 * averages not), 224x224x3 input and 1000 classes: SUNet-64 6,910,248; SUNet-128 24,704,360;
 * SUNet-7-128 39,113,832. For 1 channel and 10 classes: SUNet-64-u1 995,338, SUNet-64-u2 1,914,506
 * (3 channels: 1,001,610 and 1,920,778); at 32x32 both run their modules on 8x8 maps.
 *
 * <p>Dilated mode (output stride 16 / 8): block j's atrous factor is (j - os_idx) * 2; a module level
 * i whose dilation d = 2^i * atrous exceeds 1 runs at stride 1: encoder Conv3x3 dilated d and 2d,
 * decoder "transposed" Conv3x3 dilated 2d then Conv3x3 dilated d. A stride-1 transposed convolution
 * with padding = dilation is a dilated convolution with the kernel flipped, so it is built as one (the
 * same function class and parameter count). Pools after the dilated blocks are 1x1 (identity).
 */
public final class SUNet extends ConfiguredNet<SUNetConfig> implements ClassifierNet {
  private SUNet(SUNetConfig config) {
    super(config);
  }

  public static SUNet of(SUNetConfig config) {
    return new SUNet(java.util.Objects.requireNonNull(config, "config"));
  }

  @Override
  public String variant() {
    return String.format(Locale.ROOT, "%s-os%d-c%d-k%d", config.variant().yaml(), config.outputStride(),
        config.inputChannels(), config.classes());
  }

  @Override
  public Map<String, Object> properties() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sunetVariant", config.variant().yaml());
    m.put("filters", config.variant().filters());
    List<Integer> modules = new ArrayList<>();
    List<Integer> widths = new ArrayList<>();
    for (SUNetConfig.Block b : config.variant().blocks()) {
      modules.add(b.modules());
      widths.add(b.width());
    }
    m.put("modulesPerBlock", modules);
    m.put("blockWidths", widths);
    m.put("outputStride", config.outputStride());
    return m;
  }

  // ---- sizes ----

  /** Side after a k x k, stride-2 convolution padded (k-1)/2 on each side: floor((s - 1) / 2) + 1. */
  private static int halved(int s) {
    return (s - 1) / 2 + 1;
  }

  /**
   * Why a {@code side}-pixel input does not fit (null when it does): every stride-2 convolution of a
   * module needs at least 2 pixels, every 2x2 pool too.
   */
  private String problem(int side) {
    int s = halved(halved(side)); // stem, residual block
    List<SUNetConfig.Block> blocks = config.variant().blocks();
    for (int j = 0; j < blocks.size(); j++) {
      int e = s;
      for (int i = 0; i < blocks.get(j).levels(); i++) {
        if ((1 << i) * config.atrous(j) > 1) {
          continue; // dilated level: stride 1
        }
        if (e < 2) {
          return String.format(Locale.ROOT, "block %d works on %dx%d maps, too small for its %d encoder level(s)",
              j + 1, s, s, blocks.get(j).levels());
        }
        e = halved(e);
      }
      if (j < blocks.size() - 1 && config.poolsAfter(j)) {
        if (s < 2) {
          return String.format(Locale.ROOT, "the pool after block %d gets a %dx%d map", j + 1, s, s);
        }
        s /= 2;
      }
    }
    return null;
  }

  /** The side of the maps block j (0-based) works on, for a {@code side}-pixel input. */
  public int blockSide(int side, int block) {
    int s = halved(halved(side));
    for (int j = 0; j < block; j++) {
      s = config.poolsAfter(j) ? s / 2 : s;
    }
    return s;
  }

  @Override
  public void checkInputSize(int height, int width) {
    for (int side : new int[] {height, width}) {
      String why = problem(side);
      if (why != null) {
        int min = side;
        while (min < 1 << 16 && problem(min) != null) {
          min++;
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "%s takes inputs of at least %dx%d (%s for a side of %d)%s; got %dx%d", variant(), min, min, why,
            side, config.variant().imagenet() ? "; for small images use variant u1 or u2 (32x32)" : "", height,
            width));
      }
    }
  }

  // ---- the network ----

  @Override
  public Operand<TFloat32> logits(Layers l, Operand<TFloat32> images) {
    int stem = SUNetConfig.STEM_FILTERS;
    int n = config.variant().filters();
    // [N,H,W,C] -> [N,H/2,W/2,64]
    Operand<TFloat32> x = l.conv("conv1", l.pad("pad1", images, 3, Layers.PadMode.ZEROS), 7, stem, 2, 1,
        Padding.VALID, true);
    // [N,H/2,W/2,64] -> [N,H/4,W/4,128]
    x = residual(l.sub("residual1"), x, 2 * stem);
    List<SUNetConfig.Block> blocks = config.variant().blocks();
    for (int j = 0; j < blocks.size(); j++) {
      SUNetConfig.Block b = blocks.get(j);
      for (int i = 0; i < b.modules(); i++) {
        // [N,S,S,C] -> [N,S,S,M_j]
        x = module(l.sub("unet" + (j + 1) + "_" + i), x, n, b.width(), b.levels(), config.atrous(j));
      }
      if (j < blocks.size() - 1) {
        // [N,S,S,M] -> [N,S/2,S/2,M] (or kept, 1x1 stride 1)
        int k = config.poolsAfter(j) ? 2 : 1;
        x = l.avgPool("avgpool" + (j + 1), x, k, k, Padding.VALID);
      }
    }
    // [N,S,S,M] -> [N,M] -> [N,K]
    x = l.relu(bn(l, "bn2", x));
    return l.dense("linear", l.globalAvgPool("pool", x), config.classes(), true);
  }

  /**
   * Pre-activation residual block with a stride-2 projection shortcut ({@code ResidualBlock}):
   * y = ReLU(BN(x)); [Conv3x3 s2, BN, ReLU, Conv3x3](y) + Conv1x1 s2(y). [N,H,W,C] -> [N,H/2,W/2,filters].
   */
  static Operand<TFloat32> residual(Layers l, Operand<TFloat32> x, int filters) {
    Operand<TFloat32> y = l.relu(bn(l, "bn", x));
    Operand<TFloat32> h = l.conv("conv1", l.pad("pad", y, 1, Layers.PadMode.ZEROS), 3, filters, 2, 1, Padding.VALID, true);
    h = l.conv("conv2", l.relu(bn(l, "bn2", h)), 3, filters, Padding.SAME, true);
    return l.add("add", h, l.conv("shortcut", y, 1, filters, 2, 1, Padding.VALID, true));
  }

  /**
   * The U-Net module ({@code UNetModule}, MODELS.md 2.1) with {@code levels} encoder levels (2; the
   * ImageNet nets' last block 1). BN-ReLU before every convolution:
   *
   * <pre>
   * pre   if C != M: x <- ReLU(BN(x)) (this x also feeds the projection)           [N,H,W,C]
   * in    [BN-ReLU if C == M] Conv1x1 C -> N                                        [N,H,W,N]
   * E_i   Conv3x3 stride 2, Conv3x3                                                 [N,H/2^i,..,N]
   * D_i   ConvT3x3 stride 2 to E_(i-1)'s actual size, Conv3x3 (D_2 then concat [D_2, E_1] -> 2N)
   * out   Conv1x1 N -> M after D_1                                                  [N,H,W,M]
   * res   out + (x if C == M, else Conv1x1 C -> M of the pre-activated x)
   * </pre>
   *
   * With {@code atrous} > 0 (dilated mode) level i with d = 2^i * atrous > 1 keeps the resolution:
   * E: Conv3x3 dilated d, Conv3x3 dilated 2d; D: Conv3x3 dilated 2d (the stride-1 "transposed" conv),
   * Conv3x3 dilated d. [N,H,W,C] -> [N,H,W,M].
   */
  public static Operand<TFloat32> module(Layers l, Operand<TFloat32> x, int n, int m, int levels, int atrous) {
    checkArgument(levels >= 1, "a U-Net module needs >= 1 encoder level, got %s", levels);
    long cin = x.shape().get(3);
    boolean project = cin != m;
    Operand<TFloat32> pre = project ? l.relu(bn(l, "bn", x)) : x;
    List<Operand<TFloat32>> xs = new ArrayList<>();
    xs.add(pre);
    Operand<TFloat32> h = pre;
    for (int i = 0; i < levels; i++) {
      Layers d = l.sub("down" + i);
      int dil = (1 << i) * atrous;
      boolean dilated = dil > 1;
      if (i == 0) {
        if (!project) {
          h = d.relu(bn(d, "bn0", h));
        }
        h = d.conv("conv0", h, 1, n, Padding.SAME, true); // [N,H,W,C] -> [N,H,W,N]
      }
      h = d.relu(bn(d, "bn1", h));
      h = dilated
          ? d.conv("conv1", h, 3, n, 1, dil, Padding.SAME, true)
          : d.conv("conv1", d.pad("pad1", h, 1, Layers.PadMode.ZEROS), 3, n, 2, 1, Padding.VALID, true); // -> ceil(S/2)
      h = d.relu(bn(d, "bn2", h));
      h = d.conv("conv2", h, 3, n, 1, dilated ? 2 * dil : 1, Padding.SAME, true);
      xs.add(h);
    }
    Operand<TFloat32> out = xs.get(levels);
    for (int i = levels - 1; i >= 0; i--) {
      Layers u = l.sub("up" + i);
      int dil = (1 << i) * atrous;
      boolean dilated = dil > 1;
      long[] target = xs.get(i).shape().asArray(); // the skip's actual size, never a constant
      out = u.relu(bn(u, "bn0", out));
      out = dilated
          ? u.conv("deconv0", out, 3, n, 1, 2 * dil, Padding.SAME, true)
          : u.transposedConv("deconv0", out, 3, 2, 1, n, target[1], target[2]);
      out = u.relu(bn(u, "bn1", out));
      out = u.conv("deconv1", out, 3, n, 1, dilated ? dil : 1, Padding.SAME, true);
      if (i > 0) {
        out = l.concat("cat" + i, List.of(out, xs.get(i))); // [D_(i+1), E_i] -> 2N channels
      } else {
        out = u.relu(bn(u, "bn2", out));
        out = u.conv("conv2", out, 1, m, Padding.SAME, true); // [N,H,W,N] -> [N,H,W,M]
        Operand<TFloat32> skip = project ? l.conv("upsample", pre, 1, m, Padding.SAME, true) : x;
        out = l.add("residual", out, skip);
      }
    }
    return out;
  }

  /** Batch norm with PyTorch's defaults (momentum 0.1, i.e. 0.9 of the old average kept; epsilon 1e-5), as the reference code. */
  private static Operand<TFloat32> bn(Layers l, String name, Operand<TFloat32> x) {
    return l.batchNorm(name, x, Layers.TORCH_BATCH_NORM_MOMENTUM, Layers.TORCH_BATCH_NORM_EPSILON);
  }
}
