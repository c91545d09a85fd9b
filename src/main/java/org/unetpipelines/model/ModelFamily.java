package org.unetpipelines.model;

import org.unetpipelines.engine.ConfigChoice;

/**
 * A model family as the YAML names it ({@code model: {family: NAME, ...}}): its name, its typed
 * config record (the keys that family allows) and a description. Families are registered with
 * {@link java.util.ServiceLoader} ({@code @AutoService(ConfigChoice.class)} on the family class);
 * each lives in its own sub-package of {@code model} beside its network builder.
 */
public interface ModelFamily extends ConfigChoice {
  @Override
  default Class<?> base() {
    return ModelConfig.class;
  }

  @Override
  default String key() {
    return "family";
  }
}
