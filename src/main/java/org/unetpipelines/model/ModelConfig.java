package org.unetpipelines.model;

/**
 * The typed config of one model family, the value of the YAML {@code model:} mapping
 * ({@code model: {family: unetpp, filters: [32, 64, 128, 256, 512], deep_supervision: true}}). Each
 * family registers a {@link ModelFamily}; its config record implements this interface.
 */
public interface ModelConfig {
  /** Most image channels a model takes (gray, gray + alpha, RGB, RGBA). */
  int MAX_CHANNELS = 4;

  /** Most output classes of any model (a 1024-filter classifier head then has 40 M weights). */
  int MAX_CLASSES = 10_000;

  /** The family name, the YAML {@code family} key. */
  String family();
}
