package org.unetpipelines.model.unetpp;

import static org.unetpipelines.model.unetpp.UNetPlusPlusConfig.DEPTH;
import static org.unetpipelines.model.unetpp.UNetPlusPlusConfig.LEVELS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Blocks;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.ConfiguredNet;
import org.unetpipelines.model.SegmentationNet;
import org.unetpipelines.model.Upsampling;

/**
 * UNet++ (Zhou et al. 2018) and UNet+ as the original code builds them
 * ({@code MrGiovanni/Nested-UNet:model_logic.py}, MODELS.md §1):
 *
 * <pre>
 *   X^{0,0} = H(input)                     X^{i,0} = H(MaxPool(X^{i-1,0}))
 *   X^{i,j} = H([Up(X^{i+1,j-1}), X^{i,0}, ..., X^{i,j-1}])     (UNet++, dense skips)
 *   X^{i,j} = H([Up(X^{i+1,j-1}), X^{i,j-1}])                   (UNet+, neighbour skips)
 * </pre>
 *
 * with H the "standard unit" (conv3x3-ReLU-dropout twice, same padding: {@link Blocks#doubleConv}
 * with dropout) and Up a 2x2 stride-2 transposed convolution with bias. Node X^{i,j} (depth i,
 * position j along the skip pathway) has graph name {@code x_i_j}. Nodes are built anti-diagonal by
 * anti-diagonal, as the figure is read: X^{k,0}, then X^{k-1,1}, ..., X^{0,k} for k = 1..4, so the
 * network pruned to L_d is the first d anti-diagonals and the head on X^{0,d}.
 *
 * <p>Heads (1x1 convolutions with bias, graph names {@code L1..L4}): with deep supervision the four
 * heads {@code L1..L4} on X^{0,1..4}. A single-head network (no deep supervision: the head L4 on
 * X^{0,4}; pruned to L_d: the head L_d on X^{0,d}) names its one output
 * {@link SegmentationNet#LOGITS} ({@code logits}) like every single-head segmentation network, so
 * consumers of single-head networks need no case for it; which node it reads is in
 * {@link #properties()} ({@code head}). Its variables are those of the deeply supervised network's
 * head of that name ({@code <scope>/L<d>/kernel}), so a pruned network reuses a full network's
 * trained weights.
 */
public final class UNetPlusPlus extends ConfiguredNet<UNetPlusPlusConfig> implements SegmentationNet {
  private UNetPlusPlus(UNetPlusPlusConfig config) {
    super(config);
  }

  public static UNetPlusPlus of(UNetPlusPlusConfig config) {
    return new UNetPlusPlus(Objects.requireNonNull(config, "config"));
  }

  @Override
  public String variant() {
    UNetPlusPlusConfig c = config;
    StringBuilder f = new StringBuilder();
    for (Integer n : c.filters()) {
      f.append(f.length() == 0 ? "" : "-").append(n);
    }
    return String.format(Locale.ROOT, "f%s%s%s%s%s-k%d", f, c.batchNorm() ? "-bn" : "",
        c.dropout() > 0 ? "-drop" + c.dropout() : "", c.deepSupervision() ? "-ds" : "",
        c.prune() > 0 ? "-L" + c.prune() : "", c.classes());
  }

  @Override
  public Map<String, Object> properties() {
    UNetPlusPlusConfig c = config;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("filters", c.filters());
    m.put("padding", "same");
    m.put("upsampling", "transpose");
    m.put("batchNorm", c.batchNorm());
    m.put("dropout", c.dropout());
    m.put("skips", UNetPlusPlusConfig.yaml(c.skips()));
    m.put("deepSupervision", c.deepSupervision());
    m.put("prune", c.prune());
    if (c.singleHead()) { // the node the only head reads (the task records heads, served head, head loss)
      m.put("head", "L" + c.builtDepth());
    }
    return m;
  }

  /**
   * Same padding keeps the size, which must be a multiple of 2^d (d = 4, or the pruned depth).
   *
   * @throws IllegalArgumentException naming the nearest valid sizes otherwise
   */
  @Override
  public int[] outputSize(int height, int width) {
    return new int[] {checkedSide("height", height), checkedSide("width", width)};
  }

  private int checkedSide(String what, int side) {
    int d = config.builtDepth();
    int m = 1 << d;
    if (side > 0 && side % m == 0) {
      return side;
    }
    List<Integer> nearest = new ArrayList<>();
    if (side > m) {
      nearest.add((side - 1) / m * m);
    }
    nearest.add(side <= 0 ? m : (side / m + 1) * m);
    String net = config.prune() > 0 ? family() + " pruned to L" + config.prune() : family();
    throw new IllegalArgumentException(String.format(Locale.ROOT,
        "input %s %d does not fit %s (same padding, %d poolings: the size must be a multiple of 2^%d = %d);"
            + " nearest valid sizes: %s", what, side, net, d, d, m, nearest));
  }

  @Override
  public List<String> headNames() {
    if (config.singleHead()) {
      return List.of(LOGITS);
    }
    List<String> names = new ArrayList<>();
    for (int j = 1; j <= DEPTH; j++) {
      names.add("L" + j);
    }
    return List.copyOf(names);
  }

  @Override
  public String inferenceHead() {
    return config.singleHead() ? null : config.inferenceHead().label();
  }

  @Override
  public String headLoss() {
    return UNetPlusPlusConfig.yaml(config.headLoss());
  }

  @Override
  public Operand<TFloat32> logits(Layers layers, Operand<TFloat32> images) {
    if (!config.singleHead()) {
      throw new UnsupportedOperationException(family() + " with deep supervision has the heads " + headNames()
          + "; use heads()");
    }
    return heads(layers, images).get(LOGITS);
  }

  @Override
  public Map<String, Operand<TFloat32>> heads(Layers l, Operand<TFloat32> images) {
    int depth = config.builtDepth();
    @SuppressWarnings("unchecked")
    Operand<TFloat32>[][] x = new Operand[LEVELS][LEVELS];
    // [N,H,W,C] -> [N,H,W,f_0]
    x[0][0] = backboneNode(l, 0, images);
    for (int k = 1; k <= depth; k++) {
      // [N,H/2^(k-1),W/2^(k-1),f_{k-1}] -> [N,H/2^k,W/2^k,f_k]
      x[k][0] = backboneNode(l, k, x[k - 1][0]);
      for (int j = 1; j <= k; j++) {
        // X^{i,j} on anti-diagonal i + j = k: [N,H/2^i,W/2^i,f_i]
        x[k - j][j] = skipNode(l, k - j, j, x);
      }
    }
    Map<String, Operand<TFloat32>> heads = new LinkedHashMap<>();
    if (config.singleHead()) {
      heads.put(LOGITS, head(l, depth, x[0][depth]));
    } else {
      for (int j = 1; j <= DEPTH; j++) {
        heads.put("L" + j, head(l, j, x[0][j]));
      }
    }
    return heads;
  }

  private static String nodeName(int i, int j) {
    return "x_" + i + "_" + j;
  }

  /**
   * A backbone node: X^{0,0} = H(input), X^{i,0} = H(MaxPool2x2(X^{i-1,0})).
   * [N,h,w,C] -> [N,h,w,f_0] (i = 0) or [N,h,w,f_{i-1}] -> [N,h/2,w/2,f_i].
   */
  private Operand<TFloat32> backboneNode(Layers l, int i, Operand<TFloat32> above) {
    Layers n = l.sub(nodeName(i, 0));
    int f = config.filters().get(i);
    return i == 0
        ? Blocks.doubleConv(n, above, f, Padding.SAME, config.batchNorm(), config.dropout())
        : Blocks.down(n, above, f, Padding.SAME, config.batchNorm(), config.dropout());
  }

  /**
   * A skip-pathway node, j >= 1: X^{i,j} = H([Up(X^{i+1,j-1}), skips]), the upsampled tensor first as
   * in the code ({@code merge15 = [up1_5, conv1_1, conv1_2, conv1_3, conv1_4]}); skips = X^{i,0..j-1}
   * (dense) or X^{i,j-1} (neighbour).
   */
  private Operand<TFloat32> skipNode(Layers l, int i, int j, Operand<TFloat32>[][] x) {
    Layers n = l.sub(nodeName(i, j));
    int f = config.filters().get(i);
    List<Operand<TFloat32>> parts = new ArrayList<>();
    // Up: [N,h,w,f_{i+1}] -> [N,2h,2w,f_i]
    parts.add(Blocks.upsample(n, x[i + 1][j - 1], f, Upsampling.TRANSPOSE));
    if (config.skips() == UNetPlusPlusConfig.Skips.DENSE) {
      for (int k = 0; k < j; k++) {
        parts.add(x[i][k]);
      }
    } else {
      parts.add(x[i][j - 1]);
    }
    // concat: -> [N,2h,2w,f_i * (1 + skips)]
    Operand<TFloat32> merged = n.concat("concat", parts);
    // H: -> [N,2h,2w,f_i]
    return Blocks.doubleConv(n, merged, f, Padding.SAME, config.batchNorm(), config.dropout());
  }

  /** Head L_d: 1x1 convolution with bias on X^{0,d}. [N,H,W,f_0] -> [N,H,W,classes]. */
  private Operand<TFloat32> head(Layers l, int d, Operand<TFloat32> x0d) {
    return l.conv("L" + d, x0d, 1, config.classes(), Padding.SAME, true);
  }
}
