package org.unetpipelines.grid;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.commons.text.StringEscapeUtils;
import org.unetpipelines.records.GridComparison;
import org.unetpipelines.records.GridSummary;

/**
 * The grid's statistics files, in a folder (the run's {@code grid/}): {@code summary.csv},
 * {@code summary.jsonl}, {@code summary.avro} ({@link GridSummary}) and {@code comparisons.csv},
 * {@code comparisons.jsonl}, {@code comparisons.avro} ({@link GridComparison}). The three files of a
 * kind hold the same records in the same order; CSV columns and JSON keys are the Avro field names
 * in schema order (comparisons: {@code metric, cell_a, cell_b, n_a, n_b, mean_a, mean_b, diff, test,
 * statistic, p_value, p_holm, effect_size}); a null is an empty CSV field and a JSON null. Avro files
 * get a fixed sync marker, so the same records give byte-identical files.
 */
public final class GridFiles {
  public static final String SUMMARY = "summary";
  public static final String COMPARISONS = "comparisons";

  private GridFiles() {}

  /** Writes the six files into {@code dir} (created if absent). */
  public static void write(Path dir, List<GridSummary> summaries, List<GridComparison> comparisons) {
    writeAll(dir, SUMMARY, summaries, GridSummary.getClassSchema());
    writeAll(dir, COMPARISONS, comparisons, GridComparison.getClassSchema());
  }

  /** The columns of {@code comparisons.csv}. */
  public static List<String> comparisonColumns() {
    return columns(GridComparison.getClassSchema());
  }

  /** The columns of {@code summary.csv}. */
  public static List<String> summaryColumns() {
    return columns(GridSummary.getClassSchema());
  }

  public static List<GridSummary> readSummaries(Path dir) {
    return readAvro(dir.resolve(SUMMARY + ".avro"), GridSummary.class);
  }

  public static List<GridComparison> readComparisons(Path dir) {
    return readAvro(dir.resolve(COMPARISONS + ".avro"), GridComparison.class);
  }

  private static List<String> columns(Schema s) {
    return s.getFields().stream().map(Schema.Field::name).toList();
  }

  private static <T extends SpecificRecordBase> void writeAll(Path dir, String base, List<T> records, Schema schema) {
    try {
      Files.createDirectories(dir);
      List<Schema.Field> fields = schema.getFields();
      StringBuilder csv = new StringBuilder(String.join(",", columns(schema))).append('\n');
      StringBuilder jsonl = new StringBuilder();
      ObjectMapper om = new ObjectMapper();
      for (T r : records) {
        checkArgument(r.getSchema().equals(schema), "record %s is not a %s", r, schema.getName());
        ObjectNode o = om.createObjectNode();
        List<String> cells = new ArrayList<>();
        for (Schema.Field f : fields) {
          Object v = r.get(f.pos());
          cells.add(csvValue(v));
          if (v == null) {
            o.putNull(f.name());
          } else if (v instanceof Integer i) {
            o.put(f.name(), i);
          } else if (v instanceof Long l) {
            o.put(f.name(), l);
          } else if (v instanceof Double d) {
            checkArgument(Double.isFinite(d), "field %s of %s is %s; files hold finite numbers or null", f.name(), r, d);
            o.put(f.name(), d);
          } else {
            o.put(f.name(), v.toString());
          }
        }
        csv.append(String.join(",", cells)).append('\n');
        jsonl.append(om.writeValueAsString(o)).append('\n');
      }
      Files.writeString(dir.resolve(base + ".csv"), csv, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve(base + ".jsonl"), jsonl, StandardCharsets.UTF_8);
      writeAvro(dir.resolve(base + ".avro"), records, schema);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write grid statistics to " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String csvValue(Object v) {
    if (v == null) {
      return "";
    }
    return v instanceof CharSequence s ? StringEscapeUtils.escapeCsv(s.toString()) : v.toString();
  }

  private static <T extends SpecificRecordBase> void writeAvro(Path f, List<T> records, Schema schema)
      throws IOException {
    byte[] sync = Arrays.copyOf(Hashing.sha256().hashString(schema.getFullName(), StandardCharsets.UTF_8).asBytes(), 16);
    try (DataFileWriter<T> w = new DataFileWriter<>(new SpecificDatumWriter<>(schema))) {
      w.create(schema, Files.newOutputStream(f), sync);
      for (T r : records) {
        w.append(r);
      }
    }
  }

  private static <T> List<T> readAvro(Path f, Class<T> type) {
    checkArgument(Files.isRegularFile(f), "no grid statistics file %s", f);
    List<T> out = new ArrayList<>();
    try (DataFileReader<T> r = new DataFileReader<>(f.toFile(), new SpecificDatumReader<>(type))) {
      r.forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Avro file " + f + ": " + e.getMessage(), e);
    }
    return out;
  }
}
