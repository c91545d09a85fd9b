package org.unetpipelines.engine;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a pipeline file into a YAML node tree that keeps line numbers. Parsing is safe: the file is
 * only composed into nodes, never constructed into objects; any tag beyond YAML's core schema
 * (str, int, float, bool, null, seq, map) is rejected, and so are duplicate keys and alias bombs.
 * {@code --set} values go through the same loader and checks.
 */
public final class PipelineFile {
  private static final Set<Tag> CORE_TAGS =
      Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.SEQ, Tag.MAP);

  private final String name;
  private final MappingNode root;

  private PipelineFile(String name, MappingNode root) {
    this.name = name;
    this.root = root;
  }

  public String name() {
    return name;
  }

  public MappingNode root() {
    return root;
  }

  /** A file from an already-checked node tree (a grid cell's copy of a parsed file). */
  public static PipelineFile of(String name, MappingNode root) {
    return new PipelineFile(name, root);
  }

  public static PipelineFile read(Path file, List<String> overrides) throws ValidationException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ValidationException(List.of(new PipelineError(file.toString(), 0, null, "cannot read file: " + e.getMessage())));
    }
    return parse(file.toString(), text, overrides);
  }

  public static PipelineFile parse(String name, String text, List<String> overrides) throws ValidationException {
    Node node = compose(name, text, true);
    if (!(node instanceof MappingNode map)) {
      throw new ValidationException(List.of(new PipelineError(name, 1, null,
          "a pipeline file is a mapping with 'pipeline:' (and optionally 'options:') at the top")));
    }
    List<PipelineError> errors = new ArrayList<>();
    checkNodes(name, map, true, errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    for (String o : overrides) {
      applyOverride(name, map, o, errors);
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new PipelineFile(name, map);
  }

  /** Composes YAML text safely into nodes; {@code where} names the source in errors (a file, a --set). */
  private static Node compose(String where, String text, boolean lines) throws ValidationException {
    try {
      return yaml().compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null || !lines ? 0 : e.getProblemMark().getLine() + 1;
      throw new ValidationException(List.of(new PipelineError(where, line, null,
          "not valid YAML: " + e.getProblem())));
    } catch (YAMLException e) {
      throw new ValidationException(List.of(new PipelineError(where, 0, null, "not valid YAML: " + e.getMessage())));
    }
  }

  private static Yaml yaml() {
    LoaderOptions lo = new LoaderOptions();
    lo.setAllowDuplicateKeys(false);
    lo.setMaxAliasesForCollections(20);
    lo.setAllowRecursiveKeys(false);
    lo.setCodePointLimit(4 * 1024 * 1024);
    return new Yaml(new SafeConstructor(lo), new org.yaml.snakeyaml.representer.Representer(new org.yaml.snakeyaml.DumperOptions()),
        new org.yaml.snakeyaml.DumperOptions(), lo);
  }

  /** Composes a YAML fragment (a default value, an override value). */
  public static Node parseFragment(String text) {
    Node n = yaml().compose(new StringReader(text));
    return n == null ? new ScalarNode(Tag.NULL, "null", null, null, org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN) : n;
  }

  /**
   * Rejects tags beyond the core schema, non-scalar keys and duplicate keys (SnakeYAML's composer
   * keeps duplicates; only its constructor, which a pipeline file never reaches, would reject them).
   */
  private static void checkNodes(String file, Node node, boolean lines, List<PipelineError> errors) {
    checkNodes(file, node, lines, errors, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
  }

  private static void checkNodes(String file, Node node, boolean lines, List<PipelineError> errors, Set<Node> path) {
    if (!path.add(node)) {
      errors.add(new PipelineError(file, lines ? ConfigBinder.line(node) : 0, null,
          "recursive alias: this node contains itself (an alias inside its own anchor)"));
      return;
    }
    try {
      checkNode(file, node, lines, errors, path);
    } finally {
      path.remove(node);
    }
  }

  private static void checkNode(String file, Node node, boolean lines, List<PipelineError> errors, Set<Node> path) {
    if (!CORE_TAGS.contains(node.getTag())) {
      errors.add(new PipelineError(file, lines ? ConfigBinder.line(node) : 0, null,
          "YAML tag '" + node.getTag().getValue() + "' is not allowed (pipeline files are plain data; "
              + "allowed: strings, numbers, booleans, null, lists and mappings)"));
      return;
    }
    if (node instanceof MappingNode m) {
      Map<String, Integer> seen = new HashMap<>();
      for (NodeTuple t : m.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode k)) {
          errors.add(new PipelineError(file, lines ? ConfigBinder.line(t.getKeyNode()) : 0, null,
              "mapping keys must be plain strings"));
        } else {
          Integer first = seen.putIfAbsent(k.getValue(), ConfigBinder.line(k));
          if (first != null) {
            errors.add(new PipelineError(file, lines ? ConfigBinder.line(k) : 0, null, "duplicate key '"
                + k.getValue() + "'" + (lines ? " (first at line " + first + ")" : "")
                + "; a key may appear only once in a mapping"));
          }
        }
        checkNodes(file, t.getKeyNode(), lines, errors, path);
        checkNodes(file, t.getValueNode(), lines, errors, path);
      }
    } else if (node instanceof SequenceNode s) {
      s.getValue().forEach(n -> checkNodes(file, n, lines, errors, path));
    }
  }

  /** A copy without source positions: a --set value has no line in the file. */
  private static Node withoutMarks(Node n) {
    if (n instanceof MappingNode m) {
      List<NodeTuple> tuples = new ArrayList<>();
      m.getValue().forEach(t -> tuples.add(new NodeTuple(withoutMarks(t.getKeyNode()), withoutMarks(t.getValueNode()))));
      return new MappingNode(m.getTag(), tuples, m.getFlowStyle());
    } else if (n instanceof SequenceNode s) {
      List<Node> items = new ArrayList<>();
      s.getValue().forEach(x -> items.add(withoutMarks(x)));
      return new SequenceNode(s.getTag(), items, s.getFlowStyle());
    }
    ScalarNode sc = (ScalarNode) n;
    return new ScalarNode(sc.getTag(), sc.getValue(), null, null, sc.getScalarStyle());
  }

  /**
   * Applies {@code path=value}: {@code StageName.config.key=value} sets a stage's config value;
   * {@code options.key=value} sets a pipeline option. The value is parsed as YAML with the same
   * safe loader and checks as a file; its errors name the {@code --set}.
   */
  static void applyOverride(String file, MappingNode root, String override, List<PipelineError> errors) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      errors.add(new PipelineError(file, 0, null, "--set '" + override + "' must look like Stage.config.key=value or options.key=value"));
      return;
    }
    String[] path = override.substring(0, eq).split("\\.", -1);
    if (Arrays.stream(path).anyMatch(String::isBlank)) {
      errors.add(new PipelineError(file, 0, null, "--set '" + override + "': the path has an empty name; "
          + "it must look like Stage.config.key=value or options.key=value"));
      return;
    }
    String where = "--set " + override;
    Node value;
    try {
      value = compose(where, override.substring(eq + 1), false);
    } catch (ValidationException e) {
      errors.addAll(e.errors());
      return;
    }
    if (value == null) {
      value = parseFragment("null");
    }
    List<PipelineError> valueErrors = new ArrayList<>();
    checkNodes(where, value, false, valueErrors);
    if (!valueErrors.isEmpty()) {
      errors.addAll(valueErrors);
      return;
    }
    value = withoutMarks(value);
    MappingNode target;
    int start;
    if (path[0].equals("options")) {
      target = childMapping(root, "options", true);
      start = 1;
    } else {
      MappingNode stage = findStage(root, path[0]);
      if (stage == null) {
        errors.add(new PipelineError(file, 0, null, "--set " + override + ": no stage named '" + path[0] + "'"
            + Suggest.closest(path[0], stageNames(root)) + "; stages: " + String.join(", ", stageNames(root))));
        return;
      }
      target = stage;
      start = 1;
    }
    if (path.length - start < 1) {
      errors.add(new PipelineError(file, 0, null, "--set " + override + ": path names no key"));
      return;
    }
    for (int i = start; i < path.length - 1; i++) {
      target = childMapping(target, path[i], true);
    }
    setKey(target, path[path.length - 1], value);
  }

  static MappingNode childMapping(MappingNode parent, String key, boolean create) {
    for (NodeTuple t : parent.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
        if (t.getValueNode() instanceof MappingNode m) {
          return m;
        }
        if (!create) {
          return null;
        }
        MappingNode m = new MappingNode(Tag.MAP, new ArrayList<>(), org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
        setKey(parent, key, m);
        return m;
      }
    }
    if (!create) {
      return null;
    }
    MappingNode m = new MappingNode(Tag.MAP, new ArrayList<>(), org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
    setKey(parent, key, m);
    return m;
  }

  private static void setKey(MappingNode map, String key, Node value) {
    List<NodeTuple> tuples = new ArrayList<>(map.getValue());
    ScalarNode k = new ScalarNode(Tag.STR, key, null, null, org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN);
    boolean replaced = false;
    for (int i = 0; i < tuples.size(); i++) {
      if (tuples.get(i).getKeyNode() instanceof ScalarNode sk && sk.getValue().equals(key)) {
        tuples.set(i, new NodeTuple(tuples.get(i).getKeyNode(), value));
        replaced = true;
      }
    }
    if (!replaced) {
      tuples.add(new NodeTuple(k, value));
    }
    map.setValue(tuples);
  }

  private static List<MappingNode> transforms(MappingNode root) {
    List<MappingNode> out = new ArrayList<>();
    MappingNode p = childMapping(root, "pipeline", false);
    if (p == null) {
      return out;
    }
    for (NodeTuple t : p.getValue()) {
      if (((ScalarNode) t.getKeyNode()).getValue().equals("transforms") && t.getValueNode() instanceof SequenceNode s) {
        for (Node n : s.getValue()) {
          if (n instanceof MappingNode m) {
            out.add(m);
          }
        }
      }
    }
    return out;
  }

  static String scalar(MappingNode m, String key) {
    for (NodeTuple t : m.getValue()) {
      if (((ScalarNode) t.getKeyNode()).getValue().equals(key) && t.getValueNode() instanceof ScalarNode s) {
        return s.getValue();
      }
    }
    return null;
  }

  private static MappingNode findStage(MappingNode root, String name) {
    for (MappingNode m : transforms(root)) {
      String n = scalar(m, "name") != null ? scalar(m, "name") : scalar(m, "type");
      if (name.equals(n)) {
        return m;
      }
    }
    return null;
  }

  private static List<String> stageNames(MappingNode root) {
    List<String> out = new ArrayList<>();
    for (MappingNode m : transforms(root)) {
      out.add(scalar(m, "name") != null ? scalar(m, "name") : scalar(m, "type"));
    }
    return out;
  }

}
