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
 * {@code List} of those; nested records; interfaces with registered {@link ConfigChoice}s (a
 * mapping whose choice key picks the record) and {@code List}s of them (a sequence of such mappings). A scalar where a list is expected becomes a one-element list. Numbers are
 * checked against their field's {@link Param#min}..{@link Param#max}; integers that overflow their
 * type and non-finite doubles are errors.
 */
public final class ConfigBinder {
  private ConfigBinder() {}

  /** A field of a config record, as shown by {@code unet-pipelines stages}. */
  public record FieldInfo(String name, String type, String defaultText, boolean required, String doc, String range) {
    /** The description with the allowed range, e.g. {@code "pixels added above [0..8192]"}, {@code "... (0, 10]"}. */
    public String docWithRange() {
      return range.isEmpty() ? doc : range.startsWith("(") || range.startsWith("[") ? doc + " " + range
          : doc + " [" + range + "]";
    }
  }

  /** Collects errors with their line numbers. */
  public interface Errors {
    void add(int line, String message);
  }

  public static List<FieldInfo> describe(Class<? extends Record> cls) {
    List<FieldInfo> out = new ArrayList<>();
    for (RecordComponent rc : cls.getRecordComponents()) {
      Param p = param(rc);
      if (p.inline()) {
        out.addAll(describe(rc.getType().asSubclass(Record.class)));
        continue;
      }
      if (p.internal()) {
        continue;
      }
      String def = p.def();
      boolean required = Param.REQUIRED.equals(def);
      String defText = required ? "" : Param.NULL.equals(def) ? "(none)" : def;
      out.add(new FieldInfo(key(rc), typeName(rc.getGenericType()), defText, required, p.doc(), range(p)));
    }
    return out;
  }

  /** The YAML key of a record component: its {@link Param#name()}, or the component's name. */
  public static String key(RecordComponent rc) {
    String n = param(rc).name();
    return n.isEmpty() ? rc.getName() : n;
  }

  /** The keys a record accepts (inline records' keys included), in declaration order. */
  public static List<String> keys(Class<?> cls) {
    List<String> out = new ArrayList<>();
    for (RecordComponent rc : cls.getRecordComponents()) {
      if (param(rc).inline()) {
        out.addAll(keys(rc.getType()));
      } else if (!param(rc).internal()) {
        out.add(key(rc));
      }
    }
    return out;
  }

  /** The record with every field at its default (fails when a field is required). */
  public static <C extends Record> C defaults(Class<C> cls) {
    return defaults(cls, Map.of());
  }

  /** The record with every field at its default but those given (key to YAML text). */
  public static <C extends Record> C defaults(Class<C> cls, Map<String, String> given) {
    List<String> problems = new ArrayList<>();
    C c = bindMapping(cls, null, 0, (line, msg) -> problems.add(msg), given, "", null, null);
    if (c == null) {
      throw new IllegalArgumentException(cls.getSimpleName() + " has no complete defaults: " + problems);
    }
    return c;
  }

  /** Binds {@code node} (may be null = empty config); returns null when there were errors. */
  public static <C extends Record> C bind(Class<C> cls, MappingNode node, int stageLine, Errors errors) {
    return bindMapping(cls, node, stageLine, errors, Map.of(), "", null, null);
  }

  /**
   * Binds one mapping to {@code cls}: unknown keys are errors naming the allowed ones, then every
   * component is bound (inline records from the same mapping).
   *
   * @param overrides defaults that replace the record's own (a choice's)
   * @param context prefix of error messages for nested values, e.g. {@code "'model' (family unetpp): "}
   * @param choiceKey a choice's key that is accepted although {@code cls} has no such component (or null)
   */
  private static <C extends Record> C bindMapping(Class<C> cls, MappingNode node, int line, Errors errors,
      Map<String, String> overrides, String context, String allowedWhat, String choiceKey) {
    Map<String, NodeTuple> given = new LinkedHashMap<>();
    if (node != null) {
      for (NodeTuple t : node.getValue()) {
        given.put(((ScalarNode) t.getKeyNode()).getValue(), t);
      }
    }
    List<String> allowed = keys(cls);
    boolean ok = true;
    for (Map.Entry<String, NodeTuple> e : given.entrySet()) {
      if (!allowed.contains(e.getKey()) && !e.getKey().equals(choiceKey)) {
        errors.add(line(e.getValue().getKeyNode()), context + "unknown config key '" + e.getKey() + "'"
            + Suggest.closest(e.getKey(), allowed) + nestedHint(cls, e.getKey()) + "; allowed keys"
            + (allowedWhat == null ? "" : " " + allowedWhat) + ": " + String.join(", ", allowed));
        ok = false;
      }
    }
    C c = construct(cls, given, node == null ? line : line(node), errors, overrides, context);
    return ok ? c : null;
  }

  /** " (a key of 'model': write it under 'model:')" when {@code key} belongs to a nested field of {@code cls}. */
  private static String nestedHint(Class<?> cls, String key) {
    for (RecordComponent rc : cls.getRecordComponents()) {
      Class<?> t = rc.getType();
      List<Class<?>> candidates = new ArrayList<>();
      if (t.isRecord() && !param(rc).inline()) {
        candidates.add(t);
      } else if (t.isInterface()) {
        ConfigChoices.of(t).forEach(c -> candidates.add(c.config()));
      }
      for (Class<?> c : candidates) {
        if (keys(c).contains(key)) {
          return " (a key of '" + key(rc) + "': write it under '" + key(rc) + ":')";
        }
      }
    }
    return "";
  }

  private static <C extends Record> C construct(Class<C> cls, Map<String, NodeTuple> given, int line, Errors errors,
      Map<String, String> overrides, String context) {
    RecordComponent[] comps = cls.getRecordComponents();
    Object[] args = new Object[comps.length];
    boolean ok = true;
    for (int i = 0; i < comps.length; i++) {
      RecordComponent rc = comps[i];
      Param p = param(rc);
      if (p.inline()) {
        args[i] = construct(rc.getType().asSubclass(Record.class), given, line, errors, overrides, context);
        ok &= args[i] != null;
        continue;
      }
      String key = key(rc);
      NodeTuple t = p.internal() ? null : given.get(key);
      try {
        if (t == null) {
          String def = overrides.getOrDefault(key, p.def());
          if (Param.REQUIRED.equals(def)) {
            errors.add(line, context + "missing required config key '" + key + "' (" + p.doc() + ")");
            ok = false;
          } else if (Param.NULL.equals(def)) {
            args[i] = nullValue(rc.getType());
          } else {
            args[i] = value(PipelineFile.parseFragment(def), rc.getGenericType(), key, errors, context);
          }
        } else {
          args[i] = value(t.getValueNode(), rc.getGenericType(), key, errors, context);
        }
        if (args[i] == FAILED) {
          ok = false;
        }
        checkRange(p, key, args[i]);
      } catch (BindException ex) {
        errors.add(t == null ? line : line(t.getValueNode()), context + ex.getMessage());
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
      // The record's compact constructor rejected values: report every problem it found (ConfigChecks).
      for (String problem : ConfigChecks.problemsOf(e.getCause())) {
        errors.add(line, context + problem);
      }
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct config " + cls.getName(), e);
    }
  }

  /** Marks a nested value whose errors were already reported. */
  private static final Object FAILED = new Object();

  /** A field's value: a nested record, a registered choice, or a plain value ({@link #convert}). */
  private static Object value(Node node, Type type, String field, Errors errors, String context) throws BindException {
    Class<?> raw = type instanceof Class<?> c ? c : null;
    if (raw != null && raw.isRecord()) {
      if (isNull(node)) {
        return null;
      }
      if (!(node instanceof MappingNode m)) {
        throw new BindException("'" + field + "' must be a mapping of " + String.join(", ", keys(raw)));
      }
      Object v = bindMapping(raw.asSubclass(Record.class), m, line(m), errors, Map.of(), context + "'" + field + "': ", null,
          null);
      return v == null ? FAILED : v;
    }
    if (raw != null && raw.isInterface() && !ConfigChoices.of(raw).isEmpty()) {
      return choice(node, raw, field, errors, context);
    }
    Class<?> choiceList = choiceListElement(type);
    if (choiceList != null) {
      if (isNull(node)) {
        return List.of();
      }
      List<ConfigChoice> choices = ConfigChoices.of(choiceList);
      if (!(node instanceof SequenceNode seq)) {
        throw new BindException("'" + field + "' must be a list of mappings, each with '" + choices.get(0).key() + "': "
            + choices.stream().map(ConfigChoice::name).collect(Collectors.joining(" | ")) + " and that "
            + choices.get(0).key() + "'s keys");
      }
      List<Object> out = new ArrayList<>();
      boolean failed = false;
      for (int i = 0; i < seq.getValue().size(); i++) {
        Object v = choice(seq.getValue().get(i), choiceList, field + "[" + i + "]", errors, context);
        failed |= v == FAILED;
        out.add(v);
      }
      return failed ? FAILED : List.copyOf(out);
    }
    return convert(node, type, field);
  }

  /** The element type of a {@code List} of a choice interface, or null for any other type. */
  private static Class<?> choiceListElement(Type type) {
    if (type instanceof ParameterizedType pt && pt.getRawType() == List.class
        && pt.getActualTypeArguments()[0] instanceof Class<?> e && e.isInterface() && !ConfigChoices.of(e).isEmpty()) {
      return e;
    }
    return null;
  }

  private static Object choice(Node node, Class<?> base, String field, Errors errors, String context)
      throws BindException {
    List<ConfigChoice> choices = ConfigChoices.of(base);
    String key = choices.get(0).key();
    List<String> names = choices.stream().map(ConfigChoice::name).collect(Collectors.toList());
    if (!(node instanceof MappingNode m)) {
      throw new BindException("'" + field + "' must be a mapping with '" + key + "': " + String.join(" | ", names)
          + " and that " + key + "'s keys");
    }
    String name = null;
    Node nameNode = m;
    for (NodeTuple t : m.getValue()) {
      if (key.equals(((ScalarNode) t.getKeyNode()).getValue()) && t.getValueNode() instanceof ScalarNode s) {
        name = s.getValue();
        nameNode = s;
      }
    }
    if (name == null) {
      errors.add(line(m), context + "'" + field + "' needs '" + key + "': one of " + String.join(" | ", names));
      return FAILED;
    }
    for (ConfigChoice c : choices) {
      if (c.name().equals(name)) {
        Object v = bindMapping(c.config(), m, line(m), errors, c.defaults(),
            context + "'" + field + "' (" + key + " " + name + "): ", "of " + key + " " + name, key);
        return v == null ? FAILED : v;
      }
    }
    errors.add(line(nameNode), context + "'" + field + "." + key + "' must be one of " + String.join(" | ", names)
        + ", got '" + name + "'" + Suggest.closest(name, names));
    return FAILED;
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
    if (!inRange(p, n.doubleValue())) {
      throw new BindException("'" + field + "' " + mustBe(p) + ", got " + value);
    }
  }

  /** Whether {@code v} lies in the field's range ({@link Param#min}..{@link Param#max}, open ends excluded). */
  public static boolean inRange(Param p, double v) {
    boolean aboveMin = p.minExclusive() ? v > p.min() : v >= p.min();
    boolean belowMax = p.maxExclusive() ? v < p.max() : v <= p.max();
    return aboveMin && belowMax;
  }

  /**
   * A field's range as text: {@code 1..64} (both ends included), {@code (0, 10]} or {@code [0, 1)}
   * (an end excluded), {@code >= 0}, {@code > 0}; empty when it has none.
   */
  public static String range(Param p) {
    boolean hasMin = p.min() != Double.NEGATIVE_INFINITY;
    boolean hasMax = p.max() != Double.POSITIVE_INFINITY;
    if (hasMin && hasMax) {
      if (!p.minExclusive() && !p.maxExclusive()) {
        return number(p.min()) + ".." + number(p.max());
      }
      return (p.minExclusive() ? "(" : "[") + number(p.min()) + ", " + number(p.max()) + (p.maxExclusive() ? ")" : "]");
    }
    return hasMin ? (p.minExclusive() ? "> " : ">= ") + number(p.min())
        : hasMax ? (p.maxExclusive() ? "< " : "<= ") + number(p.max()) : "";
  }

  /** "must be 0..8192", "must be in (0, 10]", "must be >= 0": the start of a range error. */
  static String mustBe(Param p) {
    String r = range(p);
    return "must be " + (r.startsWith("(") || r.startsWith("[") ? "in " : "") + r;
  }

  private static String number(double d) {
    if (d >= 0x1p63) {
      return String.valueOf(Long.MAX_VALUE); // a long field's whole range: Long.MAX_VALUE rounds to 2^63
    } else if (d <= -0x1p63) {
      return String.valueOf(Long.MIN_VALUE);
    }
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** The record as a plain map (for manifests / JSON). */
  public static Map<String, Object> toMap(Record config) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent rc : config.getClass().getRecordComponents()) {
      try {
        Object v = rc.getAccessor().invoke(config);
        if (rc.getAnnotation(Param.class) != null && param(rc).inline() && v != null) {
          out.putAll(toMap((Record) v));
        } else {
          out.put(rc.getAnnotation(Param.class) == null ? rc.getName() : key(rc), plain(v));
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  private static Object plain(Object v) {
    if (v instanceof Enum<?> en) {
      return en.name().toLowerCase(Locale.ROOT);
    } else if (v instanceof Record r) {
      Map<String, Object> m = toMap(r);
      for (ConfigChoice c : ConfigChoices.all()) {
        if (c.config() == r.getClass() && !m.containsKey(c.key())) { // the key names the choice (e.g. type)
          Map<String, Object> named = new LinkedHashMap<>();
          named.put(c.key(), c.name());
          named.putAll(m);
          return named;
        }
      }
      return m;
    } else if (v instanceof List<?> l) {
      return l.stream().map(ConfigBinder::plain).collect(Collectors.toList());
    }
    return v;
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
      } else if (cls == double.class || cls == Double.class || cls == float.class || cls == Float.class) {
        if (v.matches("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)")) { // YAML's infinities and not-a-number
          throw new BindException("'" + field + "' must be a finite number, got '" + v + "'");
        }
        double d = Double.parseDouble(v.replace("_", ""));
        boolean isFloat = cls == float.class || cls == Float.class;
        if (!Double.isFinite(d) || (isFloat && !Float.isFinite((float) d))) {
          throw new BindException("'" + field + "' must be a finite number" + (isFloat ? " (32-bit float)" : "")
              + ", got '" + v + "'");
        }
        return isFloat ? (Object) Float.parseFloat(v.replace("_", "")) : (Object) d;
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
    } else if (cls == double.class || cls == Double.class || cls == float.class || cls == Float.class) {
      return "number";
    } else if (cls == boolean.class || cls == Boolean.class) {
      return "boolean";
    } else if (cls == String.class) {
      return "string";
    } else if (cls.isEnum()) {
      return String.join("|", enumNames(cls));
    } else if (cls.isInterface() && !ConfigChoices.of(cls).isEmpty()) {
      List<ConfigChoice> cs = ConfigChoices.of(cls);
      return "mapping with " + cs.get(0).key() + ": "
          + cs.stream().map(ConfigChoice::name).collect(Collectors.joining("|"));
    } else if (cls.isRecord()) {
      return "mapping of " + String.join(", ", keys(cls));
    }
    return cls.getSimpleName();
  }

  static int line(Node n) {
    return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }
}
