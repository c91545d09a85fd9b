package org.unetpipelines.engine;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Every stage type on the classpath, found through {@link ServiceLoader}. */
public final class StageRegistry {
  private final Map<String, Stage<?>> stages;

  private StageRegistry(Map<String, Stage<?>> stages) {
    this.stages = Collections.unmodifiableMap(stages);
  }

  /** The stages listed in {@code META-INF/services/org.unetpipelines.engine.Stage} (generated from {@code @AutoService}). */
  public static StageRegistry load() {
    Map<String, Stage<?>> m = new TreeMap<>();
    for (Stage<?> s : ServiceLoader.load(Stage.class, StageRegistry.class.getClassLoader())) {
      Stage<?> prev = m.put(s.type(), s);
      if (prev != null) {
        throw new IllegalStateException("two stages declare type '" + s.type() + "': "
            + prev.getClass().getName() + " and " + s.getClass().getName());
      }
    }
    return new StageRegistry(m);
  }

  /** A registry of exactly these stages (tests). */
  public static StageRegistry of(List<Stage<?>> list) {
    Map<String, Stage<?>> m = new TreeMap<>();
    list.forEach(s -> m.put(s.type(), s));
    return new StageRegistry(m);
  }

  public Stage<?> get(String type) {
    return stages.get(type);
  }

  public Map<String, Stage<?>> all() {
    return stages;
  }
}
