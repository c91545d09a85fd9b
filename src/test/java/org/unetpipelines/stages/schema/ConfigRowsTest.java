package org.unetpipelines.stages.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.engine.Param;
import org.unetpipelines.stages.augment.ElasticDeform;
import org.unetpipelines.stages.io.WriteShards;

public class ConfigRowsTest {
  /** A record with every supported field type. */
  public enum Colour { DARK_RED, BLUE }

  public record AllTypes(
      @Param(doc = "a flag", def = "true") boolean flag,
      @Param(doc = "a count") int count,
      @Param(doc = "a big number", def = "12345678901") long big,
      @Param(doc = "a ratio", def = "0.25") double ratio,
      @Param(doc = "a name", def = Param.NULL) String name,
      @Param(doc = "a colour", def = "dark-red") Colour colour,
      @Param(doc = "sizes", def = "[1, 2]") List<Integer> sizes,
      @Param(doc = "an optional count", def = Param.NULL) Integer maybe) {}

  @Test
  void schemaFollowsTheRecordAndItsParams() {
    Schema s = ConfigRows.schema(AllTypes.class);
    assertEquals(List.of("flag", "count", "big", "ratio", "name", "colour", "sizes", "maybe"), s.getFieldNames());
    assertEquals(FieldType.BOOLEAN.withNullable(true), s.getField("flag").getType());
    assertEquals(FieldType.INT32, s.getField("count").getType(), "required fields are not nullable");
    assertEquals(FieldType.INT64.withNullable(true), s.getField("big").getType());
    assertEquals(FieldType.DOUBLE.withNullable(true), s.getField("ratio").getType());
    assertEquals(FieldType.STRING.withNullable(true), s.getField("name").getType());
    assertEquals(FieldType.STRING.withNullable(true), s.getField("colour").getType());
    assertEquals(FieldType.array(FieldType.INT32).withNullable(true), s.getField("sizes").getType());
    assertEquals("dark_red|blue: a colour (default: dark-red)", s.getField("colour").getDescription());
    assertEquals("integer: a count (required)", s.getField("count").getDescription());
    assertEquals("integer: an optional count (default: (none))", s.getField("maybe").getDescription());
  }

  @Test
  void absentAndNullFieldsTakeTheParamDefaults() {
    Schema s = ConfigRows.schema(AllTypes.class);
    Row row = Row.withSchema(s).withFieldValue("count", 4).build(); // all other fields null
    List<String> errors = new ArrayList<>();
    AllTypes c = ConfigRows.bind(AllTypes.class, ConfigRows.values(row), errors);
    assertEquals(List.of(), errors);
    assertEquals(new AllTypes(true, 4, 12345678901L, 0.25, null, Colour.DARK_RED, List.of(1, 2), null), c);
  }

  @Test
  void rowRoundTripsThroughTheRecord() {
    AllTypes c = new AllTypes(false, 7, -3L, 1e-4, "x: {y}", Colour.BLUE, List.of(5), 9);
    Row row = ConfigRows.toRow(c);
    assertEquals("blue", row.getString("colour"));
    List<String> errors = new ArrayList<>();
    assertEquals(c, ConfigRows.bind(AllTypes.class, ConfigRows.values(row), errors));
    assertEquals(List.of(), errors);
  }

  @Test
  void stageConfigDefaultsAreTheYamlDefaults() {
    Schema s = ConfigRows.schema(ElasticDeform.Config.class);
    assertEquals(List.of("grid", "sigma", "order", "copies", "crop_height", "crop_width"), s.getFieldNames());
    List<String> errors = new ArrayList<>();
    ElasticDeform.Config c = ConfigRows.bind(ElasticDeform.Config.class,
        ConfigRows.values(Row.nullRow(s)), errors);
    assertEquals(new ElasticDeform.Config(3, 10.0, Interpolation.CUBIC, 1, null, null), c);
    assertFalse(ConfigRows.schema(WriteShards.Config.class).getField("path").getType().getNullable());
  }

  @Test
  void valuesOfOtherWidthsBindAsTheYamlWould() {
    // Python SDKs send integers as INT64: an int field accepts them as a YAML file's "3" would.
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("grid", 5L);
    v.put("sigma", 4); // an integer for a number
    v.put("order", "LINEAR");
    List<String> errors = new ArrayList<>();
    ElasticDeform.Config c = ConfigRows.bind(ElasticDeform.Config.class, v, errors);
    assertEquals(List.of(), errors);
    assertEquals(5, c.grid());
    assertEquals(4.0, c.sigma());
    assertEquals(Interpolation.LINEAR, c.order());
  }

  @Test
  void everyBadValueIsReportedWithWhatIsAllowed() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("order", "spline");
    v.put("grdi", 3);
    v.put("copies", 2.5);
    List<String> errors = new ArrayList<>();
    assertNull(ConfigRows.bind(ElasticDeform.Config.class, v, errors));
    assertEquals(3, errors.size(), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("unknown config key 'grdi' (did you mean 'grid'?)")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("'order' must be one of nearest | linear | cubic, got 'spline'")),
        errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("'copies' must be integer, got '2.5'")), errors.toString());

    List<String> missing = new ArrayList<>();
    assertNull(ConfigRows.bind(WriteShards.Config.class, Map.of("shards", 2), missing));
    assertEquals(1, missing.size());
    assertTrue(missing.get(0).contains("missing required config key 'path'"), missing.get(0));
  }

  @Test
  void unsupportedFieldTypesAreRefusedByName() {
    record Bad(@Param(doc = "no schema type") java.time.Duration d) {}
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ConfigRows.schema(Bad.class));
    assertTrue(e.getMessage().contains("Bad.d has type class java.time.Duration"), e.getMessage());
  }
}
