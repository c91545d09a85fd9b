package org.unetpipelines.model.redo;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.Network;
import org.unetpipelines.model.Padding;

/**
 * ReDo's residual encoder: the discriminator D ({@code _resDiscriminator128}, one output, optional
 * self-attention) and, as a separate network of the same architecture without attention, the
 * z-encoder delta ({@code _resEncoder128}, K * nz outputs). Every convolution is spectrally normalized
 * with bias; the final dense layer is not. Input {@code image} [N,S,S,C]; output {@code output} [N, outputs].
 *
 * <p>bloc0 at S: SN-Conv3x3 C -> nf, ReLU, SN-Conv3x3, AvgPool2, plus the shortcut AvgPool2, SN-Conv1x1;
 * self-attention on the sum. Then down-blocks doubling the width until 4x4 (at 128: four, to 16nf;
 * at 64: three, to 8nf: one block fewer), a last block at 4x4 with an identity shortcut, a sum over H
 * and W (no ReLU before it) and Dense(width -> outputs).
 */
public final class ResidualEncoder implements Network {
  public static final String IMAGE = "image";
  public static final String OUTPUT = "output";
  public static final String DISCRIMINATOR = "D";
  public static final String Z_ENCODER = "delta";

  private final String scope;
  private final int nf;
  private final boolean attention;
  private final int outputs;
  private final int downBlocks;

  public ResidualEncoder(String scope, int size, int nf, boolean attention, int outputs) {
    RedoConfig.checkSize(size, size);
    checkArgument(nf >= 1 && outputs >= 1, "encoder %s: nf %s and outputs %s must be >= 1", scope, nf, outputs);
    this.scope = scope;
    this.nf = nf;
    this.attention = attention;
    this.outputs = outputs;
    this.downBlocks = Integer.numberOfTrailingZeros(size / 8); // 128 -> 4, 64 -> 3, 32 -> 2, 16 -> 1
  }

  /** The discriminator D of {@code config} for S x S images. */
  public static ResidualEncoder discriminator(RedoConfig config, int size) {
    return new ResidualEncoder(DISCRIMINATOR, size, config.discriminatorFilters(), config.discriminatorAttention(), 1);
  }

  /** The z-encoder delta: D's architecture without attention, K * nz outputs. */
  public static ResidualEncoder zEncoder(RedoConfig config, int size) {
    return new ResidualEncoder(Z_ENCODER, size, config.encoderFilters(), false, config.regions() * config.nz());
  }

  @Override
  public String scope() {
    return scope;
  }

  public int downBlocks() {
    return downBlocks;
  }

  @Override
  public Map<String, Operand<TFloat32>> forward(Layers l, Map<String, Operand<TFloat32>> inputs) {
    Operand<TFloat32> x = inputs.get(IMAGE);
    checkArgument(x != null, "encoder %s needs input '%s'", scope, IMAGE);
    Operand<TFloat32> h = firstBlock(l.sub("block0"), x); // [N, S/2, S/2, nf]
    if (attention) {
      h = l.selfAttention("attention", h);
    }
    int width = nf;
    for (int b = 1; b <= downBlocks; b++) {
      h = downBlock(l.sub("block" + b), h, 2 * width); // halves H, W; doubles the width
      width *= 2;
    }
    h = lastBlock(l.sub("last"), h, width); // [N, 4, 4, width]
    Operand<TFloat32> summed = l.sumPool("sum", h); // [N, width]
    return Map.of(OUTPUT, l.dense("dense", summed, outputs, true)); // [N, outputs]
  }

  /** [N,S,S,C] -> [N,S/2,S/2,nf]: SN-Conv3x3, ReLU, SN-Conv3x3, AvgPool2, plus AvgPool2, SN-Conv1x1. */
  private Operand<TFloat32> firstBlock(Layers l, Operand<TFloat32> x) {
    Operand<TFloat32> h = l.relu(l.spectralConv("conv1", x, 3, nf, true));
    h = l.avgPool("pool", l.spectralConv("conv2", h, 3, nf, true), 2, 2, Padding.VALID);
    Operand<TFloat32> sc = l.spectralConv("shortcut", l.avgPool("shortcut_pool", x, 2, 2, Padding.VALID), 1, nf, true);
    return l.add("sum", h, sc);
  }

  /** [N,r,r,c] -> [N,r/2,r/2,out]: ReLU, SN-Conv3x3, ReLU, SN-Conv3x3, AvgPool2, plus AvgPool2, SN-Conv1x1. */
  private static Operand<TFloat32> downBlock(Layers l, Operand<TFloat32> x, int out) {
    Operand<TFloat32> h = l.spectralConv("conv1", l.relu(x), 3, out, true);
    h = l.avgPool("pool", l.spectralConv("conv2", l.relu(h), 3, out, true), 2, 2, Padding.VALID);
    Operand<TFloat32> sc = l.spectralConv("shortcut", l.avgPool("shortcut_pool", x, 2, 2, Padding.VALID), 1, out, true);
    return l.add("sum", h, sc);
  }

  /** [N,4,4,c] -> same: ReLU, SN-Conv3x3, ReLU, SN-Conv3x3, plus x. */
  private static Operand<TFloat32> lastBlock(Layers l, Operand<TFloat32> x, int width) {
    Operand<TFloat32> h = l.spectralConv("conv1", l.relu(x), 3, width, true);
    h = l.spectralConv("conv2", l.relu(h), 3, width, true);
    return l.add("sum", h, x);
  }
}
