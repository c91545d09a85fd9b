package org.unetpipelines.model.sunet;

import java.util.List;
import org.unetpipelines.engine.ConfigChecks;
import org.unetpipelines.engine.Param;
import org.unetpipelines.model.ModelConfig;
import org.unetpipelines.model.ClassificationModel;

/**
 * The Stacked U-Nets' typed config (Shah et al., arXiv 1804.10343; {@code shahsohil/sunets}): the
 * YAML {@code model:} mapping of {@code family: sunet}.
 *
 * @param family sunet
 * @param variant which network ({@link Variant})
 * @param outputStride 32 for classification; 16 or 8 dilate the last blocks instead of pooling
 *     (the segmentation backbones of the paper); only the ImageNet variants have these
 * @param classes number of classes
 * @param inputChannels image channels
 */
public record SUNetConfig(
    @Param(doc = "sunet") String family,
    @Param(doc = "sunet64 | sunet128 | sunet7_128 (ImageNet-size inputs, >= 61x61 at output stride 32) | "
        + "u1 | u2 (SUNet-64 cut after block 1 / block 2, for 32x32 inputs)", def = "u1") Variant variant,
    @Param(name = "output_stride", doc = "32 (classification) | 16 | 8 (dilated last blocks; sunet64/128/7_128 only)",
        def = "32", min = 8, max = 32) int outputStride,
    @Param(doc = "classes (softmax)", def = "10", min = 2, max = ModelConfig.MAX_CLASSES) int classes,
    @Param(name = "channels", doc = "image channels", def = "1", min = 1, max = ModelConfig.MAX_CHANNELS)
    int inputChannels)
    implements ClassificationModel, java.io.Serializable {

  /** One block of U-Net modules: how many, their output width M, and encoder levels (2; the last block of the ImageNet nets 1). */
  public record Block(int modules, int width, int levels) implements java.io.Serializable {}

  /**
   * The networks. ImageNet variants ({@code Stackedunet_imagenet}): stem 7x7/2 to 64, a residual
   * block to 128 at stride 2, blocks 1..4 of N-filter modules with 2x2 average pools between them, the
   * last block with one encoder level. u1 / u2 (the reproduction's Figure 4, for 32x32 inputs): the
   * same stem and residual block and SUNet-64's blocks 1 (u1) or 1 and 2 (u2), with the transition
   * between them a 1x1 stride-1 pool (resolution kept).
   */
  public enum Variant {
    SUNET64(64, List.of(new Block(2, 256, 2), new Block(4, 512, 2), new Block(4, 768, 2), new Block(1, 1024, 1))),
    SUNET128(128, List.of(new Block(2, 512, 2), new Block(4, 1024, 2), new Block(4, 1536, 2), new Block(1, 2048, 1))),
    SUNET7_128(128, List.of(new Block(2, 512, 2), new Block(7, 1280, 2), new Block(7, 2048, 2), new Block(1, 2304, 1))),
    U1(64, List.of(new Block(2, 256, 2))),
    U2(64, List.of(new Block(2, 256, 2), new Block(2, 512, 2)));

    private final int filters;
    private final List<Block> blocks;

    Variant(int filters, List<Block> blocks) {
      this.filters = filters;
      this.blocks = blocks;
    }

    /** N: the filters inside every U-Net module. */
    public int filters() {
      return filters;
    }

    public List<Block> blocks() {
      return blocks;
    }

    /** The four-block ImageNet networks (pools between blocks, dilated modes). */
    public boolean imagenet() {
      return blocks.size() == 4;
    }

    public String yaml() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Channels of the stem convolution (start_planes); the residual block doubles them. */
  public static final int STEM_FILTERS = 64;

  public SUNetConfig {
    ConfigChecks c = new ConfigChecks();
    c.check("sunet".equals(family), "family must be sunet, got %s", family);
    boolean variantOk = c.check(variant != null, "variant must be sunet64, sunet128, sunet7_128, u1 or u2");
    boolean strideOk = c.check(outputStride == 32 || outputStride == 16 || outputStride == 8,
        "output_stride must be 32, 16 or 8, got %s", outputStride);
    if (variantOk && strideOk) {
      c.check(outputStride == 32 || variant.imagenet(),
          "output_stride %s (dilated blocks) exists for sunet64, sunet128 and sunet7_128 only, not %s", outputStride,
          variant.yaml());
    }
    c.check(classes >= 2 && classes <= ModelConfig.MAX_CLASSES, "classes must be >= 2 and at most %s, got %s",
        ModelConfig.MAX_CLASSES, classes);
    c.check(inputChannels >= 1 && inputChannels <= ModelConfig.MAX_CHANNELS, "channels must be 1..%s, got %s",
        ModelConfig.MAX_CHANNELS, inputChannels);
    c.done();
  }

  public static SUNetConfig of(Variant variant, int outputStride, int channels, int classes) {
    return new SUNetConfig("sunet", variant, outputStride, classes, channels);
  }

  /** The paper's ImageNet classifier: 3 channels, 1000 classes, output stride 32. */
  public static SUNetConfig imagenet(Variant variant) {
    return of(variant, 32, 3, 1000);
  }

  /**
   * The atrous factor of block j (0-based), as {@code (j - os_idx) * 2} with os_idx = 3, 2, 1 for
   * output stride 32, 16, 8; level i of a block's modules is dilated by 2^i * atrous when that is > 1.
   */
  public int atrous(int block) {
    if (!variant.imagenet()) {
      return 0;
    }
    int osIdx = outputStride == 32 ? 3 : outputStride == 16 ? 2 : 1;
    return (block - osIdx) * 2;
  }

  /** Whether the transition after block j (0-based, not the last) halves the resolution (2x2 average pool) or keeps it (1x1 pool). */
  public boolean poolsAfter(int block) {
    if (!variant.imagenet()) {
      return false; // u2: the write-up's 1x1, stride-1 transition
    }
    int osIdx = outputStride == 32 ? 3 : outputStride == 16 ? 2 : 1;
    return block <= osIdx - 1;
  }

  @Override
  public SUNet net() {
    return SUNet.of(this);
  }
}
