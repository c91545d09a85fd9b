package org.unetpipelines.model;

/** The config of a network that maps images of {@code inputChannels()} channels to {@code classes()} outputs. */
public interface NetConfig extends ModelConfig {
  /** 1 = a sigmoid foreground probability (segmentation), >= 2 = softmax over that many classes. */
  int classes();

  /** Image channels of the input. */
  int inputChannels();
}
