package org.unetpipelines.stages.schema;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.beam.sdk.values.Row;
import org.unetpipelines.engine.ConfigBinder;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A stage's config record as a Beam {@link Schema}, and a Beam {@link Row} back to the record.
 *
 * <p>One definition: the schema is read off the record's components and their {@code @Param}
 * annotations (the same ones {@code unet-pipelines stages} prints), and a row is bound by the
 * engine's own {@link ConfigBinder} — the row's values become the same YAML nodes a pipeline file
 * would hold, so defaults, enum spellings, number parsing, unknown-key errors and the record's own
 * checks are exactly those of a pipeline file.
 *
 * <p>Field types: {@code boolean}, {@code int}, {@code long}, {@code double} (and boxed) map to
 * BOOLEAN, INT32, INT64, DOUBLE; {@code String} and enums to STRING (enums written as in YAML, e.g.
 * {@code cubic}); {@code List<X>} to an ARRAY of X; a nested record to a ROW; an inline record's fields are the
 * enclosing record's own. A field whose
 * {@code @Param} has a default is nullable (null or absent = the default); a required one is not.
 */
public final class ConfigRows {
  private ConfigRows() {}

  /** The Beam schema of a config record: its components in order, each described by its {@code @Param}. */
  public static Schema schema(Class<? extends Record> cls) {
    Map<String, ConfigBinder.FieldInfo> info = new LinkedHashMap<>();
    ConfigBinder.describe(cls).forEach(f -> info.put(f.name(), f));
    Schema.Builder b = Schema.builder();
    for (RecordComponent rc : cls.getRecordComponents()) {
      org.unetpipelines.engine.Param param = rc.getAnnotation(org.unetpipelines.engine.Param.class);
      if (param != null && param.inline()) {
        // an inline record's keys are the enclosing config's own (as in a pipeline file)
        schema(rc.getType().asSubclass(Record.class)).getFields().forEach(b::addField);
        continue;
      }
      ConfigBinder.FieldInfo f = info.get(rc.getName());
      FieldType t = fieldType(rc.getGenericType(), cls.getName() + "." + rc.getName());
      b.addField(Schema.Field.of(rc.getName(), f.required() ? t : t.withNullable(true))
          .withDescription(description(f)));
    }
    return b.build();
  }

  /** {@code "<type>: <doc> [<range>] (default: <value>)"}, or {@code "(required)"}: what {@code stages} prints. */
  static String description(ConfigBinder.FieldInfo f) {
    return f.type() + ": " + f.docWithRange() + (f.required() ? " (required)" : " (default: " + f.defaultText() + ")");
  }

  private static FieldType fieldType(Type type, String where) {
    if (type instanceof ParameterizedType pt && pt.getRawType() == List.class) {
      return FieldType.array(fieldType(pt.getActualTypeArguments()[0], where));
    }
    Class<?> c = (Class<?>) type;
    if (c == boolean.class || c == Boolean.class) {
      return FieldType.BOOLEAN;
    } else if (c == int.class || c == Integer.class) {
      return FieldType.INT32;
    } else if (c == long.class || c == Long.class) {
      return FieldType.INT64;
    } else if (c == double.class || c == Double.class) {
      return FieldType.DOUBLE;
    } else if (c == String.class || c.isEnum()) {
      return FieldType.STRING;
    } else if (c.isRecord()) {
      @SuppressWarnings("unchecked")
      Class<? extends Record> rec = (Class<? extends Record>) c;
      return FieldType.row(schema(rec));
    }
    throw new IllegalStateException("config field " + where + " has type " + type
        + ", which has no Beam schema type (allowed: boolean, int, long, double, String, enums, List, records)");
  }

  /**
   * The non-null values of a row as plain data (numbers, booleans, strings, lists, maps for nested
   * rows), in the row's field order. Null fields are left out: the record's default applies.
   */
  public static Map<String, Object> values(Row row) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (row == null) {
      return out;
    }
    for (Schema.Field f : row.getSchema().getFields()) {
      Object v = plain(row.getValue(f.getName()));
      if (v != null) {
        out.put(f.getName(), v);
      }
    }
    return out;
  }

  private static Object plain(Object v) {
    if (v instanceof Row r) {
      return values(r);
    } else if (v instanceof Collection<?> c) {
      List<Object> l = new ArrayList<>();
      c.forEach(x -> l.add(plain(x)));
      return l;
    } else if (v instanceof EnumerationType.Value e) {
      return String.valueOf(e.getValue());
    }
    return v;
  }

  /**
   * Binds plain values (as from {@link #values}) to the record with the engine's binder.
   *
   * @param errors where each problem goes (unknown or missing keys, wrong types, rejected values)
   * @return the record, or null when there were errors
   */
  public static <C extends Record> C bind(Class<C> cls, Map<String, Object> values, List<String> errors) {
    return ConfigBinder.bind(cls, mapping(values), 0, (line, message) -> errors.add(message));
  }

  /** The record as a row of {@link #schema} (enums in their YAML spelling). */
  public static Row toRow(Record config) {
    Schema s = schema(config.getClass());
    Row.Builder b = Row.withSchema(s);
    for (Map.Entry<String, Object> e : ConfigBinder.toMap(config).entrySet()) {
      b.addValue(rowValue(e.getValue(), s.getField(e.getKey()).getType()));
    }
    return b.build();
  }

  private static Object rowValue(Object v, FieldType t) {
    if (v == null) {
      return null;
    } else if (v instanceof Record r) {
      return toRow(r);
    } else if (v instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT);
    } else if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(rowValue(x, t.getCollectionElementType())));
      return out;
    }
    return v;
  }

  // Plain values as the YAML nodes a pipeline file would give the binder.

  private static MappingNode mapping(Map<?, ?> values) {
    List<NodeTuple> tuples = new ArrayList<>();
    for (Map.Entry<?, ?> e : values.entrySet()) {
      tuples.add(new NodeTuple(scalar(Tag.STR, String.valueOf(e.getKey())), node(e.getValue())));
    }
    return new MappingNode(Tag.MAP, tuples, DumperOptions.FlowStyle.BLOCK);
  }

  private static Node node(Object v) {
    if (v == null) {
      return scalar(Tag.NULL, "null");
    } else if (v instanceof Map<?, ?> m) {
      return mapping(m);
    } else if (v instanceof Collection<?> c) {
      List<Node> items = new ArrayList<>();
      c.forEach(x -> items.add(node(x)));
      return new SequenceNode(Tag.SEQ, items, DumperOptions.FlowStyle.FLOW);
    } else if (v instanceof Boolean) {
      return scalar(Tag.BOOL, v.toString());
    } else if (v instanceof Double || v instanceof Float) {
      return scalar(Tag.FLOAT, v.toString());
    } else if (v instanceof Number) {
      return scalar(Tag.INT, v.toString());
    }
    return scalar(Tag.STR, v.toString());
  }

  private static ScalarNode scalar(Tag tag, String value) {
    return new ScalarNode(tag, value, null, null, DumperOptions.ScalarStyle.PLAIN);
  }
}
