package org.unetpipelines.engine;

import java.util.Map;

/**
 * One option of a config value that is one of several typed records, picked by a key in its mapping
 * ({@code model: {family: unetpp, filters: [32, 64, 128, 256, 512], ...}}): a config field typed with
 * the interface {@link #base()} binds the mapping's other keys to the {@link #config()} record of the
 * choice its {@link #key()} names. Choices are found with {@link java.util.ServiceLoader} (e.g. every
 * model family), so the engine names none of them.
 */
public interface ConfigChoice {

  /** The interface config fields are typed with, e.g. {@code ModelConfig}. */
  Class<?> base();

  /** The key that names the choice, e.g. {@code family}. */
  String key();

  /** The choice's name, e.g. {@code unetpp}. */
  String name();

  /** The record bound from the mapping; it implements {@link #base()}. Its component named {@link #key()}, if any, gets {@link #name()}. */
  Class<? extends Record> config();

  /** One line for {@code unet-pipelines stages}. */
  String description();

  /** Defaults that differ from the record's own {@code @Param} defaults for this choice (key to YAML text). */
  default Map<String, String> defaults() {
    return Map.of();
  }
}
