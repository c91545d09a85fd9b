package org.unetpipelines.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.unetpipelines.engine.grid.GridCell;
import org.unetpipelines.engine.grid.GridPlan;
import org.unetpipelines.engine.grid.GridRun;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DeadLetter;

/**
 * Translates a validated {@link PipelinePlan} into one Beam pipeline: stages in dependency order,
 * each stage's output counted ({@code <stage>:out}), every dead letter counted
 * ({@code <stage>:dead_lettered}) and written to {@code <out>/_deadletters/deadletters.jsonl}.
 * Building is also the last check before a run: every path a stage writes ({@link StageContext#output})
 * and the engine's own files must resolve inside the output root, and no two may be the same or one
 * inside the other.
 */
public final class PipelineBuilder {
  public static final String OUT = "out";
  public static final String DEAD = "dead_lettered";
  public static final String DEAD_LETTER_FILE = "_deadletters/deadletters.jsonl";
  /** The run summary's file in the output root. */
  public static final String RUN_SUMMARY = "run-summary.json";

  /** What the engine itself writes under the output root; no stage may write there. */
  static final Map<String, String> ENGINE_PATHS = Map.of(
      RUN_SUMMARY, "the run summary",
      "_deadletters", "the dead-letter folder",
      RunLock.FILE, "the run lock");

  private PipelineBuilder() {}

  /**
   * The stage outputs by stage name; for a grid, the cells taken over complete from an earlier run
   * into the same output root (their stages are not built).
   */
  public record Built(Map<String, PCollection<?>> outputs, boolean hasDeadLetters, Set<String> resumedCells) {
    public Built {
      resumedCells = Set.copyOf(resumedCells);
    }
  }

  public static Built build(Pipeline p, PipelinePlan plan, OutputRoot root, Path inputBase) throws ValidationException {
    Coders.register(p);
    Map<String, PCollection<?>> outputs = new LinkedHashMap<>();
    List<PCollection<DeadLetter>> dead = new ArrayList<>();
    List<PipelineError> errors = new ArrayList<>();
    List<Write> writes = new ArrayList<>();
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(ENGINE_PATHS).entrySet()) {
      try {
        writes.add(new Write(null, e.getValue(), 0, root.resolve(e.getKey())));
      } catch (IllegalArgumentException ex) {
        errors.add(new PipelineError(plan.file(), 0, null, e.getValue() + ": " + ex.getMessage()));
      }
    }
    GridPlan grid = plan.grid().orElse(null);
    Set<String> resumed = new LinkedHashSet<>();
    Map<String, GridRun.CellOutputs> cellOutputs = new LinkedHashMap<>();
    if (grid != null) {
      for (String rel : GridRun.enginePaths(grid)) {
        try {
          writes.add(new Write(null, "the grid's " + rel, 0, root.resolve(rel)));
        } catch (IllegalArgumentException ex) {
          errors.add(new PipelineError(plan.file(), 0, null, "the grid's " + rel + ": " + ex.getMessage()));
        }
      }
      resumed.addAll(GridRun.completedCells(grid, root));
      for (GridCell c : grid.cells()) {
        if (!resumed.contains(c.name())) {
          cellOutputs.put(c.name(), new GridRun.CellOutputs(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        }
      }
    }
    for (List<PipelinePlan.StagePlan> group : buildOrder(plan, grid, resumed)) {
      if (group.stream().anyMatch(sp -> sp.inputs().stream().anyMatch(n -> !outputs.containsKey(n)))) {
        continue; // an input stage failed to build: its error is reported, not this stage's consequences
      }
      List<StageContext> contexts = new ArrayList<>();
      List<List<PCollection<?>>> inputs = new ArrayList<>();
      for (PipelinePlan.StagePlan sp : group) {
        GridCell cell = grid == null ? null : grid.cellOf(sp.name()).orElse(null);
        List<PCollection<?>> in = new ArrayList<>();
        sp.inputs().forEach(n -> in.add(outputs.get(n)));
        inputs.add(in);
        // A grid's branch stages see their cell's seed and write under grid/<cell>/.
        long seed = grid == null ? plan.seed() : grid.seedOf(sp.name(), plan.seed());
        OutputRoot stageRoot = grid == null ? root : grid.outputRootOf(sp.name(), root);
        contexts.add(new StageContext(p, sp.name(), sp.type(), plan.name(), seed, stageRoot, inputBase,
            sp.configJson()).inGridCell(cell));
      }
      PipelinePlan.StagePlan first = group.get(0);
      List<PCollection<?>> outs;
      try {
        outs = group.size() == 1 && !together(first, grid)
            ? List.of(expand(first, contexts.get(0), inputs.get(0)))
            : expandCells(group, contexts, inputs, grid.maxParallel());
      } catch (RuntimeException e) {
        errors.add(new PipelineError(plan.file(), first.line(), group.size() == 1 ? first.name()
            : grid.fileStageName(first.name()), describe(e)));
        continue;
      }
      for (int i = 0; i < group.size(); i++) {
        PipelinePlan.StagePlan sp = group.get(i);
        StageContext ctx = contexts.get(i);
        PCollection<?> out = outs.get(i);
        GridCell cell = ctx.gridCell().orElse(null);
        ctx.writes().forEach(w -> writes.add(new Write(sp.name(), "stage '" + sp.name() + "'", sp.line(), w)));
        outputs.put(sp.name(), count(out, sp.name()));
        for (PCollection<DeadLetter> d : ctx.deadLetters()) {
          dead.add(d.apply(sp.name() + "/CountDeadLetters", ParDo.of(new CountFn<DeadLetter>(sp.name(), DEAD)))
              .setCoder(Coders.deadLetter()));
        }
        for (PCollection<DeadLetter> d : ctx.cellFailures()) {
          dead.add(d.apply(sp.name() + "/CountCellFailures", ParDo.of(new CountFn<DeadLetter>(sp.name(), DEAD)))
              .setCoder(Coders.deadLetter()));
        }
        if (cell != null) {
          GridRun.CellOutputs co = cellOutputs.get(cell.name());
          co.outputs().add(out);
          co.deadLetters().addAll(ctx.deadLetters());
          co.failures().addAll(ctx.cellFailures());
        } else if (!ctx.cellFailures().isEmpty()) {
          errors.add(new PipelineError(plan.file(), sp.line(), sp.name(), "registered cell failures outside a grid cell"));
        }
      }
    }
    checkWrites(plan.file(), root, writes, errors);
    if (!errors.isEmpty()) {
      errors.sort((a, b) -> Integer.compare(a.line(), b.line()));
      throw new ValidationException(errors);
    }
    if (!dead.isEmpty()) {
      PCollectionList.of(dead).apply("DeadLetters/Flatten", Flatten.pCollections())
          .apply("DeadLetters/Write", DeadLetters.to(root, DEAD_LETTER_FILE));
    }
    if (grid != null) {
      GridRun.expand(p, plan.name() + ": grid of " + grid.cells().size() + " runs", grid, root, cellOutputs, resumed);
    }
    return new Built(outputs, !dead.isEmpty(), resumed);
  }

  /**
   * The stages in the order they are added, in groups added together: without a grid, each stage
   * alone in plan order. With a grid: the shared stages, then each branch stage (in run order) for
   * every cell that runs now: all cells at once when the stage expands cells together
   * ({@link Stage#expandsCellsTogether}), else one by one. Every stage still comes after its inputs
   * (a branch stage reads shared stages and earlier stages of its own cell).
   */
  static List<List<PipelinePlan.StagePlan>> buildOrder(PipelinePlan plan, GridPlan grid, Set<String> resumed) {
    List<List<PipelinePlan.StagePlan>> out = new ArrayList<>();
    if (grid == null) {
      plan.stages().forEach(sp -> out.add(List.of(sp)));
      return out;
    }
    Map<String, PipelinePlan.StagePlan> byName = new LinkedHashMap<>();
    plan.stages().forEach(sp -> byName.put(sp.name(), sp));
    plan.stages().stream().filter(sp -> grid.cellOf(sp.name()).isEmpty()).forEach(sp -> out.add(List.of(sp)));
    for (String stage : grid.branchStages()) {
      List<PipelinePlan.StagePlan> cells = new ArrayList<>();
      for (GridCell c : grid.cells()) {
        if (!resumed.contains(c.name())) { // complete from an earlier run: not built
          cells.add(byName.get(c.stageName(stage)));
        }
      }
      if (cells.isEmpty()) {
        continue;
      }
      if (together(cells.get(0), grid)) {
        out.add(cells);
      } else {
        cells.forEach(sp -> out.add(List.of(sp)));
      }
    }
    return out;
  }

  private static boolean together(PipelinePlan.StagePlan sp, GridPlan grid) {
    return grid != null && grid.cellOf(sp.name()).isPresent() && sp.stage().expandsCellsTogether();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<PCollection<?>> expandCells(List<PipelinePlan.StagePlan> group, List<StageContext> contexts,
      List<List<PCollection<?>>> inputs, int maxParallel) {
    List configs = new ArrayList<>();
    group.forEach(sp -> configs.add(sp.config()));
    List<PCollection<?>> outs = ((Stage) group.get(0).stage()).expandCells(contexts, inputs, configs, maxParallel);
    if (outs.size() != group.size()) {
      throw new IllegalStateException(group.get(0).type() + ".expandCells returned " + outs.size() + " outputs for "
          + group.size() + " cells");
    }
    return outs;
  }

  /** A path written by a stage ({@code stage} = its name) or by the engine ({@code stage} = null). */
  private record Write(String stage, String who, int line, Path path) {}

  /** No two writers may write the same path, or one inside the other's. */
  private static void checkWrites(String file, OutputRoot root, List<Write> writes, List<PipelineError> errors) {
    for (int j = 0; j < writes.size(); j++) {
      Write b = writes.get(j);
      if (b.stage() == null) {
        continue;
      }
      for (int i = 0; i < j; i++) {
        Write a = writes.get(i);
        if (b.stage().equals(a.stage())) {
          continue;
        }
        String relA = root.relative(a.path());
        String relB = root.relative(b.path());
        String whoA = a.who() + (a.line() > 0 ? " (line " + a.line() + ")" : "");
        String what;
        if (a.path().equals(b.path())) {
          what = "writes " + relB + ", which " + whoA + " writes too";
        } else if (b.path().startsWith(a.path())) {
          what = "writes " + relB + ", inside " + relA + " written by " + whoA;
        } else if (a.path().startsWith(b.path())) {
          what = "writes " + relB + ", which holds " + relA + " written by " + whoA;
        } else {
          continue;
        }
        errors.add(new PipelineError(file, b.line(), b.stage(), what
            + "; give each stage its own output path, not the same as or inside another's"));
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static PCollection<?> expand(PipelinePlan.StagePlan sp, StageContext ctx, List<PCollection<?>> inputs) {
    return ((Stage) sp.stage()).expand(ctx, inputs, sp.config());
  }

  private static String describe(RuntimeException e) {
    String m = e.getMessage();
    return m == null ? e.toString() : m;
  }

  @SuppressWarnings("unchecked")
  private static <T> PCollection<T> count(PCollection<T> out, String stage) {
    Coder<T> coder = out.getCoder();
    return out.apply(stage + "/CountOutput", ParDo.of(new CountFn<T>(stage, OUT))).setCoder(coder);
  }

  /** Passes elements through, counting them. */
  static final class CountFn<T> extends DoFn<T, T> {
    private final Counter counter;

    CountFn(String namespace, String name) {
      this.counter = Metrics.counter(namespace, name);
    }

    @ProcessElement
    public void process(@Element T e, OutputReceiver<T> out) {
      counter.inc();
      out.output(e);
    }
  }
}
