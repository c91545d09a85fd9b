package org.unetpipelines.engine.grid;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.unetpipelines.engine.PipelineError;
import org.unetpipelines.engine.Suggest;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The {@code grid:} block of a pipeline file, checked against the file's stages (not yet against
 * their configs: each expanded cell goes through the normal validation for that).
 *
 * <pre>
 * grid:
 *   axes:                                   # path: [values]; the full product by default
 *     Train.config.model.family: [unet, unetpp]
 *     options.seed: [1, 2, 3]
 *     Train.config.model:                   # or named values: label -> any YAML value, here whole
 *       unet: {family: unet, filters: 16}   #   mappings (the cell is named model=unet, model=unetpp, ...)
 *       unetpp: {family: unetpp, filters: 16}
 *   exclude: [{family: unetpp, seed: 3}]    # drop every product cell matching all given axes (a list: any of its values)
 *   include: [{family: wide_unet}]          # add cells (after exclude); axes left out take all their values, a list
 *                                           # takes each of its values; values outside the axis are allowed
 *   baseline: {family: unet}                # the statistics' reference cell (default: all pairs)
 *   replicate: seed                         # the axis whose values pair runs (default: options.seed)
 *   branch_from: [Train]                    # extra stages to re-run per cell (default: the varied ones)
 *   max_parallel: 2                         # at most 2 cells train at once (default: no bound)
 * </pre>
 */
final class GridSpec {
  static final Set<String> KEYS = Set.of("axes", "exclude", "include", "baseline", "replicate", "branch_from",
      "max_parallel");
  static final String SEED_PATH = "options.seed";
  /** Characters a value label keeps; others become '_' (labels name folders and stages). */
  private static final String SAFE = "A-Za-z0-9._+-";

  /** One value of an axis: its label in cell names and the YAML node a cell gets. */
  record AxisValue(String label, Node node) {}

  /**
   * One axis: {@code path} as written, its segments, its short {@code name} (the shortest unique tail
   * of the path), and its values in file order.
   */
  record Axis(String name, String path, List<String> segments, Node keyNode, List<AxisValue> values, boolean named) {
    boolean isSeed() {
      return path.equals(SEED_PATH);
    }

    /** The stage the axis varies, or null for options.seed. */
    String stage() {
      return isSeed() ? null : segments.get(0);
    }

    AxisValue value(String label) {
      return values.stream().filter(v -> v.label().equals(label)).findFirst().orElse(null);
    }

    List<String> labels() {
      return values.stream().map(AxisValue::label).toList();
    }

    int line() {
      return Nodes.line(keyNode);
    }
  }

  /** An include or exclude entry: values per axis name. */
  record Entry(Map<String, List<AxisValue>> values, int line) {}

  final String file;
  final int line;
  final List<Axis> axes = new ArrayList<>();
  final List<Entry> exclude = new ArrayList<>();
  final List<Entry> include = new ArrayList<>();
  Map<String, String> baseline; // axis name -> label; null = all pairs
  String baselineName; // a cell name given as a string
  int baselineLine;
  String replicate; // axis name, or null
  final List<String> branchFrom = new ArrayList<>();
  int branchFromLine;
  int maxParallel; // 0 = no bound

  private GridSpec(String file, int line) {
    this.file = file;
    this.line = line;
  }

  Axis axis(String nameOrPath) {
    for (Axis a : axes) {
      if (a.name().equals(nameOrPath) || a.path().equals(nameOrPath)) {
        return a;
      }
    }
    return null;
  }

  List<String> axisNames() {
    return axes.stream().map(Axis::name).toList();
  }

  /** Parses and checks the block; {@code stages} are the file's stage names in order. */
  static GridSpec parse(String file, NodeTuple gridTuple, List<String> stages, List<PipelineError> errors) {
    Node node = gridTuple.getValueNode();
    GridSpec g = new GridSpec(file, Nodes.line(gridTuple.getKeyNode()));
    if (!(node instanceof MappingNode m)) {
      g.error(errors, node, "'grid' must be a mapping with 'axes:' (and optionally exclude, include, baseline, "
          + "replicate, branch_from)");
      return g;
    }
    for (NodeTuple t : m.getValue()) {
      String k = Nodes.key(t);
      if (!KEYS.contains(k)) {
        g.error(errors, t.getKeyNode(), "unknown key '" + k + "' in grid" + Suggest.closest(k, KEYS) + "; allowed: "
            + String.join(", ", new TreeSet<>(KEYS)));
      }
    }
    Node axesNode = Nodes.value(m, "axes");
    if (!(axesNode instanceof MappingNode am) || am.getValue().isEmpty()) {
      g.error(errors, axesNode == null ? m : axesNode, "'grid.axes' must map each varied path to a list of values, "
          + "e.g. Train.config.filters: [16, 32] or options.seed: [1, 2, 3]");
      return g;
    }
    List<String[]> paths = new ArrayList<>();
    for (NodeTuple t : am.getValue()) {
      paths.add(Nodes.key(t).split("\\.", -1));
    }
    for (int i = 0; i < am.getValue().size(); i++) {
      g.parseAxis(am.getValue().get(i), shortName(paths, i), stages, errors);
    }
    g.parseEntries(Nodes.value(m, "exclude"), "exclude", false, errors);
    g.parseEntries(Nodes.value(m, "include"), "include", true, errors);
    g.parseReplicate(Nodes.value(m, "replicate"), errors);
    g.parseBaseline(Nodes.value(m, "baseline"), errors);
    g.parseBranchFrom(Nodes.value(m, "branch_from"), stages, errors);
    g.parseMaxParallel(Nodes.value(m, "max_parallel"), errors);
    return g;
  }

  private void parseMaxParallel(Node n, List<PipelineError> errors) {
    if (n == null) {
      return;
    }
    String v = n instanceof ScalarNode s ? s.getValue().trim() : null;
    try {
      maxParallel = v == null ? 0 : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      maxParallel = 0;
    }
    if (maxParallel < 1 || maxParallel > GridExpander.MAX_CELLS) {
      error(errors, n, "'grid.max_parallel' must be an integer 1.." + GridExpander.MAX_CELLS
          + " (how many cells may train at once), got '" + (v == null ? "a " + (n instanceof SequenceNode ? "list" : "mapping") : v) + "'");
      maxParallel = 0;
    }
  }

  /** The shortest tail of path i that no other path ends with. */
  private static String shortName(List<String[]> paths, int i) {
    String[] p = paths.get(i);
    for (int k = 1; k <= p.length; k++) {
      String tail = String.join(".", Arrays.copyOfRange(p, p.length - k, p.length));
      boolean unique = true;
      for (int j = 0; j < paths.size(); j++) {
        String[] q = paths.get(j);
        if (j != i && q.length >= k && String.join(".", Arrays.copyOfRange(q, q.length - k, q.length)).equals(tail)) {
          unique = false;
        }
      }
      if (unique) {
        return tail;
      }
    }
    return String.join(".", p);
  }

  private void parseAxis(NodeTuple t, String name, List<String> stages, List<PipelineError> errors) {
    String path = Nodes.key(t);
    List<String> seg = List.of(path.split("\\.", -1));
    Node key = t.getKeyNode();
    String shape = "an axis path is <Stage>.config.<key>[.<key>...] or options.seed";
    if (seg.stream().anyMatch(String::isBlank) || seg.size() < 2) {
      error(errors, key, "grid axis '" + path + "': " + shape);
      return;
    }
    if (seg.get(0).equals("options")) {
      if (!path.equals(SEED_PATH)) {
        error(errors, key, "grid axis '" + path + "': the only option a grid can vary is seed (options.seed)");
        return;
      }
    } else {
      if (!stages.contains(seg.get(0))) {
        error(errors, key, "grid axis '" + path + "': no stage named '" + seg.get(0) + "'"
            + Suggest.closest(seg.get(0), stages) + "; stages: " + String.join(", ", stages));
        return;
      }
      if (!seg.get(1).equals("config") || seg.size() < 3) {
        error(errors, key, "grid axis '" + path + "': " + shape + " (e.g. " + seg.get(0) + ".config.filters)");
        return;
      }
    }
    if (axes.stream().anyMatch(a -> a.path().equals(path))) {
      error(errors, key, "grid axis '" + path + "' is given twice");
      return;
    }
    Node v = t.getValueNode();
    if (v instanceof MappingNode named && !named.getValue().isEmpty()) {
      parseNamedAxis(name, path, seg, key, named, errors);
      return;
    }
    if (!(v instanceof SequenceNode s) || s.getValue().isEmpty()) {
      error(errors, v, "grid axis '" + path + "': the values must be a non-empty list, e.g. [a, b], or a mapping "
          + "from a label to each value, e.g. {small: {filters: 16}, large: {filters: 64}}");
      return;
    }
    List<AxisValue> values = new ArrayList<>();
    Map<String, Integer> lines = new HashMap<>();
    for (Node x : s.getValue()) {
      String label = label(x, path, errors);
      if (label == null) {
        continue;
      }
      Integer first = lines.putIfAbsent(label, Nodes.line(x));
      if (first != null) {
        error(errors, x, "grid axis '" + path + "': value '" + label + "' is given twice"
            + (first > 0 ? " (first at line " + first + ")" : "")
            + "; values are told apart by their text with characters outside " + SAFE + " as '_'");
        continue;
      }
      values.add(new AxisValue(label, x));
    }
    if (values.size() == s.getValue().size()) {
      axes.add(new Axis(name, path, seg, key, List.copyOf(values), false));
    }
  }

  /**
   * Named values, {@code label: value}: the label names the cell, the value (a scalar, a list or a
   * whole mapping, e.g. a {@code model:} block per cell) goes to the path.
   */
  private void parseNamedAxis(String name, String path, List<String> seg, Node key, MappingNode named,
      List<PipelineError> errors) {
    List<AxisValue> values = new ArrayList<>();
    for (NodeTuple t : named.getValue()) {
      String label = Nodes.key(t);
      if (label == null || label.isEmpty() || !label.matches("[" + SAFE + "]+")) {
        error(errors, t.getKeyNode(), "grid axis '" + path + "': the label '" + label + "' may only use the "
            + "characters " + SAFE + " (labels name cells, folders and stages)");
        continue;
      }
      if (values.stream().anyMatch(x -> x.label().equals(label))) {
        error(errors, t.getKeyNode(), "grid axis '" + path + "': the label '" + label + "' is given twice");
        continue;
      }
      values.add(new AxisValue(label, t.getValueNode()));
    }
    if (values.size() == named.getValue().size()) {
      axes.add(new Axis(name, path, seg, key, List.copyOf(values), true));
    }
  }

  /** The label of a value: a scalar's text or a list's items joined by 'x'; unsafe characters become '_'. */
  private String label(Node x, String path, List<PipelineError> errors) {
    String text;
    if (x instanceof ScalarNode sc) {
      text = Nodes.isNull(x) ? "null" : sc.getValue();
    } else if (x instanceof SequenceNode seq && !seq.getValue().isEmpty()
        && seq.getValue().stream().allMatch(n -> n instanceof ScalarNode)) {
      text = String.join("x", seq.getValue().stream().map(n -> ((ScalarNode) n).getValue()).toList());
    } else {
      error(errors, x, "grid axis '" + path + "': a value must be a scalar or a list of scalars; to vary a key "
          + "inside a mapping, name it in the path (e.g. " + path + ".<key>)");
      return null;
    }
    if (text.isEmpty()) {
      error(errors, x, "grid axis '" + path + "': a value must not be empty");
      return null;
    }
    return text.replaceAll("[^" + SAFE + "]", "_");
  }

  private void parseEntries(Node n, String what, boolean newValues, List<PipelineError> errors) {
    if (n == null) {
      return;
    }
    if (!(n instanceof SequenceNode s)) {
      error(errors, n, "'grid." + what + "' must be a list of mappings {axis: value, ...}");
      return;
    }
    for (Node e : s.getValue()) {
      if (!(e instanceof MappingNode em) || em.getValue().isEmpty()) {
        error(errors, e, "each 'grid." + what + "' entry must be a non-empty mapping {axis: value, ...}; axes: "
            + String.join(", ", axisNames()));
        continue;
      }
      Map<String, List<AxisValue>> values = new LinkedHashMap<>();
      boolean ok = true;
      for (NodeTuple t : em.getValue()) {
        String k = Nodes.key(t);
        Axis a = axis(k);
        if (a == null) {
          error(errors, t.getKeyNode(), "grid." + what + ": '" + k + "' is not an axis" + Suggest.closest(k, axisNames())
              + "; axes: " + String.join(", ", axisNames()));
          ok = false;
          continue;
        }
        // a list gives several values (exclude: any of them; include: each), unless it is itself a value of the axis
        List<Node> given = List.of(t.getValueNode());
        if (t.getValueNode() instanceof SequenceNode vs) {
          String whole = label(vs, a.path(), new ArrayList<>());
          if (whole == null || a.value(whole) == null) {
            given = vs.getValue();
          }
        }
        List<AxisValue> vals = new ArrayList<>();
        for (Node v : given) {
          String label = label(v, a.path(), errors);
          if (label == null) {
            ok = false;
            continue;
          }
          AxisValue known = a.value(label);
          if (known == null && (!newValues || a.named())) {
            error(errors, v, "grid." + what + ": '" + label + "' is not a value of axis " + a.name()
                + Suggest.closest(label, a.labels()) + "; values: " + String.join(", ", a.labels()));
            ok = false;
            continue;
          }
          vals.add(known != null ? known : new AxisValue(label, v));
        }
        values.put(a.name(), vals);
      }
      if (ok) {
        (newValues ? include : exclude).add(new Entry(values, Nodes.line(e)));
      }
    }
  }

  private void parseReplicate(Node n, List<PipelineError> errors) {
    if (n == null) {
      Axis seed = axis(SEED_PATH);
      replicate = seed == null ? null : seed.name();
      return;
    }
    String r = n instanceof ScalarNode s ? s.getValue() : null;
    Axis a = r == null ? null : axis(r);
    if (a == null) {
      error(errors, n, "grid.replicate must name an axis whose values pair runs across cells (usually the seed)"
          + (r == null ? "" : Suggest.closest(r, axisNames())) + "; axes: " + String.join(", ", axisNames()));
      return;
    }
    replicate = a.name();
  }

  private void parseBaseline(Node n, List<PipelineError> errors) {
    if (n == null) {
      return;
    }
    baselineLine = Nodes.line(n);
    if (n instanceof ScalarNode s) {
      baselineName = s.getValue();
      return;
    }
    if (!(n instanceof MappingNode m)) {
      error(errors, n, "grid.baseline must be a cell: {axis: value, ...} over the non-replicate axes");
      return;
    }
    Map<String, String> b = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      String k = Nodes.key(t);
      Axis a = axis(k);
      if (a == null || a.name().equals(replicate)) {
        error(errors, t.getKeyNode(), "grid.baseline: '" + k + "' is not a "
            + (a == null ? "known axis" + Suggest.closest(k, axisNames()) : "non-replicate axis (the baseline is a cell "
            + "over all runs of its " + replicate + " values)") + "; axes: " + String.join(", ", axisNames()));
        continue;
      }
      String label = label(t.getValueNode(), a.path(), errors);
      if (label != null) {
        b.put(a.name(), label);
      }
    }
    baseline = b;
  }

  private void parseBranchFrom(Node n, List<String> stages, List<PipelineError> errors) {
    if (n == null) {
      return;
    }
    branchFromLine = Nodes.line(n);
    List<Node> items = n instanceof SequenceNode s ? s.getValue() : List.of(n);
    for (Node x : items) {
      String name = x instanceof ScalarNode s ? s.getValue() : null;
      if (name == null || !stages.contains(name)) {
        error(errors, x, "grid.branch_from: " + (name == null ? "entries must be stage names" : "no stage named '"
            + name + "'" + Suggest.closest(name, stages)) + "; stages: " + String.join(", ", stages));
        continue;
      }
      branchFrom.add(name);
    }
  }

  private void error(List<PipelineError> errors, Node at, String message) {
    errors.add(new PipelineError(file, at == null ? line : Nodes.line(at), null, message));
  }
}
