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
 * double (and boxed), String, enums (written in lower case, '-' or '_' between words),
 * {@code List} of those, and nested config records (a YAML mapping, bound by the same rules; their
 * errors name the path, e.g. {@code 'inference': unknown config key ...}). A scalar where a list is
 * expected becomes a one-element list.
 */
public final class ConfigBinder {
  private ConfigBinder() {}

  /** A field of a config record, as shown by {@code unet-pipelines stages}. */
  public record FieldInfo(String name, String type, String defaultText, boolean required, String doc) {}

  /** Collects errors with their line numbers. */
  public interface Errors {
    void add(int line, String message);
  }

  /** The fields of a config record; a nested record's fields follow it as {@code name.field}. */
  public static List<FieldInfo> describe(Class<? extends Record> cls) {
    List<FieldInfo> out = new ArrayList<>();
    describe(cls, "", out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void describe(Class<? extends Record> cls, String prefix, List<FieldInfo> out) {
    for (RecordComponent rc : cls.getRecordComponents()) {
      Param p = param(rc);
      String def = p.def();
      boolean required = Param.REQUIRED.equals(def);
      String defText = required ? "" : Param.NULL.equals(def) ? "(none)" : def;
      out.add(new FieldInfo(prefix + rc.getName(), typeName(rc.getGenericType()), defText, required, p.doc()));
      if (rc.getType().isRecord()) {
        describe((Class<? extends Record>) rc.getType(), prefix + rc.getName() + ".", out);
      }
    }
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
      if (rc.getType().isRecord()) {
        args[i] = bindNested(rc, p, t, stageLine, errors);
        ok &= args[i] != null || (t == null && Param.NULL.equals(p.def()));
        continue;
      }
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

  /**
   * A nested config record from its mapping (or its default mapping when absent); null when it has
   * errors, which are reported with the field's name in front.
   */
  @SuppressWarnings("unchecked")
  private static Object bindNested(RecordComponent rc, Param p, NodeTuple given, int stageLine, Errors errors) {
    String name = rc.getName();
    Node node;
    int line = stageLine;
    if (given != null) {
      node = given.getValueNode();
      line = line(node);
    } else if (Param.REQUIRED.equals(p.def())) {
      errors.add(stageLine, "missing required config key '" + name + "' (" + p.doc() + ")");
      return null;
    } else if (Param.NULL.equals(p.def())) {
      return null;
    } else {
      node = PipelineFile.parseFragment(p.def());
    }
    Class<? extends Record> type = (Class<? extends Record>) rc.getType();
    if (isNull(node)) {
      node = null;
    } else if (!(node instanceof MappingNode)) {
      errors.add(line, "'" + name + "' must be a mapping of " + Arrays.stream(type.getRecordComponents())
          .map(RecordComponent::getName).collect(Collectors.joining(", ")) + ", got a "
          + (node instanceof SequenceNode ? "list" : "scalar"));
      return null;
    }
    int at = line;
    return bind(type, (MappingNode) node, line, (l, msg) -> errors.add(l == 0 ? at : l, "'" + name + "': " + msg));
  }

  /** The record as a plain map (for manifests / JSON); nested records become nested maps. */
  public static Map<String, Object> toMap(Record config) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent rc : config.getClass().getRecordComponents()) {
      try {
        Object v = rc.getAccessor().invoke(config);
        out.put(rc.getName(), v instanceof Enum<?> en ? en.name().toLowerCase(Locale.ROOT)
            : v instanceof Record r ? toMap(r) : v);
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
        return Integer.parseInt(v.replace("_", ""));
      } else if (cls == long.class || cls == Long.class) {
        return Long.parseLong(v.replace("_", ""));
      } else if (cls == double.class || cls == Double.class) {
        return Double.parseDouble(v.replace("_", ""));
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
    } else if (cls.isRecord()) {
      return "mapping";
    }
    return cls.getSimpleName();
  }

  static int line(Node n) {
    return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }
}
