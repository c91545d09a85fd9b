package org.unetpipelines.model.unet;

import org.unetpipelines.engine.ConfigChecks;
import org.unetpipelines.engine.Param;
import org.unetpipelines.model.ModelConfig;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.SegmentationModel;
import org.unetpipelines.model.Upsampling;

/**
 * The U-Net's typed config: the YAML {@code model:} mapping of the families {@code unet} and
 * {@code wide_unet} (a U-Net with wider levels, 35..560 filters, UNet++'s comparison of equal size).
 *
 * @param family unet or wide_unet
 * @param depth number of 2x2 poolings (the paper's net has 4: five resolution levels, 572 -> 388)
 * @param baseFilters filters of the first level; level i has baseFilters * 2^i
 * @param padding VALID (paper geometry, cropped skips) or SAME
 * @param upsampling how the expanding path doubles the resolution
 * @param batchNorm batch norm after every 3x3 convolution (then the convolution has no bias)
 * @param dropout dropout rate at the end of the contracting path (0 = none; the paper uses 0.5)
 * @param classes 1 -> sigmoid foreground probability, >= 2 -> softmax over classes
 * @param inputChannels image channels
 * @param skip skip connections from the contracting to the expanding path ("Understanding U-Net"
 *     compares with and without)
 */
public record UNetConfig(
    @Param(doc = "unet | wide_unet") String family,
    @Param(doc = "number of 2x2 poolings (the paper: 4 -> five levels)", def = "4", min = 1, max = UNetConfig.MAX_DEPTH)
    int depth,
    @Param(name = "filters", doc = "filters of the first level, doubling per level (the paper: 64)", def = "16",
        min = 1, max = UNetConfig.MAX_FILTERS) int baseFilters,
    @Param(doc = "valid (paper geometry, output smaller than input, cropped skips) or same", def = "same")
    Padding padding,
    @Param(doc = "how the expanding path doubles the resolution", def = "transpose") Upsampling upsampling,
    @Param(name = "batch_norm", doc = "batch norm after each 3x3 convolution", def = "false") boolean batchNorm,
    @Param(doc = "dropout rate at the end of the contracting path (the paper: 0.5)", def = "0.0", min = 0,
        max = 0.95) float dropout,
    @Param(doc = "1 = sigmoid foreground probability, >= 2 = softmax classes", def = "1", min = 1,
        max = ModelConfig.MAX_CLASSES) int classes,
    @Param(name = "channels", doc = "image channels", def = "1", min = 1, max = ModelConfig.MAX_CHANNELS)
    int inputChannels,
    @Param(doc = "skip connections (false: the 'Understanding U-Net' no-skip comparison)", def = "true") boolean skip)
    implements SegmentationModel, java.io.Serializable {

  public static final int MAX_DEPTH = 6;
  /** Most filters of the first level (the deepest level then has 1024 x 2^depth). */
  public static final int MAX_FILTERS = 1024;
  public static final float MAX_DROPOUT = 0.95f;

  /** Every rule at once ({@link ConfigChecks}): all problems are reported together. */
  public UNetConfig {
    ConfigChecks c = new ConfigChecks();
    c.check("unet".equals(family) || "wide_unet".equals(family), "family must be unet or wide_unet, got %s", family);
    c.check(depth >= 1 && depth <= MAX_DEPTH, "depth must be 1..%s, got %s", MAX_DEPTH, depth);
    c.check(baseFilters >= 1 && baseFilters <= MAX_FILTERS, "base filters must be 1..%s, got %s", MAX_FILTERS,
        baseFilters);
    c.check(padding != null, "padding must be valid or same");
    c.check(upsampling != null, "upsampling must be transpose, bilinear, nearest, pixel_shuffle or max_unpool");
    c.check(dropout >= 0f && dropout <= MAX_DROPOUT, "dropout must be in [0, 0.95], got %s", dropout);
    c.check(classes >= 1 && classes <= ModelConfig.MAX_CLASSES,
        "classes must be >= 1 (1 = sigmoid, >= 2 = softmax) and at most %s, got %s", ModelConfig.MAX_CLASSES, classes);
    c.check(inputChannels >= 1 && inputChannels <= ModelConfig.MAX_CHANNELS, "input channels must be 1..%s, got %s",
        ModelConfig.MAX_CHANNELS, inputChannels);
    c.done();
  }

  /** A U-Net ({@code family: unet}) with skip connections. */
  public UNetConfig(int depth, int baseFilters, Padding padding, Upsampling upsampling, boolean batchNorm,
      float dropout, int classes, int inputChannels) {
    this(depth, baseFilters, padding, upsampling, batchNorm, dropout, classes, inputChannels, true);
  }

  /** A U-Net ({@code family: unet}). */
  public UNetConfig(int depth, int baseFilters, Padding padding, Upsampling upsampling, boolean batchNorm,
      float dropout, int classes, int inputChannels, boolean skip) {
    this("unet", depth, baseFilters, padding, upsampling, batchNorm, dropout, classes, inputChannels, skip);
  }

  @Override
  public UNet net() {
    return UNet.of(this);
  }

  /** Ronneberger et al. 2015: depth 4, 64 filters, valid padding, up-convolutions, dropout 0.5, 2-class softmax. */
  public static UNetConfig paper() {
    return new UNetConfig(4, 64, Padding.VALID, Upsampling.TRANSPOSE, false, 0.5f, 2, 1);
  }

  /** The benchmark / CPU default: depth 4, 16 filters, same padding, transposed conv, sigmoid (1.94 M parameters). */
  public static UNetConfig small() {
    return new UNetConfig(4, 16, Padding.SAME, Upsampling.TRANSPOSE, false, 0f, 1, 1);
  }

  /** The minimal net of "Understanding U-Net": depth 3, same padding (here 16 filters, bilinear, sigmoid). */
  public static UNetConfig understanding() {
    return new UNetConfig(3, 16, Padding.SAME, Upsampling.BILINEAR, false, 0f, 1, 1);
  }

  public UNetConfig withDepth(int d) {
    return new UNetConfig(family, d, baseFilters, padding, upsampling, batchNorm, dropout, classes, inputChannels, skip);
  }

  public UNetConfig withBaseFilters(int f) {
    return new UNetConfig(family, depth, f, padding, upsampling, batchNorm, dropout, classes, inputChannels, skip);
  }

  public UNetConfig withPadding(Padding p) {
    return new UNetConfig(family, depth, baseFilters, p, upsampling, batchNorm, dropout, classes, inputChannels, skip);
  }

  public UNetConfig withUpsampling(Upsampling u) {
    return new UNetConfig(family, depth, baseFilters, padding, u, batchNorm, dropout, classes, inputChannels, skip);
  }

  public UNetConfig withBatchNorm(boolean bn) {
    return new UNetConfig(family, depth, baseFilters, padding, upsampling, bn, dropout, classes, inputChannels, skip);
  }

  public UNetConfig withDropout(float rate) {
    return new UNetConfig(family, depth, baseFilters, padding, upsampling, batchNorm, rate, classes, inputChannels, skip);
  }

  public UNetConfig withClasses(int k) {
    return new UNetConfig(family, depth, baseFilters, padding, upsampling, batchNorm, dropout, k, inputChannels, skip);
  }

  public UNetConfig withSkip(boolean s) {
    return new UNetConfig(family, depth, baseFilters, padding, upsampling, batchNorm, dropout, classes, inputChannels, s);
  }

  public UNetConfig withInputChannels(int c) {
    return new UNetConfig(family, depth, baseFilters, padding, upsampling, batchNorm, dropout, classes, c, skip);
  }
}
