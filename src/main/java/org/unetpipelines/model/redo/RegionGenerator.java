package org.unetpipelines.model.redo;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.Network;
import org.unetpipelines.model.Padding;

/**
 * One region generator G_k ({@code _resMaskedGenerator128}; one separate network per region, scope
 * {@code G<k>}). Inputs {@code mask} [N,S,S,1] (the soft mask m_k) and {@code z} [N,nz]; output
 * {@code region} [N,S,S,C] = tanh(...) * m_k, exactly 0 where m_k is 0.
 *
 * <p>Dense(nz -> 4*4*w0) (no spectral norm), then up-blocks from 4x4 to S x S: the original's five
 * at 128 with widths (16nf -> 16nf), (16nf -> 8nf), (8nf -> 4nf), (4nf -> 2nf), (2nf -> nf); at 64 the
 * first block is left out (four blocks, the dense gives 4x4x16nf), at 32 and 16 the first two / three.
 * Self-attention (optional) runs before the last block (at S/2, 2nf channels). Every norm is
 * z-conditioned instance norm; every convolution spectrally normalized.
 */
public final class RegionGenerator implements Network {
  public static final String MASK = "mask";
  public static final String Z = "z";
  public static final String REGION = "region";
  /** The original's widths at 128, in units of nf: block k maps WIDTHS[k] -> WIDTHS[k + 1]. */
  private static final int[] WIDTHS = {16, 16, 8, 4, 2, 1};

  private final RedoConfig config;
  private final int size;
  private final int index;
  private final int blocks;

  /** @param index the region, 0-based (scope {@code G<index + 1>}) */
  public RegionGenerator(RedoConfig config, int size, int index) {
    RedoConfig.checkSize(size, size);
    checkArgument(index >= 0 && index < config.regions(), "region %s is not in 0..%s", index, config.regions() - 1);
    this.config = config;
    this.size = size;
    this.index = index;
    this.blocks = Integer.numberOfTrailingZeros(size / 4); // 128 -> 5, 64 -> 4, 32 -> 3, 16 -> 2
  }

  @Override
  public String scope() {
    return "G" + (index + 1);
  }

  public int blocks() {
    return blocks;
  }

  @Override
  public Map<String, Operand<TFloat32>> forward(Layers l, Map<String, Operand<TFloat32>> inputs) {
    Operand<TFloat32> m = inputs.get(MASK);
    Operand<TFloat32> z = inputs.get(Z);
    checkArgument(m != null && z != null, "G_k needs inputs '%s' and '%s'", MASK, Z);
    int nf = config.generatorFilters();
    int first = WIDTHS.length - 1 - blocks; // index of the first block kept
    int w0 = WIDTHS[first] * nf;
    // [N, nz] -> [N, 4*4*w0] -> [N, 4, 4, w0]
    Operand<TFloat32> x = l.tf().reshape(l.dense("dense", z, 4 * 4 * w0, true), l.tf().constant(new int[] {-1, 4, 4, w0}));
    int resolution = 4;
    for (int b = 0; b < blocks; b++) {
      if (b == blocks - 1 && config.generatorAttention()) {
        x = l.selfAttention("attention", x); // [N, S/2, S/2, 2nf]
      }
      int out = WIDTHS[first + b + 1] * nf;
      x = upBlock(l.sub("block" + b), x, m, z, out, resolution); // [N, 2r, 2r, out]
      resolution *= 2;
    }
    return Map.of(REGION, output(l.sub("out"), x, m, z));
  }

  /**
   * One residual up-block at resolution r: h = ReLU(CIN_A(x)); h = [h, AvgPool(m, S/r)] (the soft mask
   * at the block's resolution); h = SN-Conv3x3(NN x2 (h)) (no bias); h = SN-Conv3x3(ReLU(CIN_B(h))) (bias);
   * out = h + SN-Conv1x1(NN x2 (x)) (bias). [N,r,r,c] -> [N,2r,2r,out].
   */
  private Operand<TFloat32> upBlock(Layers l, Operand<TFloat32> x, Operand<TFloat32> m, Operand<TFloat32> z, int out,
      int resolution) {
    int k = size / resolution;
    Operand<TFloat32> h = l.relu(l.conditionalInstanceNorm("normA", x, z));
    Operand<TFloat32> pooled = k == 1 ? m : l.avgPool("mask_pool", m, k, k, Padding.VALID); // [N, r, r, 1]
    h = l.concat("with_mask", List.of(h, pooled)); // [N, r, r, c + 1]
    h = l.spectralConv("convA", l.upsample2x("upA", h, false), 3, out, false); // [N, 2r, 2r, out]
    h = l.spectralConv("convB", l.relu(l.conditionalInstanceNorm("normB", h, z)), 3, out, true);
    Operand<TFloat32> shortcut = l.spectralConv("shortcut", l.upsample2x("upS", x, false), 1, out, true);
    return l.add("sum", h, shortcut);
  }

  /** SN-Conv3x3([ReLU(CIN(x)), m] -> C) with bias, tanh, times m. [N,S,S,nf] -> [N,S,S,C]. */
  private Operand<TFloat32> output(Layers l, Operand<TFloat32> x, Operand<TFloat32> m, Operand<TFloat32> z) {
    Operand<TFloat32> h = l.concat("with_mask", List.of(l.relu(l.conditionalInstanceNorm("norm", x, z)), m));
    Operand<TFloat32> y = l.tanh(l.spectralConv("conv", h, 3, config.channels(), true));
    return l.tf().math.mul(y, m); // exactly 0 where m = 0
  }
}
