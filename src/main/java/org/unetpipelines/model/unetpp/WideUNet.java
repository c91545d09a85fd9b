package org.unetpipelines.model.unetpp;

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
 * The wide U-Net of the UNet++ ablation as the original code builds it ({@code wU_Net}): in the
 * UNet++ figure's terms, the backbone X^{0..4,0} and only the outer decoder nodes
 * X^{i,4-i} = H([Up(X^{i+1,3-i}), X^{i,0}]), the same standard units (dropout after every
 * convolution) and transposed-conv upsampling as {@link UNetPlusPlus}, and one head on X^{0,4}
 * ({@link SegmentationNet#LOGITS}). It differs from {@link org.unetpipelines.model.UNet} with the
 * same widths only where the code does: dropout after every convolution (U-Net: once, at the
 * bottom) and the concat order [up, skip] (U-Net: [skip, up]); parameter counts are equal.
 */
public final class WideUNet implements SegmentationNet {
  private final WideUNetConfig config;

  private WideUNet(WideUNetConfig config) {
    this.config = config;
  }

  public static WideUNet of(WideUNetConfig config) {
    return new WideUNet(Objects.requireNonNull(config, "config"));
  }

  public WideUNetConfig config() {
    return config;
  }

  @Override
  public String family() {
    return "wide_unet";
  }

  @Override
  public String variant() {
    return String.format(Locale.ROOT, "f%s%s%s-k%d", Nodes.join(config.filters()), config.batchNorm() ? "-bn" : "",
        config.dropout() > 0 ? "-drop" + config.dropout() : "", config.classes());
  }

  @Override
  public Map<String, Object> properties() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("filters", config.filters());
    m.put("padding", "same");
    m.put("upsampling", "transpose");
    m.put("batchNorm", config.batchNorm());
    m.put("dropout", config.dropout());
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

  @Override
  public int[] outputSize(int height, int width) {
    return Nodes.outputSize(family(), Nodes.DEPTH, height, width);
  }

  @Override
  public Operand<TFloat32> logits(Layers l, Operand<TFloat32> images) {
    List<Integer> f = config.filters();
    @SuppressWarnings("unchecked")
    Operand<TFloat32>[] backbone = new Operand[Nodes.LEVELS];
    // X^{0,0}: [N,H,W,C] -> [N,H,W,f_0]; X^{i,0}: [N,h,w,f_{i-1}] -> [N,h/2,w/2,f_i]
    for (int i = 0; i <= Nodes.DEPTH; i++) {
      backbone[i] = Nodes.backbone(l, i, i == 0 ? images : backbone[i - 1], f.get(i), config.batchNorm(),
          config.dropout());
    }
    Operand<TFloat32> x = backbone[Nodes.DEPTH];
    for (int i = Nodes.DEPTH - 1; i >= 0; i--) {
      // X^{i,4-i}: [N,h,w,f_{i+1}] + X^{i,0} [N,2h,2w,f_i] -> [N,2h,2w,f_i]
      x = Nodes.nested(l, i, Nodes.DEPTH - i, x, List.of(backbone[i]), f.get(i), config.batchNorm(),
          config.dropout());
    }
    // [N,H,W,f_0] -> [N,H,W,classes]
    return Nodes.head(l, "L" + Nodes.DEPTH, x, config.classes());
  }
}
