package org.unetpipelines.model.unetpp;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * The typed config of the wide U-Net (family {@code wide_unet}): the UNet++ paper's U-Net baseline
 * as its code builds it ({@code wU_Net} in {@code MrGiovanni/Nested-UNet:model_logic.py}), widened to
 * about UNet++'s parameter count.
 *
 * @param filters filters per level f_0..f_4 (default 35, 70, 140, 280, 560: 9,282,246 parameters;
 *     32..512 gives the code's plain {@code U_Net}, 7,759,521)
 * @param dropout dropout rate after every 3x3 convolution's ReLU (the code: 0.5; 0 = none)
 * @param batchNorm batch norm after every 3x3 convolution (then it has no bias); the code has none
 * @param classes 1 -> sigmoid foreground probability, >= 2 -> softmax over classes
 * @param inputChannels image channels
 */
public record WideUNetConfig(List<Integer> filters, float dropout, boolean batchNorm, int classes, int inputChannels)
    implements java.io.Serializable {

  public static final List<Integer> DEFAULT_FILTERS = List.of(35, 70, 140, 280, 560);

  public WideUNetConfig {
    filters = Nodes.checkedFilters(filters);
    checkArgument(dropout >= 0f && dropout < 1f, "dropout must be in [0, 1), got %s", dropout);
    checkArgument(classes >= 1, "classes must be >= 1 (1 = sigmoid, >= 2 = softmax), got %s", classes);
    checkArgument(inputChannels >= 1 && inputChannels <= 4, "input channels must be 1..4, got %s", inputChannels);
  }

  /** The code's wide U-Net: filters 35..560, dropout 0.5, no batch norm, 1 class, 1 channel. */
  public static WideUNetConfig defaults() {
    return new WideUNetConfig(DEFAULT_FILTERS, UNetPlusPlusConfig.DEFAULT_DROPOUT, false, 1, 1);
  }

  public WideUNetConfig withFilters(List<Integer> f) {
    return new WideUNetConfig(f, dropout, batchNorm, classes, inputChannels);
  }

  public WideUNetConfig withDropout(float rate) {
    return new WideUNetConfig(filters, rate, batchNorm, classes, inputChannels);
  }

  public WideUNetConfig withBatchNorm(boolean bn) {
    return new WideUNetConfig(filters, dropout, bn, classes, inputChannels);
  }

  public WideUNetConfig withClasses(int k) {
    return new WideUNetConfig(filters, dropout, batchNorm, k, inputChannels);
  }

  public WideUNetConfig withInputChannels(int c) {
    return new WideUNetConfig(filters, dropout, batchNorm, classes, c);
  }
}
