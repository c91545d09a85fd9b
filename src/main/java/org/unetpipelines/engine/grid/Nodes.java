package org.unetpipelines.engine.grid;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** YAML node-tree helpers for grid expansion: every copy keeps its source positions (line numbers). */
final class Nodes {
  private Nodes() {}

  static int line(Node n) {
    return n == null || n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }

  static String key(NodeTuple t) {
    return t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
  }

  static Node value(MappingNode m, String key) {
    for (NodeTuple t : m.getValue()) {
      if (key(t).equals(key)) {
        return t.getValueNode();
      }
    }
    return null;
  }

  static NodeTuple tuple(MappingNode m, String key) {
    for (NodeTuple t : m.getValue()) {
      if (key(t).equals(key)) {
        return t;
      }
    }
    return null;
  }

  static String scalar(MappingNode m, String key) {
    return value(m, key) instanceof ScalarNode s ? s.getValue() : null;
  }

  static boolean isNull(Node n) {
    return n instanceof ScalarNode s && (Tag.NULL.equals(s.getTag()) || "~".equals(s.getValue()));
  }

  /** A deep copy with the same marks; shared (aliased) nodes stay shared in the copy. */
  static Node copy(Node n) {
    return copy(n, new IdentityHashMap<>());
  }

  private static Node copy(Node n, Map<Node, Node> done) {
    Node seen = done.get(n);
    if (seen != null) {
      return seen;
    }
    if (n instanceof MappingNode m) {
      List<NodeTuple> tuples = new ArrayList<>();
      MappingNode c = new MappingNode(m.getTag(), true, tuples, m.getStartMark(), m.getEndMark(), m.getFlowStyle());
      done.put(n, c);
      for (NodeTuple t : m.getValue()) {
        tuples.add(new NodeTuple(copy(t.getKeyNode(), done), copy(t.getValueNode(), done)));
      }
      c.setValue(tuples);
      return c;
    }
    if (n instanceof SequenceNode s) {
      List<Node> items = new ArrayList<>();
      SequenceNode c = new SequenceNode(s.getTag(), true, items, s.getStartMark(), s.getEndMark(), s.getFlowStyle());
      done.put(n, c);
      for (Node x : s.getValue()) {
        items.add(copy(x, done));
      }
      return c;
    }
    ScalarNode s = (ScalarNode) n;
    ScalarNode c = new ScalarNode(s.getTag(), true, s.getValue(), s.getStartMark(), s.getEndMark(), s.getScalarStyle());
    done.put(n, c);
    return c;
  }

  /** Sets {@code key} to {@code value}, keeping an existing key node; a new key takes the marks of {@code at}. */
  static void put(MappingNode m, String key, Node value, Node at) {
    List<NodeTuple> tuples = new ArrayList<>(m.getValue());
    for (int i = 0; i < tuples.size(); i++) {
      if (key(tuples.get(i)).equals(key)) {
        tuples.set(i, new NodeTuple(tuples.get(i).getKeyNode(), value));
        m.setValue(tuples);
        return;
      }
    }
    tuples.add(new NodeTuple(
        new ScalarNode(Tag.STR, true, key, at.getStartMark(), at.getEndMark(), DumperOptions.ScalarStyle.PLAIN), value));
    m.setValue(tuples);
  }

  /** An empty block mapping with the marks of {@code at}. */
  static MappingNode emptyMapping(Node at) {
    return new MappingNode(Tag.MAP, true, new ArrayList<>(), at.getStartMark(), at.getEndMark(),
        DumperOptions.FlowStyle.BLOCK);
  }
}
