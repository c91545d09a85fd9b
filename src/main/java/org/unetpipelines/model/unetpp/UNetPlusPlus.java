package org.unetpipelines.model.unetpp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.SegmentationNet;

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
 * with H the standard unit (conv3x3-ReLU-dropout twice, same padding) and Up a 2x2 stride-2
 * transposed convolution. Nodes are built anti-diagonal by anti-diagonal, as the figure is read:
 * X^{k,0}, then X^{k-1,1}, ..., X^{0,k} for k = 1..4, so the network pruned to L_d is the first d
 * anti-diagonals and the head on X^{0,d}.
 *
 * <p>Heads (1x1 convolutions, graph names {@code L1..L4}): with deep supervision the four heads
 * {@code L1..L4} on X^{0,1..4}. A single-head network (no deep supervision: the head L4 on X^{0,4};
 * pruned to L_d: the head L_d on X^{0,d}) names its one output {@link SegmentationNet#LOGITS}
 * {@code logits} like every single-head segmentation network, so that consumers of single-head
 * networks (the U-Net's) need no case for it; which node it reads is in {@link #properties()}
 * ({@code head}), and its variables are those of the deeply supervised network's head of that name
 * ({@code <scope>/L<d>/kernel}), so a pruned network reuses a full network's trained weights.
 */
public final class UNetPlusPlus implements SegmentationNet {
  private final UNetPlusPlusConfig config;

  private UNetPlusPlus(UNetPlusPlusConfig config) {
    this.config = config;
  }

  public static UNetPlusPlus of(UNetPlusPlusConfig config) {
    return new UNetPlusPlus(Objects.requireNonNull(config, "config"));
  }

  public UNetPlusPlusConfig config() {
    return config;
  }

  @Override
  public String family() {
    return config.family();
  }

  @Override
  public String variant() {
    UNetPlusPlusConfig c = config;
    return String.format(Locale.ROOT, "f%s%s%s%s%s-k%d", Nodes.join(c.filters()), c.batchNorm() ? "-bn" : "",
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

  @Override
  public int classes() {
    return config.classes();
  }

  @Override
  public int inputChannels() {
    return config.inputChannels();
  }

  /** Same padding: sides must be multiples of 2^d, d = 4 (full network) or the pruned depth. */
  @Override
  public int[] outputSize(int height, int width) {
    String name = config.prune() > 0 ? family() + " pruned to L" + config.prune() : family();
    return Nodes.outputSize(name, config.builtDepth(), height, width);
  }

  @Override
  public List<String> headNames() {
    if (config.singleHead()) {
      return List.of(LOGITS);
    }
    List<String> names = new ArrayList<>();
    for (int j = 1; j <= Nodes.DEPTH; j++) {
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
    Operand<TFloat32>[][] x = new Operand[Nodes.LEVELS][Nodes.LEVELS];
    // [N,H,W,C] -> [N,H,W,f_0]
    x[0][0] = backbone(l, 0, images);
    for (int k = 1; k <= depth; k++) {
      // [N,H/2^(k-1),W/2^(k-1),f_{k-1}] -> [N,H/2^k,W/2^k,f_k]
      x[k][0] = backbone(l, k, x[k - 1][0]);
      for (int j = 1; j <= k; j++) {
        // X^{i,j} on anti-diagonal i + j = k: [N,H/2^i,W/2^i,f_i]
        x[k - j][j] = skipNode(l, k - j, j, x);
      }
    }
    Map<String, Operand<TFloat32>> heads = new LinkedHashMap<>();
    if (config.singleHead()) {
      heads.put(LOGITS, head(l, depth, x[0][depth]));
    } else {
      for (int j = 1; j <= Nodes.DEPTH; j++) {
        heads.put("L" + j, head(l, j, x[0][j]));
      }
    }
    return heads;
  }

  /** X^{0,0} = H(input), X^{i,0} = H(MaxPool2x2(X^{i-1,0})). */
  private Operand<TFloat32> backbone(Layers l, int i, Operand<TFloat32> above) {
    return Nodes.backbone(l, i, above, config.filters().get(i), config.batchNorm(), config.dropout());
  }

  /**
   * X^{i,j}, j >= 1: H([Up(X^{i+1,j-1}), skips]), skips = X^{i,0..j-1} (dense) or X^{i,j-1} (neighbour).
   * [N,h/2,w/2,f_{i+1}] + skips [N,h,w,f_i] -> [N,h,w,f_i].
   */
  private Operand<TFloat32> skipNode(Layers l, int i, int j, Operand<TFloat32>[][] x) {
    List<Operand<TFloat32>> skips = new ArrayList<>();
    if (config.skips() == UNetPlusPlusConfig.Skips.DENSE) {
      for (int k = 0; k < j; k++) {
        skips.add(x[i][k]);
      }
    } else {
      skips.add(x[i][j - 1]);
    }
    return Nodes.nested(l, i, j, x[i + 1][j - 1], skips, config.filters().get(i), config.batchNorm(),
        config.dropout());
  }

  /** Head L_d: 1x1 convolution on X^{0,d}. [N,H,W,f_0] -> [N,H,W,classes]. */
  private Operand<TFloat32> head(Layers l, int d, Operand<TFloat32> x0d) {
    return Nodes.head(l, "L" + d, x0d, config.classes());
  }
}
