package org.unetpipelines.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.unetpipelines.engine.grid.GridExpander;
import org.unetpipelines.engine.grid.GridPlan;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A pipeline file checked completely against the stage registry: every stage type known, every
 * config bound to its typed record, every input resolved, no cycles, input types compatible. All
 * problems are collected and thrown together as one {@link ValidationException}.
 */
public final class PipelinePlan {

  /** One validated stage. */
  public record StagePlan(String name, String type, Stage<?> stage, Record config, List<String> inputs, int line) {
    public String configJson() {
      try {
        return new ObjectMapper().writeValueAsString(ConfigBinder.toMap(config));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final Set<String> TOP_KEYS = Set.of("pipeline", "options");
  static final Set<String> PIPELINE_KEYS = Set.of("transforms", "name", "description");
  static final Set<String> TRANSFORM_KEYS = Set.of("type", "name", "input", "config", "description");
  static final Set<String> OPTION_KEYS = Set.of("seed", "name");

  private final String file;
  private final String name;
  private final long seed;
  private final List<StagePlan> stages; // topological order
  private final GridPlan grid; // null without a grid: block

  private PipelinePlan(String file, String name, long seed, List<StagePlan> stages) {
    this(file, name, seed, stages, null);
  }

  private PipelinePlan(String file, String name, long seed, List<StagePlan> stages, GridPlan grid) {
    this.file = file;
    this.name = name;
    this.seed = seed;
    this.stages = List.copyOf(stages);
    this.grid = grid;
  }

  /** The flat plan of a grid: shared stages, then each cell's branch stages (built by {@link GridExpander}). */
  public static PipelinePlan ofGrid(String file, String name, long seed, List<StagePlan> stages, GridPlan grid) {
    return new PipelinePlan(file, name, seed, stages, java.util.Objects.requireNonNull(grid, "grid"));
  }

  /** The expanded {@code grid:} block, when the file has one. */
  public Optional<GridPlan> grid() {
    return Optional.ofNullable(grid);
  }

  public String file() {
    return file;
  }

  public String name() {
    return name;
  }

  public long seed() {
    return seed;
  }

  /** Stages in an order where every stage comes after its inputs. */
  public List<StagePlan> stages() {
    return stages;
  }

  public static PipelinePlan validate(PipelineFile pf, StageRegistry registry) throws ValidationException {
    if (GridExpander.hasGrid(pf.root())) {
      return GridExpander.plan(pf, registry); // validates every cell with this method
    }
    String file = pf.name();
    List<PipelineError> errors = new ArrayList<>();
    MappingNode root = pf.root();
    checkKeys(file, root, TOP_KEYS, "top level", null, errors);

    long seed = 0;
    String pipelineName = baseName(file);
    MappingNode options = PipelineFile.childMapping(root, "options", false);
    if (options != null) {
      checkKeys(file, options, OPTION_KEYS, "options", null, errors);
      for (NodeTuple t : options.getValue()) {
        String k = key(t);
        try {
          if (k.equals("seed")) {
            seed = (Long) ConfigBinder.convert(t.getValueNode(), long.class, "seed");
          } else if (k.equals("name")) {
            String n = (String) ConfigBinder.convert(t.getValueNode(), String.class, "name");
            if (isSafeName(n)) {
              pipelineName = n;
            } else {
              errors.add(new PipelineError(file, ConfigBinder.line(t.getValueNode()), null, "options: 'name' must be "
                  + "a plain folder name (no '/', '\\', '..' or control characters): it names the "
                  + "output root out/<name>; got '" + n + "'"));
            }
          }
        } catch (ConfigBinder.BindException e) {
          errors.add(new PipelineError(file, ConfigBinder.line(t.getValueNode()), null, "options: " + e.getMessage()));
        }
      }
    }

    if (!isSafeName(pipelineName) && (options == null || PipelineFile.scalar(options, "name") == null)) {
      errors.add(new PipelineError(file, 0, null, "the pipeline's name '" + pipelineName + "' (from the file name) "
          + "cannot name the output root out/<name>; set options.name to a plain folder name"));
    }

    MappingNode pipeline = PipelineFile.childMapping(root, "pipeline", false);
    List<Node> transformNodes = new ArrayList<>();
    if (pipeline == null) {
      errors.add(new PipelineError(file, 1, null, "missing 'pipeline:' mapping with a 'transforms:' list"));
    } else {
      checkKeys(file, pipeline, PIPELINE_KEYS, "pipeline", null, errors);
      Node tr = value(pipeline, "transforms");
      if (tr instanceof SequenceNode s) {
        transformNodes.addAll(s.getValue());
      } else {
        errors.add(new PipelineError(file, ConfigBinder.line(pipeline), null,
            "'pipeline.transforms' must be a list of stages ({type, name, input, config})"));
      }
    }

    Map<String, StagePlan> byName = new LinkedHashMap<>();
    Map<String, Integer> lines = new HashMap<>();
    for (Node n : transformNodes) {
      int line = ConfigBinder.line(n);
      if (!(n instanceof MappingNode m)) {
        errors.add(new PipelineError(file, line, null, "each transform must be a mapping with type, name, input, config"));
        continue;
      }
      String type = PipelineFile.scalar(m, "type");
      String name = PipelineFile.scalar(m, "name");
      String stageLabel = name != null ? name : type;
      checkKeys(file, m, TRANSFORM_KEYS, "transform", stageLabel, errors);
      if (type == null) {
        errors.add(new PipelineError(file, line, stageLabel, "missing 'type'; known types: "
            + String.join(", ", registry.all().keySet())));
        continue;
      }
      if (name == null) {
        name = type;
      }
      if (byName.containsKey(name)) {
        errors.add(new PipelineError(file, line, name, "duplicate stage name (first defined at line "
            + lines.get(name) + "); give each stage a unique 'name'"));
        continue;
      }
      Stage<?> stage = registry.get(type);
      if (stage == null) {
        errors.add(new PipelineError(file, line, name, "unknown stage type '" + type + "'"
            + Suggest.closest(type, registry.all().keySet()) + "; known types: "
            + String.join(", ", registry.all().keySet())));
        continue;
      }
      List<String> inputs = new ArrayList<>();
      Node in = value(m, "input");
      if (in instanceof ScalarNode s) {
        inputs.add(s.getValue());
      } else if (in instanceof SequenceNode seq) {
        for (Node x : seq.getValue()) {
          if (x instanceof ScalarNode s) {
            inputs.add(s.getValue());
          } else {
            errors.add(new PipelineError(file, ConfigBinder.line(x), name, "'input' entries must be stage names"));
          }
        }
      } else if (in != null) {
        errors.add(new PipelineError(file, ConfigBinder.line(in), name, "'input' must be a stage name or a list of names"));
      }
      Node cfgNode = value(m, "config");
      MappingNode cfg = null;
      if (cfgNode instanceof MappingNode cm) {
        cfg = cm;
      } else if (cfgNode != null && !(cfgNode instanceof ScalarNode s && "null".equals(s.getTag().getValue().replace("tag:yaml.org,2002:", "")))) {
        errors.add(new PipelineError(file, ConfigBinder.line(cfgNode), name, "'config' must be a mapping of key: value"));
      }
      final String stageName = name;
      Record config = bindAndCheck(stage, cfg, line, (l, msg) -> errors.add(new PipelineError(file, l, stageName, msg)));
      lines.put(name, line);
      byName.put(name, new StagePlan(name, type, stage, config, List.copyOf(inputs), line));
    }

    // Inputs: exist, arity, types.
    for (StagePlan sp : byName.values()) {
      InputSpec spec = sp.stage().inputs();
      if (sp.inputs().size() < spec.min() || sp.inputs().size() > spec.max()) {
        errors.add(new PipelineError(file, sp.line(), sp.name(), sp.type() + " takes " + spec.describe()
            + ", got " + sp.inputs().size() + (sp.inputs().isEmpty() ? " (add 'input: <stage name>')" : "")));
      }
      for (String in : sp.inputs()) {
        StagePlan src = byName.get(in);
        if (src == null) {
          errors.add(new PipelineError(file, sp.line(), sp.name(), "input '" + in + "' is not a stage of this pipeline"
              + Suggest.closest(in, byName.keySet()) + "; stages: " + String.join(", ", byName.keySet())));
        } else if (!spec.accepted().isEmpty() && spec.accepted().stream().noneMatch(a -> a.isAssignableFrom(src.stage().outputType()))) {
          errors.add(new PipelineError(file, sp.line(), sp.name(), "input '" + in + "' (" + src.type() + ") emits "
              + src.stage().outputType().getSimpleName() + ", but " + sp.type() + " takes " + spec.describe()));
        }
      }
    }

    List<StagePlan> order = topoSort(file, byName, errors);
    if (!errors.isEmpty()) {
      errors.sort((a, b) -> Integer.compare(a.line(), b.line()));
      throw new ValidationException(errors);
    }
    return new PipelinePlan(file, pipelineName, seed, order);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Record bindAndCheck(Stage<?> stage, MappingNode cfg, int line, ConfigBinder.Errors errors) {
    Record config = ConfigBinder.bind(stage.configClass(), cfg, line, errors);
    if (config != null) {
      List<String> problems = ((Stage) stage).check(config);
      for (String problem : problems) {
        errors.add(line, problem);
      }
    }
    return config;
  }

  private static List<StagePlan> topoSort(String file, Map<String, StagePlan> byName, List<PipelineError> errors) {
    List<StagePlan> order = new ArrayList<>();
    Map<String, Integer> state = new HashMap<>(); // 1 = visiting, 2 = done
    for (String start : byName.keySet()) {
      visit(file, start, byName, state, order, new ArrayDeque<>(), errors);
    }
    return order;
  }

  private static void visit(String file, String name, Map<String, StagePlan> byName, Map<String, Integer> state,
      List<StagePlan> order, Deque<String> path, List<PipelineError> errors) {
    Integer s = state.get(name);
    StagePlan sp = byName.get(name);
    if (sp == null || Integer.valueOf(2).equals(s)) {
      return;
    }
    if (Integer.valueOf(1).equals(s)) {
      List<String> cycle = new ArrayList<>();
      boolean in = false;
      for (java.util.Iterator<String> it = path.descendingIterator(); it.hasNext(); ) {
        String p = it.next();
        if (p.equals(name)) {
          in = true;
        }
        if (in) {
          cycle.add(p);
        }
      }
      cycle.add(name);
      errors.add(new PipelineError(file, sp.line(), name, "cycle in inputs: " + String.join(" -> ", cycle)
          + "; a stage cannot consume its own output"));
      return;
    }
    state.put(name, 1);
    path.push(name);
    for (String in : sp.inputs()) {
      visit(file, in, byName, state, order, path, errors);
    }
    path.pop();
    state.put(name, 2);
    order.add(sp);
  }

  private static void checkKeys(String file, MappingNode m, Set<String> allowed, String where, String stage,
      List<PipelineError> errors) {
    for (NodeTuple t : m.getValue()) {
      String k = key(t);
      if (!allowed.contains(k)) {
        errors.add(new PipelineError(file, ConfigBinder.line(t.getKeyNode()), stage, "unknown key '" + k + "' in "
            + where + Suggest.closest(k, allowed) + "; allowed: " + String.join(", ", new java.util.TreeSet<>(allowed))));
      }
    }
  }

  private static String key(NodeTuple t) {
    return ((ScalarNode) t.getKeyNode()).getValue();
  }

  private static Node value(MappingNode m, String key) {
    for (NodeTuple t : m.getValue()) {
      if (key(t).equals(key)) {
        return t.getValueNode();
      }
    }
    return null;
  }

  /**
   * Whether {@code name} can name the output folder {@code out/<name>} without moving it: not
   * empty, not {@code .}, no {@code ..}, no path separators or control characters.
   */
  public static boolean isSafeName(String name) {
    return name != null && !name.isBlank() && !name.equals(".") && !name.contains("..")
        && name.chars().noneMatch(c -> c == '/' || c == '\\' || c < 0x20 || c == 0x7f);
  }

  private static String baseName(String file) {
    String f = java.nio.file.Path.of(file).getFileName().toString();
    int dot = f.lastIndexOf('.');
    return dot > 0 ? f.substring(0, dot) : f;
  }
}
