package org.unetpipelines.model.resnet;

import org.unetpipelines.engine.ConfigChecks;
import org.unetpipelines.engine.Param;
import org.unetpipelines.model.ModelConfig;
import org.unetpipelines.model.ClassificationModel;

/**
 * The CIFAR ResNet's typed config (He et al. 2016, section 4.2): the YAML {@code model:} mapping of
 * {@code family: resnet}. ResNet-(6n+2): a 3x3 stem, three stages of n basic blocks at
 * {@code filters}, 2x and 4x {@code filters}, global average pooling and a dense layer.
 *
 * @param family resnet
 * @param depth 6n+2 layers with weights (20, 32, 44, 56, 110, ...)
 * @param baseFilters filters of the first stage (the paper: 16)
 * @param classes number of classes
 * @param inputChannels image channels (Fashion-MNIST: 1, CIFAR: 3)
 */
public record ResNetConfig(
    @Param(doc = "resnet") String family,
    @Param(doc = "layers with weights, 6n+2: 20, 32, 44, 56, 110, ... (n basic blocks per stage)", def = "20",
        min = 8, max = ResNetConfig.MAX_DEPTH) int depth,
    @Param(name = "filters", doc = "filters of the first stage, doubled in stages 2 and 3 (the paper: 16)",
        def = "16", min = 1, max = ResNetConfig.MAX_FILTERS) int baseFilters,
    @Param(doc = "classes (softmax)", def = "10", min = 2, max = ModelConfig.MAX_CLASSES) int classes,
    @Param(name = "channels", doc = "image channels", def = "1", min = 1, max = ModelConfig.MAX_CHANNELS)
    int inputChannels)
    implements ClassificationModel, java.io.Serializable {

  /** Deepest ResNet (He et al.'s largest CIFAR net, n = 200). */
  public static final int MAX_DEPTH = 1202;
  public static final int MAX_FILTERS = 1024;

  /** Every rule at once ({@link ConfigChecks}): all problems are reported together. */
  public ResNetConfig {
    ConfigChecks c = new ConfigChecks();
    c.check("resnet".equals(family), "family must be resnet, got %s", family);
    c.check(depth >= 8 && (depth - 2) % 6 == 0 && depth <= MAX_DEPTH,
        "depth must be 6n+2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, ...; at most %s), got %s", MAX_DEPTH, depth);
    c.check(baseFilters >= 1 && baseFilters <= MAX_FILTERS, "filters must be 1..%s, got %s", MAX_FILTERS, baseFilters);
    c.check(classes >= 2 && classes <= ModelConfig.MAX_CLASSES, "classes must be >= 2 and at most %s, got %s",
        ModelConfig.MAX_CLASSES, classes);
    c.check(inputChannels >= 1 && inputChannels <= ModelConfig.MAX_CHANNELS, "channels must be 1..%s, got %s",
        ModelConfig.MAX_CHANNELS, inputChannels);
    c.done();
  }

  /** ResNet-{@code depth} with 16 filters for {@code channels}-channel images and {@code classes} classes. */
  public static ResNetConfig of(int depth, int channels, int classes) {
    return new ResNetConfig("resnet", depth, 16, classes, channels);
  }

  /** ResNet-20 for one-channel 10-class images (Fashion-MNIST): 269,434 parameters. */
  public static ResNetConfig resnet20() {
    return of(20, 1, 10);
  }

  /** Basic blocks per stage: n = (depth - 2) / 6. */
  public int blocksPerStage() {
    return (depth - 2) / 6;
  }

  @Override
  public ResNet net() {
    return ResNet.of(this);
  }
}
