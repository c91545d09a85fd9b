package org.unetpipelines.model.unet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Blocks;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.ConfiguredNet;
import org.unetpipelines.model.SegmentationNet;

/**
 * The U-Net (Ronneberger et al. 2015) as a {@link SegmentationNet}: a contracting path of
 * {@link Blocks#down} steps, dropout at its end, an expanding path of {@link Blocks#up} steps with
 * (cropped) skip connections, and a 1x1 head to {@code classes} logits.
 */
public final class UNet extends ConfiguredNet<UNetConfig> implements SegmentationNet {
  private UNet(UNetConfig config) {
    super(config);
  }

  public static UNet of(UNetConfig config) {
    return new UNet(java.util.Objects.requireNonNull(config, "config"));
  }

  @Override
  public String variant() {
    return String.format(Locale.ROOT, "depth%d-f%d-%s-%s%s%s-k%d", config.depth(), config.baseFilters(),
        config.padding().name().toLowerCase(Locale.ROOT), config.upsampling().name().toLowerCase(Locale.ROOT),
        config.batchNorm() ? "-bn" : "", config.dropout() > 0 ? "-drop" + config.dropout() : "", config.classes())
        + (config.skip() ? "" : "-noskip");
  }

  @Override
  public java.util.Map<String, Object> properties() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("depth", config.depth());
    m.put("baseFilters", config.baseFilters());
    m.put("padding", config.padding().name().toLowerCase(Locale.ROOT));
    m.put("upsampling", config.upsampling().name().toLowerCase(Locale.ROOT));
    m.put("batchNorm", config.batchNorm());
    m.put("dropout", config.dropout());
    m.put("skip", config.skip());
    return m;
  }

  /** Output side for an input side, or -1 when the side does not fit the geometry. */
  public static int outputSide(UNetConfig c, int side) {
    if (side <= 0) {
      return -1;
    }
    if (c.padding() == Padding.SAME) {
      return side % (1 << c.depth()) == 0 ? side : -1;
    }
    int s = side;
    for (int i = 0; i < c.depth(); i++) {
      s -= 4; // two 3x3 valid convolutions
      if (s <= 0 || s % 2 != 0) {
        return -1; // the pooling needs an even size
      }
      s /= 2;
    }
    s -= 4;
    if (s <= 0) {
      return -1;
    }
    for (int i = 0; i < c.depth(); i++) {
      s = 2 * s - 4;
    }
    return s;
  }

  /** The valid input sides nearest to {@code side}: the largest below and the smallest above (either may be absent). */
  public static List<Integer> nearestValidSides(UNetConfig c, int side) {
    List<Integer> out = new ArrayList<>();
    for (int s = Math.min(side - 1, 1 << 16); s >= 1; s--) {
      if (outputSide(c, s) > 0) {
        out.add(s);
        break;
      }
    }
    for (int s = Math.max(side + 1, 1); s <= side + (8 << c.depth()) + 64; s++) {
      if (outputSide(c, s) > 0) {
        out.add(s);
        break;
      }
    }
    return out;
  }

  @Override
  public int[] outputSize(int height, int width) {
    return new int[] {checkedSide("height", height), checkedSide("width", width)};
  }

  private int checkedSide(String what, int side) {
    int out = outputSide(config, side);
    if (out > 0) {
      return out;
    }
    String rule = config.padding() == Padding.SAME
        ? "with same padding the size must be a multiple of 2^depth = " + (1 << config.depth())
        : "with valid padding every size before a 2x2 pooling must be even and the bottom must stay positive";
    throw new IllegalArgumentException(String.format(Locale.ROOT,
        "input %s %d does not fit a depth-%d %s-padding U-Net (%s); nearest valid sizes: %s",
        what, side, config.depth(), config.padding().name().toLowerCase(Locale.ROOT), rule,
        nearestValidSides(config, side)));
  }

  @Override
  public Operand<TFloat32> logits(Layers layers, Operand<TFloat32> images) {
    UNetConfig c = config;
    List<Operand<TFloat32>> skips = new ArrayList<>();
    List<Operand<TFloat32>> positions = new ArrayList<>(); // where each pool took its maxima (max_unpool only)
    // [N, H, W, C] -> [N, H(-4), W(-4), f]
    Operand<TFloat32> x = Blocks.doubleConv(layers.sub("down0"), images, c.baseFilters(), c.padding(), c.batchNorm());
    for (int i = 1; i <= c.depth(); i++) {
      skips.add(x);
      // [N, h, w, f*2^(i-1)] -> [N, h/2(-4), w/2(-4), f*2^i]
      Blocks.Down down = Blocks.down(layers.sub("down" + i), x, c.baseFilters() << i, c.padding(), c.batchNorm(),
          c.upsampling());
      x = down.output();
      positions.add(down.positions());
    }
    x = layers.dropout("dropout", x, c.dropout());
    for (int i = c.depth() - 1; i >= 0; i--) {
      // [N, h, w, f*2^(i+1)] (+ skip [N, 2h, 2w, f*2^i]) -> [N, 2h(-4), 2w(-4), f*2^i]
      x = Blocks.up(layers.sub("up" + i), x, c.skip() ? skips.get(i) : null, positions.get(i), c.baseFilters() << i,
          c.upsampling(), c.padding(), c.batchNorm());
    }
    // [N, H', W', f] -> [N, H', W', classes]
    return layers.conv("head", x, 1, c.classes(), Padding.SAME, true);
  }
}
