package org.unetpipelines.model.unetpp;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Blocks;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.Upsampling;

/**
 * The node kinds of the UNet++ figure (Zhou et al. 2018, Fig. 1), shared by UNet++, UNet+ and the
 * wide U-Net as the original code builds them ({@code MrGiovanni/Nested-UNet:model_logic.py}):
 * same padding everywhere, H = the "standard unit" ({@link Blocks#doubleConv} with dropout after
 * each ReLU), Up = 2x2 stride-2 transposed convolution with bias. Node X^{i,j} (depth i, position j
 * along the skip pathway) has graph name {@code x_i_j}.
 */
final class Nodes {
  /** Resolution levels X^{0,.} .. X^{4,.}: four 2x2 poolings. */
  static final int LEVELS = 5;
  /** The deepest level (and the number of poolings). */
  static final int DEPTH = LEVELS - 1;

  private Nodes() {}

  static String name(int i, int j) {
    return "x_" + i + "_" + j;
  }

  /**
   * A backbone node: X^{0,0} = H(input), X^{i,0} = H(MaxPool2x2(X^{i-1,0})).
   * [N,h,w,C] -> [N,h,w,f] (i = 0) or [N,h/2,w/2,f] (i >= 1).
   */
  static Operand<TFloat32> backbone(Layers l, int i, Operand<TFloat32> above, int filters, boolean batchNorm,
      float dropout) {
    Layers n = l.sub(name(i, 0));
    return i == 0
        ? Blocks.doubleConv(n, above, filters, Padding.SAME, batchNorm, dropout)
        : Blocks.down(n, above, filters, Padding.SAME, batchNorm, dropout);
  }

  /**
   * A skip-pathway node: X^{i,j} = H([Up(X^{i+1,j-1}), skips...]), the upsampled tensor first, as in
   * the code ({@code merge15 = [up1_5, conv1_1, conv1_2, conv1_3, conv1_4]}).
   * below [N,h,w,f_{i+1}], skips [N,2h,2w,f_i] each -> [N,2h,2w,filters].
   */
  static Operand<TFloat32> nested(Layers l, int i, int j, Operand<TFloat32> below, List<Operand<TFloat32>> skips,
      int filters, boolean batchNorm, float dropout) {
    Layers n = l.sub(name(i, j));
    // [N,h,w,f_{i+1}] -> [N,2h,2w,f_i]
    Operand<TFloat32> up = Blocks.upsample(n, below, filters, Upsampling.TRANSPOSE);
    List<Operand<TFloat32>> parts = new ArrayList<>();
    parts.add(up);
    parts.addAll(skips);
    // -> [N,2h,2w,f_i + sum of the skips' channels]
    Operand<TFloat32> merged = n.sub("concat").tf().concat(parts, n.tf().constant(3));
    // -> [N,2h,2w,f_i]
    return Blocks.doubleConv(n, merged, filters, Padding.SAME, batchNorm, dropout);
  }

  /** A 1x1 convolution with bias to {@code classes} logits. [N,H,W,f_0] -> [N,H,W,classes]. */
  static Operand<TFloat32> head(Layers l, String name, Operand<TFloat32> x, int classes) {
    return l.conv(name, x, 1, classes, Padding.SAME, true);
  }

  /**
   * {@code {height, width}}: same padding keeps the size, which must be a multiple of 2^poolings.
   *
   * @throws IllegalArgumentException naming the nearest valid sizes otherwise
   */
  static int[] outputSize(String net, int poolings, int height, int width) {
    return new int[] {checkedSide(net, poolings, "height", height), checkedSide(net, poolings, "width", width)};
  }

  private static int checkedSide(String net, int poolings, String what, int side) {
    int m = 1 << poolings;
    if (side > 0 && side % m == 0) {
      return side;
    }
    List<Integer> nearest = new ArrayList<>();
    int below = side <= 0 ? 0 : (side - 1) / m * m;
    if (below > 0) {
      nearest.add(below);
    }
    nearest.add(side <= 0 ? m : (side / m + 1) * m);
    throw new IllegalArgumentException(String.format(Locale.ROOT,
        "input %s %d does not fit %s (same padding, %d poolings: the size must be a multiple of 2^%d = %d);"
            + " nearest valid sizes: %s", what, side, net, poolings, poolings, m, nearest));
  }

  /** Checks a filters-per-level list: {@link #LEVELS} entries, each 1..2048. */
  static List<Integer> checkedFilters(List<Integer> filters) {
    checkArgument(filters != null && filters.size() == LEVELS,
        "filters must list %s levels (X^{0,j} .. X^{4,j}), e.g. [32, 64, 128, 256, 512], got %s", LEVELS, filters);
    for (Integer f : filters) {
      checkArgument(f != null && f >= 1 && f <= 2048, "filters must be 1..2048 per level, got %s", filters);
    }
    return List.copyOf(filters);
  }

  /** {@code 32-64-128-256-512}. */
  static String join(List<Integer> filters) {
    StringBuilder b = new StringBuilder();
    for (Integer f : filters) {
      b.append(b.length() == 0 ? "" : "-").append(f);
    }
    return b.toString();
  }
}
