package org.unetpipelines.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.text.StringEscapeUtils;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.unetpipelines.records.CurvePoint;

/**
 * The training curve: {@link CurvePoint}s appended to a CSV as they happen, and written as an Avro
 * file ({@link #writeAvro}). A resumed run truncates the CSV back to its checkpoint's step, so the
 * curve continues exactly where the checkpoint left it.
 */
public final class CurveLog implements AutoCloseable {
  /**
   * Metrics recorded when a run ends mid-epoch (validation of the final weights) start with this;
   * a resumed run drops them, since the run they closed goes on.
   */
  public static final String FINAL_PREFIX = "final_";
  public static final String HEADER = "run,step,epoch,split,metric,value,elapsed_seconds";

  private final Path csv;
  private final List<CurvePoint> points = new ArrayList<>();
  private BufferedWriter out;

  private CurveLog(Path csv) {
    this.csv = csv;
  }

  /** A new curve (any existing CSV is replaced). */
  public static CurveLog create(Path csv) throws IOException {
    CurveLog log = new CurveLog(csv);
    Files.createDirectories(csv.toAbsolutePath().getParent());
    log.out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8);
    log.out.write(HEADER);
    log.out.newLine();
    log.out.flush();
    return log;
  }

  /** Reopens a curve, keeping the points with step <= {@code upToStep} (the checkpoint's step). */
  public static CurveLog resume(Path csv, long upToStep) throws IOException {
    List<CurvePoint> kept = new ArrayList<>();
    if (Files.exists(csv)) {
      for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
        if (line.isEmpty() || line.equals(HEADER)) {
          continue;
        }
        CurvePoint p = parse(line);
        if (p.getStep() <= upToStep && !p.getMetric().startsWith(FINAL_PREFIX)) {
          kept.add(p);
        }
      }
    }
    CurveLog log = create(csv);
    for (CurvePoint p : kept) {
      log.add(p);
    }
    return log;
  }

  /** One CSV line: the run id (CSV-quoted when it holds a comma, e.g. a grid cell's) and six plain fields. */
  private static CurvePoint parse(String line) {
    int cut = line.length();
    for (int k = 0; k < 6 && cut > 0; k++) {
      cut = line.lastIndexOf(',', cut - 1);
    }
    String[] rest = cut < 0 ? new String[0] : line.substring(cut + 1).split(",", -1);
    if (cut < 0 || rest.length != 6) {
      throw new IllegalArgumentException("bad curve line (want 7 fields: " + HEADER + "): " + line);
    }
    String[] f = new String[7];
    f[0] = StringEscapeUtils.unescapeCsv(line.substring(0, cut));
    System.arraycopy(rest, 0, f, 1, 6);
    return CurvePoint.newBuilder().setRun(f[0]).setStep(Long.parseLong(f[1])).setEpoch(Integer.parseInt(f[2]))
        .setSplit(f[3]).setMetric(f[4]).setValue(Double.parseDouble(f[5])).setElapsedSeconds(Double.parseDouble(f[6]))
        .build();
  }

  public void add(CurvePoint p) throws IOException {
    points.add(p);
    out.write(String.format(Locale.ROOT, "%s,%d,%d,%s,%s,%s,%.3f", StringEscapeUtils.escapeCsv(p.getRun()), p.getStep(), p.getEpoch(),
        p.getSplit(), p.getMetric(), Double.toString(p.getValue()), p.getElapsedSeconds()));
    out.newLine();
  }

  public void add(String run, long step, long epoch, String split, String metric, double value, double elapsed)
      throws IOException {
    add(CurvePoint.newBuilder().setRun(run).setStep(step).setEpoch((int) epoch).setSplit(split).setMetric(metric)
        .setValue(value).setElapsedSeconds(elapsed).build());
  }

  public void flush() throws IOException {
    out.flush();
  }

  public List<CurvePoint> points() {
    return List.copyOf(points);
  }

  /** Values of one (split, metric) series in step order. */
  public static List<Double> series(List<CurvePoint> points, String split, String metric) {
    List<Double> v = new ArrayList<>();
    for (CurvePoint p : points) {
      if (p.getSplit().equals(split) && p.getMetric().equals(metric)) {
        v.add(p.getValue());
      }
    }
    return v;
  }

  public void writeAvro(Path file) throws IOException {
    try (DataFileWriter<CurvePoint> w = new DataFileWriter<>(new SpecificDatumWriter<>(CurvePoint.class))) {
      w.create(CurvePoint.getClassSchema(), file.toFile());
      for (CurvePoint p : points) {
        w.append(p);
      }
    }
  }

  public static List<CurvePoint> readAvro(Path file) throws IOException {
    List<CurvePoint> out = new ArrayList<>();
    try (DataFileReader<CurvePoint> r = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(CurvePoint.class))) {
      r.forEach(out::add);
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  /** The CSV file. */
  public Path csv() {
    return csv;
  }
}
