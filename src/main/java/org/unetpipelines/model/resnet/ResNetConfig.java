package org.unetpipelines.model.resnet;

import static com.google.common.base.Preconditions.checkArgument;

import org.unetpipelines.engine.Param;
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
    @Param(doc = "layers with weights, 6n+2: 20, 32, 44, 56, 110, ... (n basic blocks per stage)", def = "20")
    int depth,
    @Param(name = "filters", doc = "filters of the first stage, doubled in stages 2 and 3 (the paper: 16), 1..1024",
        def = "16") int baseFilters,
    @Param(doc = "classes, >= 2 (softmax)", def = "10") int classes,
    @Param(name = "channels", doc = "image channels, 1..4", def = "1") int inputChannels)
    implements ClassificationModel, java.io.Serializable {

  public ResNetConfig {
    checkArgument("resnet".equals(family), "family must be resnet, got %s", family);
    checkArgument(depth >= 8 && (depth - 2) % 6 == 0 && depth <= 1202,
        "depth must be 6n+2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, ...; at most 1202), got %s", depth);
    checkArgument(baseFilters >= 1 && baseFilters <= 1024, "filters must be 1..1024, got %s", baseFilters);
    checkArgument(classes >= 2, "classes must be >= 2, got %s", classes);
    checkArgument(inputChannels >= 1 && inputChannels <= 4, "channels must be 1..4, got %s", inputChannels);
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
