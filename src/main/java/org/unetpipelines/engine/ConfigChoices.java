package org.unetpipelines.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/** The registered {@link ConfigChoice}s ({@link ServiceLoader}), grouped by the interface they implement. */
public final class ConfigChoices {
  private static volatile List<ConfigChoice> all;

  private ConfigChoices() {}

  /**
   * Every registered choice, checked once: its record implements its base. The record may have a
   * component named by the key (it then receives the choice's name, e.g. a model family's
   * {@code family}) or not (the binder then accepts the key beside the record's own keys, e.g. an
   * augmentation step's {@code type}).
   */
  public static List<ConfigChoice> all() {
    List<ConfigChoice> a = all;
    if (a == null) {
      List<ConfigChoice> found = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (ConfigChoice c : ServiceLoader.load(ConfigChoice.class)) {
        if (!c.base().isAssignableFrom(c.config())) {
          throw new IllegalStateException(c.config().getName() + " does not implement " + c.base().getName());
        }
        if (!seen.add(c.base().getName() + "/" + c.name())) {
          throw new IllegalStateException("two " + c.base().getSimpleName() + " choices named " + c.name());
        }
        found.add(c);
      }
      all = a = List.copyOf(found);
    }
    return a;
  }

  /** The choices of one base interface, in registration order. */
  public static List<ConfigChoice> of(Class<?> base) {
    List<ConfigChoice> out = new ArrayList<>();
    for (ConfigChoice c : all()) {
      if (c.base() == base) {
        out.add(c);
      }
    }
    return out;
  }
}
