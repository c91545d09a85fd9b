package org.unetpipelines.model;

/**
 * The typed config of one model family, the value of the YAML {@code model:} mapping
 * ({@code model: {family: unetpp, filters: [32, 64, 128, 256, 512], deep_supervision: true}}). Each
 * family registers a {@link ModelFamily}; its config record implements this interface.
 */
public interface ModelConfig {
  /** The family name, the YAML {@code family} key. */
  String family();
}
