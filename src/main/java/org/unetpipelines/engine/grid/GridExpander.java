package org.unetpipelines.engine.grid;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.unetpipelines.engine.PipelineError;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.engine.grid.GridSpec.Axis;
import org.unetpipelines.engine.grid.GridSpec.AxisValue;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Expands a pipeline file's {@code grid:} block (see {@link GridSpec} for its shape) on the YAML node
 * tree, before anything is bound:
 * <ol>
 *   <li>cells: the product of the axes (first axis outermost), minus {@code exclude} matches, plus
 *       {@code include} cells;
 *   <li>branch stages: the stages an axis path names, those in {@code branch_from}, and everything
 *       downstream of them; the others are shared and run once. {@code options.seed} varies the seed
 *       of branch stages only; a grid that varies nothing but the seed (and names no
 *       {@code branch_from}) branches every stage;
 *   <li>each cell's pipeline: a copy of the file without {@code grid:}, with the cell's values put at
 *       the axis paths (nested mapping keys are created as needed and carry the axis line), validated
 *       like any pipeline file. An error that every cell has is reported once; one that only some
 *       cells have names them; an error at an axis line names the axis;
 *   <li>the flat plan: shared stages, then each cell's branch stages named {@code Stage[cell]}.
 * </ol>
 * The same file always expands to the same plan: everything follows file order.
 */
public final class GridExpander {
  /** A bound on cells (a typo in a product should not start thousands of trainings). */
  public static final int MAX_CELLS = 1000;
  /** A bound on cell names (they name folders). */
  public static final int MAX_NAME = 200;

  private GridExpander() {}

  public static boolean hasGrid(MappingNode root) {
    return Nodes.tuple(root, "grid") != null;
  }

  /** A stage of the file as far as the grid needs it: its name and input names. */
  private record FileStage(String name, List<String> inputs, MappingNode node) {}

  /** The grid of a file, expanded on its node tree: cells, branch stages, and each cell's pipeline tree. */
  record Expansion(GridSpec spec, List<GridCell> cells, List<MappingNode> trees, Set<String> branched,
      String baseline, long fileSeed, int product, int excluded, int included) {}

  /** Expands and validates; the flat plan carries the {@link GridPlan} ({@link PipelinePlan#grid()}). */
  public static PipelinePlan plan(PipelineFile pf, StageRegistry registry) throws ValidationException {
    String file = pf.name();
    Expansion x = expand(pf);
    List<GridCell> cells = x.cells();
    Set<String> branched = x.branched();
    List<PipelineError> errors = new ArrayList<>();

    // each cell's pipeline, validated like any file
    Map<String, PipelinePlan> cellPlans = new LinkedHashMap<>();
    Map<PipelineError, List<String>> cellErrors = new LinkedHashMap<>();
    for (int i = 0; i < cells.size(); i++) {
      GridCell cell = cells.get(i);
      try {
        cellPlans.put(cell.name(), PipelinePlan.validate(PipelineFile.of(file, x.trees().get(i)), registry));
      } catch (ValidationException e) {
        e.errors().forEach(err -> cellErrors.computeIfAbsent(err, k -> new ArrayList<>()).add(cell.name()));
      }
    }
    Map<Integer, String> axisLines = axisLines(x.spec());
    cellErrors.forEach((err, in) -> errors.add(cellError(err, in, cells.size(), axisLines)));
    fail(errors);

    // the flat plan
    PipelinePlan first = cellPlans.get(cells.get(0).name());
    List<String> shared = new ArrayList<>();
    List<String> branch = new ArrayList<>();
    List<PipelinePlan.StagePlan> flat = new ArrayList<>();
    for (PipelinePlan.StagePlan sp : first.stages()) {
      if (branched.contains(sp.name())) {
        branch.add(sp.name());
      } else {
        shared.add(sp.name());
        flat.add(sp);
      }
    }
    for (GridCell cell : cells) {
      for (PipelinePlan.StagePlan sp : cellPlans.get(cell.name()).stages()) {
        if (!branched.contains(sp.name())) {
          continue;
        }
        List<String> inputs = sp.inputs().stream().map(n -> branched.contains(n) ? cell.stageName(n) : n).toList();
        String name = cell.stageName(sp.name());
        if (shared.contains(name)) {
          errors.add(new PipelineError(file, sp.line(), name, "a shared stage has the name of a grid branch stage; "
              + "rename it"));
        }
        flat.add(new PipelinePlan.StagePlan(name, sp.type(), sp.stage(), sp.config(), inputs, sp.line()));
      }
    }
    fail(errors);
    List<GridPlan.Axis> axes = x.spec().axes.stream()
        .map(a -> new GridPlan.Axis(a.name(), a.path(), a.labels(), a.line())).toList();
    long baseSeed = x.spec().axis(GridSpec.SEED_PATH) == null ? first.seed() : x.fileSeed();
    GridPlan grid = new GridPlan(axes, x.spec().replicate, cells, shared, branch, cellPlans, x.baseline(), baseSeed,
        x.product(), x.excluded(), x.included(), x.spec().maxParallel);
    return PipelinePlan.ofGrid(file, first.name(), baseSeed, flat, grid);
  }

  /** Steps 1 and 2 and the cells' trees; errors here depend on the file only. */
  static Expansion expand(PipelineFile pf) throws ValidationException {
    String file = pf.name();
    MappingNode root = pf.root();
    List<PipelineError> errors = new ArrayList<>();
    List<FileStage> stages = stages(root);
    List<String> names = stages.stream().map(FileStage::name).toList();
    GridSpec spec = GridSpec.parse(file, Nodes.tuple(root, "grid"), names, errors);
    fail(errors);

    // cells
    List<Map<String, AxisValue>> product = new ArrayList<>();
    product(spec.axes, 0, new LinkedHashMap<>(), product);
    List<Map<String, AxisValue>> kept = new ArrayList<>();
    for (Map<String, AxisValue> c : product) {
      if (spec.exclude.stream().noneMatch(e -> matches(e, c))) {
        kept.add(c);
      }
    }
    int excluded = product.size() - kept.size();
    Set<String> seen = new HashSet<>();
    kept.forEach(c -> seen.add(name(c)));
    int included = 0;
    for (GridSpec.Entry e : spec.include) {
      List<Map<String, AxisValue>> added = new ArrayList<>();
      includeProduct(spec.axes, e, 0, new LinkedHashMap<>(), added);
      for (Map<String, AxisValue> c : added) {
        if (seen.add(name(c))) {
          kept.add(c);
          included++;
        }
      }
    }
    if (kept.isEmpty()) {
      errors.add(new PipelineError(file, spec.line, null, "the grid has no cells: exclude removes all "
          + product.size() + " and include adds none"));
    } else if (kept.size() > MAX_CELLS) {
      errors.add(new PipelineError(file, spec.line, null, "the grid has " + kept.size() + " cells; at most "
          + MAX_CELLS + " (check the axes, or exclude cells)"));
    }
    fail(errors);

    long fileSeed = fileSeed(file, root, spec, errors);
    List<GridCell> cells = new ArrayList<>();
    for (Map<String, AxisValue> c : kept) {
      cells.add(cell(spec, c, fileSeed));
    }
    for (GridCell c : cells) {
      if (c.name().length() > MAX_NAME) {
        errors.add(new PipelineError(file, spec.line, null, "cell name '" + c.name() + "' is longer than " + MAX_NAME
            + " characters (it names a folder); use shorter axis values"));
        break;
      }
    }
    List<String> statsCells = cells.stream().map(GridCell::statsCell).distinct().toList();
    String baseline = baseline(spec, statsCells, errors);
    fail(errors);

    // branch stages: the varied ones, branch_from, and everything downstream
    Set<String> roots = new LinkedHashSet<>(spec.branchFrom);
    spec.axes.stream().filter(a -> !a.isSeed()).forEach(a -> roots.add(a.stage()));
    Set<String> branched = new HashSet<>(roots.isEmpty() ? names : roots);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (FileStage s : stages) {
        if (!branched.contains(s.name()) && s.inputs().stream().anyMatch(branched::contains)) {
          branched.add(s.name());
          grew = true;
        }
      }
    }

    List<MappingNode> trees = new ArrayList<>();
    for (Map<String, AxisValue> c : kept) {
      trees.add(cellTree(file, root, spec, c, errors));
      fail(errors); // the same for every cell: report once
    }
    return new Expansion(spec, cells, trees, branched, baseline, fileSeed, product.size(), excluded, included);
  }

  private static void fail(List<PipelineError> errors) throws ValidationException {
    if (!errors.isEmpty()) {
      List<PipelineError> sorted = new ArrayList<>(errors);
      sorted.sort((a, b) -> Integer.compare(a.line(), b.line()));
      throw new ValidationException(sorted);
    }
  }

  private static List<FileStage> stages(MappingNode root) {
    List<FileStage> out = new ArrayList<>();
    Node p = Nodes.value(root, "pipeline");
    Node tr = p instanceof MappingNode pm ? Nodes.value(pm, "transforms") : null;
    if (!(tr instanceof SequenceNode s)) {
      return out;
    }
    for (Node n : s.getValue()) {
      if (!(n instanceof MappingNode m)) {
        continue;
      }
      String name = Nodes.scalar(m, "name") != null ? Nodes.scalar(m, "name") : Nodes.scalar(m, "type");
      if (name == null) {
        continue;
      }
      List<String> inputs = new ArrayList<>();
      Node in = Nodes.value(m, "input");
      if (in instanceof ScalarNode sc) {
        inputs.add(sc.getValue());
      } else if (in instanceof SequenceNode seq) {
        seq.getValue().stream().filter(x -> x instanceof ScalarNode).forEach(x -> inputs.add(((ScalarNode) x).getValue()));
      }
      out.add(new FileStage(name, inputs, m));
    }
    return out;
  }

  private static void product(List<Axis> axes, int i, Map<String, AxisValue> cur, List<Map<String, AxisValue>> out) {
    if (i == axes.size()) {
      out.add(new LinkedHashMap<>(cur));
      return;
    }
    for (AxisValue v : axes.get(i).values()) {
      cur.put(axes.get(i).name(), v);
      product(axes, i + 1, cur, out);
    }
    cur.remove(axes.get(i).name());
  }

  private static void includeProduct(List<Axis> axes, GridSpec.Entry e, int i, Map<String, AxisValue> cur,
      List<Map<String, AxisValue>> out) {
    if (i == axes.size()) {
      out.add(new LinkedHashMap<>(cur));
      return;
    }
    Axis a = axes.get(i);
    for (AxisValue v : e.values().getOrDefault(a.name(), a.values())) {
      cur.put(a.name(), v);
      includeProduct(axes, e, i + 1, cur, out);
    }
    cur.remove(a.name());
  }

  private static boolean matches(GridSpec.Entry e, Map<String, AxisValue> cell) {
    return e.values().entrySet().stream().allMatch(
        x -> x.getValue().stream().anyMatch(v -> v.label().equals(cell.get(x.getKey()).label())));
  }

  private static String name(Map<String, AxisValue> cell) {
    return cell.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().label()).collect(Collectors.joining(","));
  }

  private static GridCell cell(GridSpec spec, Map<String, AxisValue> c, long fileSeed) {
    Map<String, String> values = new LinkedHashMap<>();
    c.forEach((k, v) -> values.put(k, v.label()));
    long seed = fileSeed;
    Axis seedAxis = spec.axis(GridSpec.SEED_PATH);
    if (seedAxis != null && c.get(seedAxis.name()).node() instanceof ScalarNode s) {
      try {
        seed = Long.parseLong(s.getValue().trim().replace("_", ""));
      } catch (NumberFormatException e) {
        // the cell's validation reports options.seed
      }
    }
    String stats = c.entrySet().stream().filter(e -> !e.getKey().equals(spec.replicate))
        .map(e -> e.getKey() + "=" + e.getValue().label()).collect(Collectors.joining(","));
    return new GridCell(name(c), values, seed, stats.isEmpty() ? "all" : stats,
        spec.replicate == null ? null : values.get(spec.replicate));
  }

  /** The file's own options.seed when an axis overrides it in every cell (shared stages use it). */
  private static long fileSeed(String file, MappingNode root, GridSpec spec, List<PipelineError> errors) {
    Node opts = Nodes.value(root, "options");
    Node seed = opts instanceof MappingNode om ? Nodes.value(om, "seed") : null;
    if (!(seed instanceof ScalarNode s)) {
      return 0;
    }
    try {
      return Long.parseLong(s.getValue().trim().replace("_", ""));
    } catch (NumberFormatException e) {
      if (spec.axis(GridSpec.SEED_PATH) != null) { // otherwise every cell's validation reports it
        errors.add(new PipelineError(file, Nodes.line(s), null, "options: 'seed' must be integer, got '"
            + s.getValue() + "' (shared stages run with it)"));
      }
      return 0;
    }
  }

  private static String baseline(GridSpec spec, List<String> statsCells, List<PipelineError> errors) {
    String b;
    if (spec.baselineName != null) {
      b = spec.baselineName;
    } else if (spec.baseline != null) {
      List<String> missing = spec.axes.stream().map(Axis::name)
          .filter(n -> !n.equals(spec.replicate) && !spec.baseline.containsKey(n)).toList();
      if (!missing.isEmpty()) {
        errors.add(new PipelineError(spec.file, spec.baselineLine, null, "grid.baseline must give a value for every "
            + "non-replicate axis; missing: " + String.join(", ", missing)));
        return null;
      }
      b = spec.axes.stream().map(Axis::name).filter(spec.baseline::containsKey)
          .map(n -> n + "=" + spec.baseline.get(n)).collect(Collectors.joining(","));
    } else {
      return null;
    }
    if (!statsCells.contains(b)) {
      errors.add(new PipelineError(spec.file, spec.baselineLine, null, "grid.baseline '" + b + "' is not a cell of "
          + "the grid; cells: " + String.join("; ", statsCells)));
      return null;
    }
    return b;
  }

  /** A copy of the file for one cell: no grid block, the cell's values at the axis paths. */
  private static MappingNode cellTree(String file, MappingNode root, GridSpec spec, Map<String, AxisValue> cell,
      List<PipelineError> errors) {
    MappingNode tree = (MappingNode) Nodes.copy(root);
    tree.setValue(new ArrayList<>(tree.getValue().stream().filter(t -> !Nodes.key(t).equals("grid")).toList()));
    for (Axis a : spec.axes) {
      Node value = Nodes.copy(cell.get(a.name()).node());
      if (a.isSeed()) {
        Node opts = Nodes.value(tree, "options");
        if (opts == null || Nodes.isNull(opts)) {
          opts = Nodes.emptyMapping(a.keyNode());
          Nodes.put(tree, "options", opts, a.keyNode());
        }
        if (opts instanceof MappingNode om) {
          Nodes.put(om, "seed", value, a.keyNode());
        } // else: the cell's validation reports 'options' that is not a mapping
        continue;
      }
      MappingNode stage = stages(tree).stream().filter(s -> s.name().equals(a.stage())).findFirst().orElseThrow().node();
      MappingNode target = stage;
      List<String> seg = a.segments();
      for (int i = 1; i < seg.size() - 1; i++) {
        Node child = Nodes.value(target, seg.get(i));
        if (child == null || Nodes.isNull(child)) {
          MappingNode m = Nodes.emptyMapping(a.keyNode());
          Nodes.put(target, seg.get(i), m, a.keyNode());
          target = m;
        } else if (child instanceof MappingNode m) {
          target = m;
        } else {
          String at = String.join(".", seg.subList(0, i + 1));
          errors.add(new PipelineError(file, a.line(), a.stage(), "grid axis '" + a.path() + "': " + at + " is "
              + (child instanceof ScalarNode s ? "'" + s.getValue() + "'" : "a list") + " in the file (line "
              + Nodes.line(child) + "), not a mapping, so the axis cannot set a key inside it"));
          target = null;
          break;
        }
      }
      if (target != null) {
        Nodes.put(target, seg.get(seg.size() - 1), value, a.keyNode());
      }
    }
    return tree;
  }

  /** Lines of the grid block that belong to an axis (its key and values) -> the axis path. */
  private static Map<Integer, String> axisLines(GridSpec spec) {
    Map<Integer, String> out = new HashMap<>();
    for (Axis a : spec.axes) {
      out.put(a.line(), a.path());
      a.values().forEach(v -> out.putIfAbsent(Nodes.line(v.node()), a.path()));
    }
    for (GridSpec.Entry e : spec.include) {
      e.values().forEach((name, vals) -> vals.forEach(v -> out.putIfAbsent(Nodes.line(v.node()), spec.axis(name).path())));
    }
    return out;
  }

  private static PipelineError cellError(PipelineError err, List<String> in, int total, Map<Integer, String> axisLines) {
    String axis = err.line() > 0 ? axisLines.get(err.line()) : null;
    String prefix;
    if (axis != null) {
      prefix = "grid axis '" + axis + "'" + (in.size() == total ? "" : " (" + in.size() + " of " + total + " cells)")
          + ": ";
    } else if (in.size() == total) {
      prefix = "";
    } else {
      String shown = String.join("; ", in.subList(0, Math.min(3, in.size())));
      prefix = (in.size() == 1 ? "cell " : "cells ") + shown + (in.size() > 3 ? " and " + (in.size() - 3) + " more" : "")
          + ": ";
    }
    return new PipelineError(err.file(), err.line(), err.stage(), prefix + err.message());
  }
}
