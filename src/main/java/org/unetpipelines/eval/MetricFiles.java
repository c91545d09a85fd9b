package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.commons.text.StringEscapeUtils;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.MetricRecord;

/**
 * Metric and curve files: {@code metrics.avro}, {@code metrics.csv} and {@code metrics.jsonl} (the
 * same records, sorted, so the files are byte-identical on every runner), and training-curve files
 * (CSV with the header {@code run,step,epoch,split,metric,value,elapsedSeconds}, or Avro).
 */
public final class MetricFiles {
  public static final String AVRO = "metrics.avro";
  public static final String CSV = "metrics.csv";
  public static final String JSONL = "metrics.jsonl";
  public static final List<String> CSV_COLUMNS = List.of(
      "run", "model", "variant", "dataset", "split", "imageId", "metric", "value", "n", "std", "ciLow", "ciHigh");

  /** Order of the files: aggregates (imageId null) first, then by run, model, ..., image, metric. */
  public static final Comparator<MetricRecord> ORDER = Comparator
      .comparing((MetricRecord r) -> r.getImageId() != null)
      .thenComparing(MetricRecord::getRun).thenComparing(MetricRecord::getModel)
      .thenComparing(MetricRecord::getVariant).thenComparing(MetricRecord::getDataset)
      .thenComparing(MetricRecord::getSplit)
      .thenComparing(r -> r.getImageId() == null ? "" : r.getImageId())
      .thenComparing(MetricRecord::getMetric);

  private MetricFiles() {}

  /** Writes the three metric files into {@code dir} (created if absent); returns the sorted records. */
  public static List<MetricRecord> write(Path dir, List<MetricRecord> records) {
    List<MetricRecord> sorted = new ArrayList<>(records);
    sorted.sort(ORDER);
    try {
      Files.createDirectories(dir);
      writeAvro(dir.resolve(AVRO), sorted, MetricRecord.class);
      StringBuilder csv = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
      StringBuilder jsonl = new StringBuilder();
      ObjectMapper om = new ObjectMapper();
      for (MetricRecord r : sorted) {
        csv.append(String.join(",", esc(r.getRun()), esc(r.getModel()), esc(r.getVariant()), esc(r.getDataset()),
            esc(r.getSplit()), r.getImageId() == null ? "" : esc(r.getImageId()), esc(r.getMetric()),
            num(r.getValue()), Long.toString(r.getN()), num(r.getStd()), num(r.getCiLow()), num(r.getCiHigh())))
            .append('\n');
        ObjectNode o = om.createObjectNode();
        o.put("run", r.getRun()).put("model", r.getModel()).put("variant", r.getVariant())
            .put("dataset", r.getDataset()).put("split", r.getSplit()).put("imageId", r.getImageId())
            .put("metric", r.getMetric()).put("value", r.getValue()).put("n", r.getN())
            .put("std", r.getStd()).put("ciLow", r.getCiLow()).put("ciHigh", r.getCiHigh());
        jsonl.append(om.writeValueAsString(o)).append('\n');
      }
      Files.writeString(dir.resolve(CSV), csv, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve(JSONL), jsonl, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics to " + dir + ": " + e.getMessage(), e);
    }
    return sorted;
  }

  private static String esc(String s) {
    return StringEscapeUtils.escapeCsv(s);
  }

  private static String num(Double d) {
    return d == null || d.isNaN() ? "" : Double.toString(d);
  }

  /** Reads metric records from a {@code metrics.avro} file, or from a folder holding one. */
  public static List<MetricRecord> readMetrics(Path fileOrDir) {
    Path f = Files.isDirectory(fileOrDir) ? fileOrDir.resolve(AVRO) : fileOrDir;
    checkArgument(Files.isRegularFile(f), "no metrics file %s (expected %s written by Evaluate)", f, AVRO);
    return readAvro(f, MetricRecord.class);
  }

  /**
   * Reads training-curve points from an Avro file ({@code .avro}) or a CSV file with a header
   * naming at least run, step, epoch, split, metric, value (elapsedSeconds optional).
   */
  public static List<CurvePoint> readCurve(Path file) {
    checkArgument(Files.isRegularFile(file), "no training curve file %s", file);
    if (file.getFileName().toString().endsWith(".avro")) {
      return readAvro(file, CurvePoint.class);
    }
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      checkArgument(!lines.isEmpty(), "training curve %s is empty", file);
      List<String> header = splitCsv(lines.get(0));
      Map<String, Integer> col = new HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        col.put(header.get(i).trim(), i);
      }
      for (String need : List.of("run", "step", "epoch", "split", "metric", "value")) {
        checkArgument(col.containsKey(need), "training curve %s: header %s has no column '%s'", file, header, need);
      }
      List<CurvePoint> out = new ArrayList<>();
      for (int ln = 1; ln < lines.size(); ln++) {
        if (lines.get(ln).isBlank()) {
          continue;
        }
        List<String> v = splitCsv(lines.get(ln));
        try {
          out.add(CurvePoint.newBuilder().setRun(v.get(col.get("run"))).setStep(Long.parseLong(v.get(col.get("step"))))
              .setEpoch(Integer.parseInt(v.get(col.get("epoch")))).setSplit(v.get(col.get("split")))
              .setMetric(v.get(col.get("metric"))).setValue(Double.parseDouble(v.get(col.get("value"))))
              .setElapsedSeconds(col.containsKey("elapsedSeconds") && !v.get(col.get("elapsedSeconds")).isEmpty()
                  ? Double.parseDouble(v.get(col.get("elapsedSeconds"))) : 0.0)
              .build());
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("training curve " + file + " line " + (ln + 1) + ": " + e.getMessage(), e);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Splits one CSV line (RFC 4180 quoting: "a ""b""",c). */
  static List<String> splitCsv(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cur.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    out.add(cur.toString());
    return out;
  }

  private static <T extends SpecificRecordBase> void writeAvro(Path f, List<T> records, Class<T> type)
      throws IOException {
    // A fixed sync marker (Avro picks a random one) keeps the file byte-identical between runs.
    byte[] sync = java.util.Arrays.copyOf(
        com.google.common.hash.Hashing.sha256().hashString(type.getName(), StandardCharsets.UTF_8).asBytes(), 16);
    try (DataFileWriter<T> w = new DataFileWriter<>(new SpecificDatumWriter<>(type))) {
      // The writer closes the stream.
      w.create(records.isEmpty() ? specificSchema(type) : records.get(0).getSchema(), Files.newOutputStream(f), sync);
      for (T r : records) {
        w.append(r);
      }
    }
  }

  private static org.apache.avro.Schema specificSchema(Class<?> type) {
    return org.apache.avro.specific.SpecificData.get().getSchema(type);
  }

  private static <T> List<T> readAvro(Path f, Class<T> type) {
    List<T> out = new ArrayList<>();
    try (DataFileReader<T> r = new DataFileReader<>(f.toFile(), new SpecificDatumReader<>(type))) {
      r.forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Avro file " + f + ": " + e.getMessage(), e);
    }
    return out;
  }
}
