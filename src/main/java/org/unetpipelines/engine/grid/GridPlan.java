package org.unetpipelines.engine.grid;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.unetpipelines.engine.OutputRoot;
import org.unetpipelines.engine.PipelinePlan;

/**
 * A pipeline file's grid, expanded and validated: its cells, the stages that run once and are
 * shared, and the stages that run once per cell (a branch). In the flat {@link PipelinePlan} a
 * branch stage {@code S} of cell {@code c} is named {@code S[c]}; it sees the cell's seed
 * ({@code StageContext.seed()}) and writes under {@code grid/<c>/} (its {@code StageContext}'s output
 * root), so its run ids and metric records carry the cell too.
 */
public final class GridPlan {
  /** An axis as the plan shows it. */
  public record Axis(String name, String path, List<String> values, int line) {}

  private final List<Axis> axes;
  private final String replicateAxis;
  private final List<GridCell> cells;
  private final List<String> sharedStages;
  private final List<String> branchStages;
  private final Map<String, PipelinePlan> cellPlans;
  private final Map<String, GridCell> cellOfStage;
  private final Map<String, String> baseStageOf;
  private final String baseline;
  private final long baseSeed;
  private final int product;
  private final int excluded;
  private final int included;
  private final int maxParallel;

  GridPlan(List<Axis> axes, String replicateAxis, List<GridCell> cells, List<String> sharedStages,
      List<String> branchStages, Map<String, PipelinePlan> cellPlans, String baseline, long baseSeed, int product,
      int excluded, int included, int maxParallel) {
    this.maxParallel = maxParallel;
    this.axes = List.copyOf(axes);
    this.replicateAxis = replicateAxis;
    this.cells = List.copyOf(cells);
    this.sharedStages = List.copyOf(sharedStages);
    this.branchStages = List.copyOf(branchStages);
    this.cellPlans = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(cellPlans));
    this.baseline = baseline;
    this.baseSeed = baseSeed;
    this.product = product;
    this.excluded = excluded;
    this.included = included;
    Map<String, GridCell> byStage = new LinkedHashMap<>();
    Map<String, String> base = new LinkedHashMap<>();
    for (GridCell c : cells) {
      for (String s : branchStages) {
        byStage.put(c.stageName(s), c);
        base.put(c.stageName(s), s);
      }
    }
    this.cellOfStage = java.util.Collections.unmodifiableMap(byStage);
    this.baseStageOf = java.util.Collections.unmodifiableMap(base);
  }

  public List<Axis> axes() {
    return axes;
  }

  /** The axis whose values pair runs across cells (the seed), if any. */
  public Optional<String> replicateAxis() {
    return Optional.ofNullable(replicateAxis);
  }

  /** The cells in grid order: the product (first axis outermost) without excluded cells, then included ones. */
  public List<GridCell> cells() {
    return cells;
  }

  /** Stages upstream of every varied one, in run order: they run once, with the file's seed. */
  public List<String> sharedStages() {
    return sharedStages;
  }

  /** Stages that run per cell (the varied ones and everything downstream), in run order, by their file names. */
  public List<String> branchStages() {
    return branchStages;
  }

  /** Each cell's own validated plan (shared and branch stages under their file names, the cell's seed). */
  public PipelinePlan cellPlan(GridCell cell) {
    return cellPlans.get(cell.name());
  }

  /** The cell whose branch holds stage {@code stageName} of the flat plan; empty for shared stages. */
  public Optional<GridCell> cellOf(String stageName) {
    return Optional.ofNullable(cellOfStage.get(stageName));
  }

  /** The file's name of a flat-plan stage ({@code Train[family=unet]} gives {@code Train}). */
  public String fileStageName(String stageName) {
    return baseStageOf.getOrDefault(stageName, stageName);
  }

  /** The seed a flat-plan stage sees: its cell's, or {@code fileSeed} for a shared stage. */
  public long seedOf(String stageName, long fileSeed) {
    GridCell c = cellOfStage.get(stageName);
    return c == null ? fileSeed : c.seed();
  }

  /** The output root a flat-plan stage writes under: {@code grid/<cell>/} of {@code root} for branch stages. */
  public OutputRoot outputRootOf(String stageName, OutputRoot root) {
    GridCell c = cellOfStage.get(stageName);
    return c == null ? root : new OutputRoot(root.resolve(c.folder()));
  }

  /** The statistics' cells (axis values without the replicate axis), in grid order. */
  public List<String> statsCells() {
    return List.copyOf(new LinkedHashSet<>(cells.stream().map(GridCell::statsCell).toList()));
  }

  /** The statistics' baseline cell; empty: compare all pairs. */
  public Optional<String> baseline() {
    return Optional.ofNullable(baseline);
  }

  /** {@code grid.max_parallel}: at most this many cells train at once; 0 = no bound. */
  public int maxParallel() {
    return maxParallel;
  }

  /** The seed of shared stages (the file's options.seed, 0 when absent). */
  public long baseSeed() {
    return baseSeed;
  }

  /** The plan in words, for {@code validate --plan}. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("grid: %d cell%s over %d ax%s (product %d, excluded %d, included %d)%n", cells.size(),
        cells.size() == 1 ? "" : "s", axes.size(), axes.size() == 1 ? "is" : "es", product, excluded, included));
    int w = axes.stream().mapToInt(a -> a.name().length()).max().orElse(4);
    for (Axis a : axes) {
      sb.append(String.format("  axis %-" + w + "s  %s (line %d): %s%s%n", a.name(), a.path(), a.line(),
          String.join(", ", a.values()), a.name().equals(replicateAxis) ? "   [replicate: pairs runs across cells]" : ""));
    }
    PipelinePlan first = cellPlans.get(cells.get(0).name());
    int sw = first.stages().stream().mapToInt(s -> s.name().length()).max().orElse(4);
    sb.append(String.format("shared stages (run once, seed %d):%s%n", baseSeed, sharedStages.isEmpty() ? " none" : ""));
    first.stages().stream().filter(s -> sharedStages.contains(s.name())).forEach(s -> stageLine(sb, s, sw));
    sb.append(String.format("per-cell stages (named Stage[<cell>], the cell's seed, outputs under %s/<cell>/):%n",
        GridCell.FOLDER));
    first.stages().stream().filter(s -> branchStages.contains(s.name())).forEach(s -> stageLine(sb, s, sw));
    sb.append("cells:\n");
    int cw = cells.stream().mapToInt(c -> c.name().length()).max().orElse(4);
    int i = 1;
    for (GridCell c : cells) {
      sb.append(String.format("  %3d  %-" + cw + "s  seed %-6d %s/%n", i++, c.name(), c.seed(), c.folder()));
    }
    List<String> stats = statsCells();
    List<String> shown = stats.size() > 8 ? new ArrayList<>(stats.subList(0, 8)) : stats;
    sb.append(String.format("statistics: %d cell%s (%s%s)%s; %s%n", stats.size(), stats.size() == 1 ? "" : "s",
        String.join("; ", shown), stats.size() > shown.size() ? "; ..." : "",
        replicateAxis == null ? ", one run each" : ", runs paired by " + replicateAxis,
        baseline == null ? "all pairs compared" : "compared against baseline " + baseline));
    sb.append(String.format("max_parallel: %s (cells whose stages train together are elements of one collection)%n",
        maxParallel == 0 ? "no bound" : String.valueOf(maxParallel)));
    return sb.toString();
  }

  static void stageLine(StringBuilder sb, PipelinePlan.StagePlan s, int w) {
    sb.append(String.format("  %-" + w + "s  %-16s%s%n", s.name(), s.type(),
        s.inputs().isEmpty() ? "" : " <- " + String.join(", ", s.inputs())));
  }
}
