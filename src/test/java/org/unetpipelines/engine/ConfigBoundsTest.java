package org.unetpipelines.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.unetpipelines.model.unetpp.UNetPlusPlusConfig;
import org.unetpipelines.stages.schema.StageTransformProvider;
import org.unetpipelines.train.TrainConfig;

/**
 * Every numeric config key of every registered stage (their inline and nested records, every
 * registered choice such as each model family, and the schema-transform context) declares both ends
 * of its range in its {@code @Param}, so a key added without one fails here; duration-like keys
 * (steps, every, until, patience, delay, seconds, ...) refuse negatives, and zero unless their doc
 * says what 0 means ("0 = off").
 */
class ConfigBoundsTest {
  private static final Pattern DURATION = Pattern.compile(
      "(^|_)(steps?|every|until|patience|delay|seconds|timeout|interval|epochs|early_stopping)($|_)");
  /** A documented meaning of zero in a field's doc: "(0 = off)", "(0: none)", "0 = only at the end". */
  private static final Pattern ZERO_MEANS = Pattern.compile("\\b0 ?[=:] ");

  /** Every config record the engine can bind: stage configs and everything reachable from them. */
  static Set<Class<?>> configRecords() {
    Set<Class<?>> out = new LinkedHashSet<>();
    for (Stage<?> s : StageRegistry.load().all().values()) {
      collect(s.configClass(), out);
    }
    collect(StageTransformProvider.Context.class, out);
    return out;
  }

  private static void collect(Class<?> cls, Set<Class<?>> out) {
    if (!out.add(cls)) {
      return;
    }
    for (RecordComponent rc : cls.getRecordComponents()) {
      Class<?> t = rc.getType();
      if (t.isRecord()) {
        collect(t, out);
      } else if (t.isInterface()) {
        ConfigChoices.of(t).forEach(c -> collect(c.config(), out));
      }
    }
  }

  static boolean numeric(Type type) {
    if (type instanceof ParameterizedType pt && pt.getRawType() == List.class) {
      return numeric(pt.getActualTypeArguments()[0]);
    }
    return type == int.class || type == long.class || type == float.class || type == double.class
        || type == Integer.class || type == Long.class || type == Float.class || type == Double.class;
  }

  /** "Record.key: what is missing" for each numeric key of {@code records} without both bounds. */
  static List<String> unbounded(Set<Class<?>> records) {
    List<String> out = new ArrayList<>();
    for (Class<?> cls : records) {
      for (RecordComponent rc : cls.getRecordComponents()) {
        Param p = ConfigBinder.param(rc);
        if (!numeric(rc.getGenericType())) {
          continue;
        }
        String where = cls.getName() + "." + ConfigBinder.key(rc);
        if (p.min() == Double.NEGATIVE_INFINITY || p.max() == Double.POSITIVE_INFINITY) {
          out.add(where + ": no " + (p.min() == Double.NEGATIVE_INFINITY ? "min" : "max")
              + " (give @Param(min = ..., max = ...): the values that would overflow, exhaust memory or mean nothing)");
        } else if (!(p.min() < p.max())) {
          out.add(where + ": empty range " + ConfigBinder.range(p));
        }
      }
    }
    return out;
  }

  @Test
  void everyNumericKeyOfEveryRegisteredConfigHasBothBounds() {
    Set<Class<?>> records = configRecords();
    // the walk reaches the nested and chosen records, not only the stages' own
    assertTrue(records.contains(TrainConfig.class), records.toString());
    assertTrue(records.contains(UNetPlusPlusConfig.class), records.toString());
    assertTrue(records.contains(org.unetpipelines.stages.eval.InferenceConfig.class), records.toString());
    assertTrue(records.stream().filter(c -> c.getName().startsWith("org.unetpipelines.model.")).count() >= 5,
        records.toString());
    assertEquals(List.of(), unbounded(records));
  }

  /** A key added without a bound is what the walk must catch. */
  record Unbounded(
      @Param(doc = "no bounds", def = "1") int copies,
      @Param(doc = "only a minimum", def = "1", min = 1) long steps,
      @Param(doc = "a list", def = "[1]", min = 0) List<Double> sizes,
      @Param(doc = "bounded", def = "1", min = 0, max = 2) double fine,
      @Param(doc = "not a number", def = "x") String name) {}

  @Test
  void theWalkCatchesAKeyWithoutABound() {
    List<String> missing = unbounded(Set.of(Unbounded.class));
    assertEquals(3, missing.size(), missing.toString());
    assertTrue(missing.get(0).contains(".copies: no min"), missing.toString());
    assertTrue(missing.get(1).contains(".steps: no max"), missing.toString());
    assertTrue(missing.get(2).contains(".sizes: no max"), missing.toString());
  }

  @Test
  void durationsRefuseNegativesAndZeroUnlessZeroIsDocumented() {
    List<String> bad = new ArrayList<>();
    int durations = 0;
    for (Class<?> cls : configRecords()) {
      for (RecordComponent rc : cls.getRecordComponents()) {
        Param p = ConfigBinder.param(rc);
        String key = ConfigBinder.key(rc);
        if (!numeric(rc.getGenericType()) || !DURATION.matcher(key).find()) {
          continue;
        }
        durations++;
        boolean zeroAllowed = ConfigBinder.inRange(p, 0);
        if (ConfigBinder.inRange(p, -1) || ConfigBinder.inRange(p, -1e-9)) {
          bad.add(cls.getSimpleName() + "." + key + " accepts negative values (" + ConfigBinder.range(p) + ")");
        } else if (zeroAllowed && !ZERO_MEANS.matcher(p.doc()).find()) {
          bad.add(cls.getSimpleName() + "." + key + " accepts 0 but its doc does not say what 0 means: " + p.doc());
        }
      }
    }
    assertTrue(durations >= 8, "duration-like keys found: " + durations);
    assertEquals(List.of(), bad);
  }

  @Test
  void rangesReadAsTheyAreChecked() throws Exception {
    Param lr = TrainConfig.class.getRecordComponents()[4].getAnnotation(Param.class); // learning_rate
    assertEquals("(0, 10]", ConfigBinder.range(lr));
    assertTrue(ConfigBinder.inRange(lr, 10) && !ConfigBinder.inRange(lr, 0) && ConfigBinder.inRange(lr, 1e-9));
    ConfigBinder.BindException e = assertThrows(ConfigBinder.BindException.class,
        () -> ConfigBinder.checkRange(lr, "learning_rate", 0.0));
    assertEquals("'learning_rate' must be in (0, 10], got 0.0", e.getMessage());
    Param momentum = TrainConfig.class.getRecordComponents()[5].getAnnotation(Param.class);
    assertEquals("[0, 1)", ConfigBinder.range(momentum));
    Param seed = StageTransformProvider.Context.class.getRecordComponents()[0].getAnnotation(Param.class);
    assertEquals("-9223372036854775808..9223372036854775807", ConfigBinder.range(seed));
    ConfigBinder.checkRange(seed, "seed", Long.MAX_VALUE);
    ConfigBinder.checkRange(seed, "seed", Long.MIN_VALUE);
  }
}
