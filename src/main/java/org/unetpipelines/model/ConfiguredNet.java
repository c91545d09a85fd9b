package org.unetpipelines.model;

import java.util.Objects;

/**
 * What every network built from one config record shares: the record, and the family, classes and
 * input channels it states. The families' networks ({@code UNet}, {@code UNetPlusPlus}, {@code ResNet},
 * {@code SUNet}) extend it and add their graph.
 */
public abstract class ConfiguredNet<C extends NetConfig> {
  protected final C config;

  protected ConfiguredNet(C config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public C config() {
    return config;
  }

  public String family() {
    return config.family();
  }

  public int classes() {
    return config.classes();
  }

  public int inputChannels() {
    return config.inputChannels();
  }
}
