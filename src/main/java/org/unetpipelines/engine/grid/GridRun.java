package org.unetpipelines.engine.grid;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.commons.text.StringEscapeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.unetpipelines.engine.OutputRoot;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.grid.GridFiles;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.MetricRecord;

/**
 * What the engine adds to the Beam pipeline of a grid, besides the cells' stages:
 * <ul>
 *   <li>per cell, once all its stages' outputs are complete ({@link Wait#on}), a completion marker
 *       {@code grid/<cell>/_cell/}: the cell's aggregate metric records ({@code metrics.avro|csv|jsonl})
 *       and, written last, {@code cell.json} ({@link Marker}: status, reasons, the cell's config
 *       fingerprint). A cell is {@code failed} when one of its stages reported a failure of the cell
 *       ({@link StageContext#addCellFailures}, e.g. its training threw) or when it has metric stages
 *       but no aggregate metric record came out; its reasons are kept and the other cells go on;
 *   <li>once every cell's marker is written, the grid's statistics ({@link GridResults}) over the
 *       complete cells into {@code grid/summary.*} and {@code grid/comparisons.*}, and the status of
 *       every cell into {@code grid/cells.csv} and {@code grid/cells.json} (also in the run summary).
 * </ul>
 * Resume: a cell whose marker says {@code complete} with the fingerprint of the cell's current plan
 * is not built again on a rerun into the same output root ({@link #completedCells}); its results are
 * read from its marker folder.
 */
public final class GridRun {
  private static final Logger LOG = LoggerFactory.getLogger(GridRun.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The marker folder inside a cell's folder. */
  public static final String MARKER_DIR = "_cell";
  /** The marker file, written last. */
  public static final String MARKER = "cell.json";
  /** The cells' status table base name, under {@code grid/}. */
  public static final String CELLS = "cells";
  public static final String COMPLETE = "complete";
  public static final String FAILED = "failed";
  /** At most this many reasons are kept per cell. */
  static final int MAX_REASONS = 20;

  private GridRun() {}

  /**
   * A cell's completion marker.
   *
   * @param status {@link #COMPLETE} or {@link #FAILED}
   * @param fingerprint {@link #fingerprint} of the cell's plan when it ran
   * @param reasons why it failed (stage: reason), or the dead letters of a complete cell
   */
  public record Marker(@JsonProperty("cell") String cell, @JsonProperty("status") String status,
      @JsonProperty("seed") long seed, @JsonProperty("fingerprint") String fingerprint,
      @JsonProperty("records") int records, @JsonProperty("dead_letters") int deadLetters,
      @JsonProperty("reasons") List<String> reasons) {}

  /** One row of {@code grid/cells.csv}: a marker and whether this run took it over from an earlier run. */
  public record CellStatus(String cell, String status, boolean resumed, long seed, int records, int deadLetters,
      String reason) {}

  /** The paths the engine writes for a grid, relative to the output root (checked like stage outputs). */
  public static List<String> enginePaths(GridPlan grid) {
    List<String> out = new ArrayList<>();
    for (String base : List.of(GridFiles.SUMMARY, GridFiles.COMPARISONS,
        CELLS)) {
      for (String ext : List.of("csv", "jsonl", "avro", "json")) {
        if (!(base.equals(CELLS) && (ext.equals("avro") || ext.equals("jsonl")))
            && !(!base.equals(CELLS) && ext.equals("json"))) {
          out.add(GridCell.FOLDER + "/" + base + "." + ext);
        }
      }
    }
    out.add(GridCell.FOLDER + "/" + GridReportWriter.FOLDER);
    grid.cells().forEach(c -> out.add(c.folder() + "/" + MARKER_DIR));
    return out;
  }

  /** The cell's plan as text, hashed: a changed config, input or seed of any of its stages changes it. */
  public static String fingerprint(GridPlan grid, GridCell cell) {
    PipelinePlan cp = grid.cellPlan(cell);
    Hasher h = Hashing.sha256().newHasher();
    h.putString(cell.name(), StandardCharsets.UTF_8).putLong(cp.seed()).putLong(grid.baseSeed());
    for (PipelinePlan.StagePlan s : cp.stages()) {
      h.putString("\u0000" + s.name() + "\u0000" + s.type() + "\u0000" + String.join(",", s.inputs()) + "\u0000"
          + s.configJson(), StandardCharsets.UTF_8);
    }
    return h.hash().toString();
  }

  static Path markerDir(OutputRoot root, GridCell cell) {
    return root.resolve(cell.folder() + "/" + MARKER_DIR);
  }

  /** The marker of a cell, or null when it has none or it cannot be read. */
  public static Marker readMarker(OutputRoot root, GridCell cell) {
    Path f = markerDir(root, cell).resolve(MARKER);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      return JSON.readValue(f.toFile(), Marker.class);
    } catch (IOException e) {
      LOG.warn("grid cell {}: marker {} is unreadable ({}); the cell runs again", cell.name(), f, e.getMessage());
      return null;
    }
  }

  /**
   * The cells an earlier run into this output root completed with the same plan: a {@link #COMPLETE}
   * marker with this plan's fingerprint and its metric records beside it. They are not run again.
   */
  public static Set<String> completedCells(GridPlan grid, OutputRoot root) {
    Set<String> out = new LinkedHashSet<>();
    for (GridCell c : grid.cells()) {
      Marker m = readMarker(root, c);
      if (m == null || !COMPLETE.equals(m.status())) {
        continue;
      }
      if (!fingerprint(grid, c).equals(m.fingerprint())) {
        LOG.info("grid cell {}: its outputs come from another config; it runs again", c.name());
        continue;
      }
      if (!Files.isRegularFile(markerDir(root, c).resolve(MetricFiles.AVRO))) {
        continue;
      }
      out.add(c.name());
    }
    return out;
  }

  /**
   * Removes the markers of the cells that run now (before anything runs), so a run that stops half
   * way never leaves a stale {@code complete} marker beside outputs it has begun to replace; and the
   * previous run's cell table, which this run writes anew at its end.
   */
  public static void clearMarkers(GridPlan grid, OutputRoot root, Set<String> resumed) throws IOException {
    Files.deleteIfExists(root.resolve(GridCell.FOLDER + "/" + CELLS + ".json"));
    Files.deleteIfExists(root.resolve(GridCell.FOLDER + "/" + CELLS + ".csv"));
    for (GridCell c : grid.cells()) {
      if (!resumed.contains(c.name())) {
        Files.deleteIfExists(markerDir(root, c).resolve(MARKER));
      }
    }
  }

  /** What the builder collected of one cell's stages. */
  public record CellOutputs(List<PCollection<?>> outputs, List<PCollection<DeadLetter>> deadLetters,
      List<PCollection<DeadLetter>> failures) {}

  /**
   * Adds the markers and the statistics to {@code p}.
   *
   * @param cells the outputs of every cell that runs now, by cell name
   * @param resumed the cells taken over from an earlier run
   */
  public static void expand(Pipeline p, String title, GridPlan grid, OutputRoot root, Map<String, CellOutputs> cells,
      Set<String> resumed) {
    List<PCollection<String>> done = new ArrayList<>();
    for (GridCell c : grid.cells()) {
      if (resumed.contains(c.name())) {
        continue;
      }
      CellOutputs co = cells.getOrDefault(c.name(), new CellOutputs(List.of(), List.of(), List.of()));
      String n = "Grid/" + c.name();
      List<PCollection<MetricRecord>> metricOuts = StageContext.inputsOfType(co.outputs(), MetricRecord.class);
      PCollection<MetricRecord> aggregates = flatten(p, n + "/Metrics", metricOuts, Coders.metricRecord())
          .apply(n + "/Aggregates", Filter.by((MetricRecord r) -> r.getImageId() == null)).setCoder(Coders.metricRecord());
      PCollectionView<List<MetricRecord>> recs = aggregates.apply(n + "/MetricsView", View.asList());
      PCollectionView<List<DeadLetter>> dead = flatten(p, n + "/DeadLetters", co.deadLetters(), Coders.deadLetter())
          .apply(n + "/DeadLettersView", View.asList());
      PCollectionView<List<DeadLetter>> failed = flatten(p, n + "/Failures", co.failures(), Coders.deadLetter())
          .apply(n + "/FailuresView", View.asList());
      PCollection<String> start = p.apply(n + "/Cell", Create.of(c.name()).withCoder(StringUtf8Coder.of()));
      if (!co.outputs().isEmpty()) {
        start = start.apply(n + "/WaitForOutputs", Wait.<String>on(co.outputs())).setCoder(StringUtf8Coder.of());
      }
      done.add(start.apply(n + "/WriteMarker", ParDo.of(new MarkerFn(c, fingerprint(grid, c), !metricOuts.isEmpty(),
          markerDir(root, c).toString(), recs, dead, failed)).withSideInputs(recs, dead, failed))
          .setCoder(StringUtf8Coder.of()));
    }
    if (!resumed.isEmpty()) {
      done.add(p.apply("Grid/Resumed", Create.of(new ArrayList<>(resumed)).withCoder(StringUtf8Coder.of())));
    }
    PCollectionList.of(done).apply("Grid/AllCells", Flatten.pCollections())
        .apply("Grid/Gather", org.apache.beam.sdk.transforms.Combine.globally(new GatherFn()))
        .setCoder(ListCoder.of(StringUtf8Coder.of()))
        .apply("Grid/Summary", ParDo.of(new SummaryFn(title, GridResults.Layout.of(grid), root.path().toString(), resumed)));
  }

  private static <T> PCollection<T> flatten(Pipeline p, String name, List<PCollection<T>> in,
      org.apache.beam.sdk.coders.Coder<T> coder) {
    if (in.isEmpty()) {
      return p.apply(name, Create.empty(coder));
    }
    return PCollectionList.of(in).apply(name, Flatten.pCollections()).setCoder(coder);
  }

  /** The cell names, gathered. */
  static final class GatherFn extends org.apache.beam.sdk.transforms.Combine.CombineFn<String, List<String>, List<String>> {
    @Override
    public List<String> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<String> addInput(List<String> acc, String in) {
      acc.add(in);
      return acc;
    }

    @Override
    public List<String> mergeAccumulators(Iterable<List<String>> accs) {
      List<String> out = new ArrayList<>();
      accs.forEach(out::addAll);
      return out;
    }

    @Override
    public List<String> extractOutput(List<String> acc) {
      return acc;
    }
  }

  /** Writes one cell's marker once its outputs are complete. */
  static final class MarkerFn extends DoFn<String, String> {
    private final GridCell cell;
    private final String fingerprint;
    private final boolean hasMetrics;
    private final String dir;
    private final PCollectionView<List<MetricRecord>> records;
    private final PCollectionView<List<DeadLetter>> dead;
    private final PCollectionView<List<DeadLetter>> failures;

    MarkerFn(GridCell cell, String fingerprint, boolean hasMetrics, String dir,
        PCollectionView<List<MetricRecord>> records, PCollectionView<List<DeadLetter>> dead,
        PCollectionView<List<DeadLetter>> failures) {
      this.cell = cell;
      this.fingerprint = fingerprint;
      this.hasMetrics = hasMetrics;
      this.dir = dir;
      this.records = records;
      this.dead = dead;
      this.failures = failures;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      List<MetricRecord> recs = c.sideInput(records);
      List<DeadLetter> letters = c.sideInput(dead);
      List<DeadLetter> failed = c.sideInput(failures);
      List<String> reasons = new ArrayList<>();
      new TreeSet<>(failed.stream().map(GridRun::reason).toList()).forEach(reasons::add);
      if (failed.isEmpty() && hasMetrics && recs.isEmpty()) {
        reasons.add("its metric stages produced no aggregate metric record");
      }
      String status = reasons.isEmpty() ? COMPLETE : FAILED;
      new TreeSet<>(letters.stream().map(GridRun::reason).toList()).forEach(reasons::add);
      List<String> kept = reasons.size() > MAX_REASONS ? new ArrayList<>(reasons.subList(0, MAX_REASONS)) : reasons;
      if (reasons.size() > MAX_REASONS) {
        kept.add("... and " + (reasons.size() - MAX_REASONS) + " more (see _deadletters/deadletters.jsonl)");
      }
      Path d = Path.of(dir);
      MetricFiles.write(d, recs);
      Marker m = new Marker(cell.name(), status, cell.seed(), fingerprint, recs.size(), letters.size() + failed.size(),
          kept);
      try {
        Path tmp = d.resolve(MARKER + ".tmp");
        JSON.writeValue(tmp.toFile(), m);
        Files.move(tmp, d.resolve(MARKER), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the marker of grid cell " + cell.name() + " in " + d, e);
      }
      if (FAILED.equals(status)) {
        LOG.warn("grid cell {} FAILED: {}", cell.name(), String.join("; ", kept));
      } else {
        LOG.info("grid cell {} complete ({} aggregate metric records)", cell.name(), recs.size());
      }
      c.output(cell.name());
    }
  }

  static String reason(DeadLetter d) {
    return d.getStage() + ": " + d.getReason();
  }

  /** Writes the statistics and the cells' status once every cell is done. */
  static final class SummaryFn extends DoFn<List<String>, Void> {
    private final String title;
    private final GridResults.Layout grid;
    private final String root;
    private final Set<String> resumed;

    SummaryFn(String title, GridResults.Layout grid, String root, Set<String> resumed) {
      this.title = title;
      this.grid = grid;
      this.root = root;
      this.resumed = Set.copyOf(resumed);
    }

    @ProcessElement
    public void process(@Element List<String> cells) {
      summarize(title, grid, new OutputRoot(Path.of(root)), resumed);
    }
  }

  /**
   * Reads every cell's marker and writes {@code grid/cells.*}, the statistics over the complete
   * cells, and the grid report. Returns the cells' status.
   */
  public static List<CellStatus> summarize(String title, GridResults.Layout grid, OutputRoot root,
      Set<String> resumed) {
    List<CellStatus> status = new ArrayList<>();
    List<MetricRecord> records = new ArrayList<>();
    Set<String> complete = new LinkedHashSet<>();
    for (GridCell c : grid.cells()) {
      Marker m = readMarker(root, c);
      if (m == null) {
        status.add(new CellStatus(c.name(), FAILED, false, c.seed(), 0, 0, "no completion marker was written"));
        continue;
      }
      String reason = String.join("; ", m.reasons());
      status.add(new CellStatus(c.name(), m.status(), resumed.contains(c.name()), m.seed(), m.records(),
          m.deadLetters(), reason));
      if (COMPLETE.equals(m.status())) {
        complete.add(c.statsCell());
        records.addAll(MetricFiles.readMetrics(markerDir(root, c).resolve(MetricFiles.AVRO)));
      }
    }
    Path dir = root.resolve(GridCell.FOLDER);
    writeCells(dir, status);
    GridResults.Tables tables = GridResults.compute(grid, records);
    GridFiles.write(dir, tables.summaries(), tables.comparisons());
    GridReportWriter.write(title, grid, root, status, tables, records);
    long failed = status.stream().filter(s -> !COMPLETE.equals(s.status())).count();
    LOG.info("grid: {} of {} cells complete ({} resumed), {} failed; statistics in {}", status.size() - failed,
        status.size(), resumed.size(), failed, dir);
    return status;
  }

  private static void writeCells(Path dir, List<CellStatus> status) {
    try {
      Files.createDirectories(dir);
      StringBuilder csv = new StringBuilder("cell,status,resumed,seed,records,dead_letters,reason\n");
      List<Map<String, Object>> json = new ArrayList<>();
      for (CellStatus s : status) {
        csv.append(String.join(",", StringEscapeUtils.escapeCsv(s.cell()), s.status(), String.valueOf(s.resumed()),
            String.valueOf(s.seed()), String.valueOf(s.records()), String.valueOf(s.deadLetters()),
            StringEscapeUtils.escapeCsv(s.reason()))).append('\n');
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cell", s.cell());
        m.put("status", s.status());
        m.put("resumed", s.resumed());
        m.put("seed", s.seed());
        m.put("records", s.records());
        m.put("dead_letters", s.deadLetters());
        m.put("reason", s.reason());
        json.add(m);
      }
      Files.writeString(dir.resolve(CELLS + ".csv"), csv, StandardCharsets.UTF_8);
      JSON.writeValue(dir.resolve(CELLS + ".json").toFile(), json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the grid's cell table into " + dir, e);
    }
  }

  /** {@code grid/cells.json} of a finished run (for the run summary); empty when absent. */
  public static List<Map<String, Object>> readCells(OutputRoot root) {
    Path f = root.resolve(GridCell.FOLDER + "/" + CELLS + ".json");
    if (!Files.isRegularFile(f)) {
      return List.of();
    }
    try {
      return JSON.readValue(f.toFile(), new com.fasterxml.jackson.core.type.TypeReference<List<Map<String, Object>>>() {});
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", f, e.getMessage());
      return List.of();
    }
  }

  /** Files named {@code name} under a cell's folder (e.g. its reports), sorted. */
  static List<Path> filesNamed(OutputRoot root, GridCell cell, String name) {
    Path d = root.resolve(cell.folder());
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(d, 6)) {
      return s.filter(f -> f.getFileName().toString().equals(name) && Files.isRegularFile(f)).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The curve files of the artifacts a cell's Train stages emitted, read from its model.json files. */
  static List<Path> curveFiles(OutputRoot root, GridCell cell) {
    List<Path> out = new ArrayList<>();
    for (Path mj : filesNamed(root, cell, "model.json")) {
      Path curve = mj.resolveSibling("curve.csv");
      if (Files.isRegularFile(curve)) {
        out.add(curve);
      }
    }
    return out;
  }
}
