package org.unetpipelines.engine;

import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Binds a YAML mapping to a stage's config record. Supported field types: boolean, int, long,
 * double (and boxed), String, enums (written in lower case, '-' or '_' between words), and
 * {@code List} of those. A scalar where a list is expected becomes a one-element list. Numbers are
 * checked against their field's {@link Param#min}..{@link Param#max}; integers that overflow their
 * type and non-finite doubles are errors.
 */
public final class ConfigBinder {
  private ConfigBinder() {}

  /** A field of a config record, as shown by {@code unet-pipelines stages}. */
  public record FieldInfo(String name, String type, String defaultText, boolean required, String doc) {}

  /** Collects errors with their line numbers. */
  public interface Errors {
    void add(int line, String message);
  }

  public static List<FieldInfo> describe(Class<? extends Record> cls) {
    List<FieldInfo> out = new ArrayList<>();
    for (RecordComponent rc : cls.getRecordComponents()) {
      Param p = param(rc);
      String def = p.def();
      boolean required = Param.REQUIRED.equals(def);
      String defText = required ? "" : Param.NULL.equals(def) ? "(none)" : def;
      out.add(new FieldInfo(rc.getName(), typeName(rc.getGenericType()), defText, required, p.doc()));
    }
    return out;
  }

  /** Binds {@code node} (may be null = empty config); returns null when there were errors. */
  public static <C extends Record> C bind(Class<C> cls, MappingNode node, int stageLine, Errors errors) {
    Map<String, NodeTuple> given = new LinkedHashMap<>();
    if (node != null) {
      for (NodeTuple t : node.getValue()) {
        String key = ((ScalarNode) t.getKeyNode()).getValue();
        given.put(key, t);
      }
    }
    RecordComponent[] comps = cls.getRecordComponents();
    List<String> allowed = Arrays.stream(comps).map(RecordComponent::getName).collect(Collectors.toList());
    boolean ok = true;
    for (Map.Entry<String, NodeTuple> e : given.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        errors.add(line(e.getValue().getKeyNode()),
            "unknown config key '" + e.getKey() + "'" + Suggest.closest(e.getKey(), allowed)
                + "; allowed keys: " + String.join(", ", allowed));
        ok = false;
      }
    }
    Object[] args = new Object[comps.length];
    for (int i = 0; i < comps.length; i++) {
      RecordComponent rc = comps[i];
      Param p = param(rc);
      NodeTuple t = given.get(rc.getName());
      try {
        if (t == null) {
          if (Param.REQUIRED.equals(p.def())) {
            errors.add(stageLine, "missing required config key '" + rc.getName() + "' (" + p.doc() + ")");
            ok = false;
          } else if (Param.NULL.equals(p.def())) {
            args[i] = nullValue(rc.getType());
          } else {
            args[i] = convert(PipelineFile.parseFragment(p.def()), rc.getGenericType(), rc.getName());
          }
        } else {
          args[i] = convert(t.getValueNode(), rc.getGenericType(), rc.getName());
        }
        checkRange(p, rc.getName(), args[i]);
      } catch (BindException ex) {
        errors.add(t == null ? stageLine : line(t.getValueNode()), ex.getMessage());
        ok = false;
      }
    }
    if (!ok) {
      return null;
    }
    try {
      Constructor<C> ctor = cls.getDeclaredConstructor(
          Arrays.stream(comps).map(RecordComponent::getType).toArray(Class<?>[]::new));
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      // The record's compact constructor rejected a value: report its message.
      errors.add(stageLine, String.valueOf(e.getCause().getMessage()));
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct config " + cls.getName(), e);
    }
  }


  /** Checks a bound value (or each number of a list) against the field's {@link Param#min}..{@link Param#max}. */
  static void checkRange(Param p, String field, Object value) throws BindException {
    if (value instanceof List<?> list) {
      for (Object v : list) {
        checkRange(p, field, v);
      }
      return;
    }
    if (!(value instanceof Number n)) {
      return;
    }
    double v = n.doubleValue();
    boolean hasMin = p.min() != Double.NEGATIVE_INFINITY;
    boolean hasMax = p.max() != Double.POSITIVE_INFINITY;
    if ((hasMin && v < p.min()) || (hasMax && v > p.max())) {
      String range = hasMin && hasMax ? number(p.min()) + ".." + number(p.max())
          : hasMin ? ">= " + number(p.min()) : "<= " + number(p.max());
      throw new BindException("'" + field + "' must be " + range + ", got " + value);
    }
  }

  private static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** The record as a plain map (for manifests / JSON). */
  public static Map<String, Object> toMap(Record config) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent rc : config.getClass().getRecordComponents()) {
      try {
        Object v = rc.getAccessor().invoke(config);
        out.put(rc.getName(), v instanceof Enum<?> en ? en.name().toLowerCase(Locale.ROOT) : v);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  static Param param(RecordComponent rc) {
    Param p = rc.getAnnotation(Param.class);
    if (p == null) {
      throw new IllegalStateException("config field " + rc.getDeclaringRecord().getName() + "." + rc.getName()
          + " has no @Param annotation");
    }
    return p;
  }

  private static Object nullValue(Class<?> type) {
    if (type.isPrimitive()) {
      throw new IllegalStateException("primitive field cannot default to null");
    }
    return null;
  }

  static final class BindException extends Exception {
    BindException(String message) {
      super(message);
    }
  }

  static Object convert(Node node, Type type, String field) throws BindException {
    if (type instanceof ParameterizedType pt && pt.getRawType() == List.class) {
      Type elem = pt.getActualTypeArguments()[0];
      List<Object> out = new ArrayList<>();
      if (node instanceof SequenceNode seq) {
        for (Node n : seq.getValue()) {
          out.add(convert(n, elem, field));
        }
      } else if (isNull(node)) {
        return List.of();
      } else {
        out.add(convert(node, elem, field));
      }
      return List.copyOf(out);
    }
    Class<?> cls = (Class<?>) type;
    if (isNull(node)) {
      if (cls.isPrimitive()) {
        throw new BindException("'" + field + "' must be " + typeName(type) + ", got null");
      }
      return null;
    }
    if (!(node instanceof ScalarNode scalar)) {
      throw new BindException("'" + field + "' must be " + typeName(type) + ", got a "
          + (node instanceof SequenceNode ? "list" : "mapping"));
    }
    String v = scalar.getValue().trim();
    try {
      if (cls == String.class) {
        return scalar.getValue();
      } else if (cls == int.class || cls == Integer.class) {
        return Integer.parseInt(integerText(v, field, Integer.MIN_VALUE, Integer.MAX_VALUE));
      } else if (cls == long.class || cls == Long.class) {
        return Long.parseLong(integerText(v, field, Long.MIN_VALUE, Long.MAX_VALUE));
      } else if (cls == double.class || cls == Double.class) {
        if (v.matches("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)")) { // YAML's infinities and not-a-number
          throw new BindException("'" + field + "' must be a finite number, got '" + v + "'");
        }
        double d = Double.parseDouble(v.replace("_", ""));
        if (!Double.isFinite(d)) {
          throw new BindException("'" + field + "' must be a finite number, got '" + v + "'");
        }
        return d;
      } else if (cls == boolean.class || cls == Boolean.class) {
        switch (v.toLowerCase(Locale.ROOT)) {
          case "true": case "yes": case "on": return true;
          case "false": case "no": case "off": return false;
          default: throw new NumberFormatException();
        }
      } else if (cls.isEnum()) {
        for (Object c : cls.getEnumConstants()) {
          if (((Enum<?>) c).name().equalsIgnoreCase(v.replace('-', '_'))) {
            return c;
          }
        }
        List<String> names = enumNames(cls);
        throw new BindException("'" + field + "' must be one of " + String.join(" | ", names) + ", got '" + v + "'"
            + Suggest.closest(v, names));
      }
    } catch (NumberFormatException e) {
      throw new BindException("'" + field + "' must be " + typeName(type) + ", got '" + v + "'");
    }
    throw new IllegalStateException("unsupported config field type " + type);
  }

  /** The digits of an integer scalar, or a BindException naming the integer range it overflows. */
  private static String integerText(String v, String field, long min, long max) throws BindException {
    String digits = v.replace("_", "");
    if (!digits.matches("[-+]?\\d+")) {
      throw new NumberFormatException(v);
    }
    java.math.BigInteger b = new java.math.BigInteger(digits);
    if (b.compareTo(java.math.BigInteger.valueOf(min)) < 0 || b.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
      throw new BindException("'" + field + "' is out of range: " + v + " does not fit "
          + min + ".." + max);
    }
    return digits;
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode s && (Tag.NULL.equals(s.getTag()) || "~".equals(s.getValue()));
  }

  static List<String> enumNames(Class<?> cls) {
    return Arrays.stream(cls.getEnumConstants())
        .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
        .collect(Collectors.toList());
  }

  static String typeName(Type type) {
    if (type instanceof ParameterizedType pt && pt.getRawType() == List.class) {
      return "list of " + typeName(pt.getActualTypeArguments()[0]);
    }
    Class<?> cls = (Class<?>) type;
    if (cls == int.class || cls == Integer.class || cls == long.class || cls == Long.class) {
      return "integer";
    } else if (cls == double.class || cls == Double.class) {
      return "number";
    } else if (cls == boolean.class || cls == Boolean.class) {
      return "boolean";
    } else if (cls == String.class) {
      return "string";
    } else if (cls.isEnum()) {
      return String.join("|", enumNames(cls));
    }
    return cls.getSimpleName();
  }

  static int line(Node n) {
    return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }
}
