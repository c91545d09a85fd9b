package org.unetpipelines.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.lang.reflect.Constructor;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.OpScope;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * A graph {@link Scope} whose {@link #withSubScope} costs O(1), so building a network is linear in its size.
 *
 * <p>Why: TensorFlow Java's own {@code NameScope.withSubScope} walks every operation of the graph (one JNI call
 * and a regex per op) to learn which leaf names the new scope already holds. A network opens a sub-scope per
 * layer, so graph building was quadratic: a small ReDo graph (four networks, ~20k ops with gradients) took
 * about 60 s to build. This scope gives the same names TensorFlow would in every case the project builds:
 * sub-scope and op names are made unique per scope object with TensorFlow's {@code name, name_1, name_2, ...}
 * counter; instead of importing the existing leaf names up front, a candidate leaf name is looked up in the
 * graph ({@link Graph#operation}, a hash lookup) and skipped while it is taken, so no op name can ever
 * collide. Device, control dependencies and the init flag are delegated to a TensorFlow {@link OpScope}.
 */
final class NonScanningScope implements Scope {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");
  private static final Constructor<Ops> OPS;

  static {
    try {
      // Ops(Scope) is package-private in TF Java 1.1; Ops.create(env) would give the scanning scope.
      OPS = Ops.class.getDeclaredConstructor(Scope.class);
      OPS.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Graph graph;
  private final Scope base;
  /** Full prefix without the trailing slash; "" at the root. */
  private final String prefix;
  /** The explicit name of the next op ({@link #withName}), or null. */
  private final String opName;
  /** Next-suffix counters of the names used in this scope (shared with its withName/device/init views). */
  private final Map<String, Integer> ids;

  private NonScanningScope(Graph graph, Scope base, String prefix, String opName, Map<String, Integer> ids) {
    this.graph = graph;
    this.base = base;
    this.prefix = prefix;
    this.opName = opName;
    this.ids = ids;
  }

  /** An {@link Ops} over {@code graph} whose sub-scopes (and theirs) do not scan the graph. */
  static Ops ops(Graph graph) {
    try {
      return OPS.newInstance(new NonScanningScope(graph, new OpScope(graph), "", null, new HashMap<>()));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build TensorFlow Ops over a custom scope", e);
    }
  }

  private static String checked(String name) {
    checkArgument(name != null && NAME.matcher(name).matches(),
        "invalid TensorFlow name '%s': does not match %s", name, NAME.pattern());
    return name;
  }

  private String qualify(String name) {
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  /** TensorFlow's counter ({@code x, x_1, x_2, ...}), skipping names an op of the graph already has. */
  @Override
  public String makeUnique(String candidate) {
    String result;
    do {
      Integer next = ids.get(candidate);
      result = next == null ? candidate : candidate + "_" + next;
      ids.put(candidate, next == null ? 1 : next + 1);
    } while (graph.operation(qualify(result)) != null);
    return result;
  }

  @Override
  public ExecutionEnvironment env() {
    return base.env();
  }

  @Override
  public Scope withSubScope(String childScopeName) {
    String unique = makeUnique(checked(childScopeName));
    return new NonScanningScope(graph, base, qualify(unique), null, new HashMap<>());
  }

  @Override
  public Scope withName(String name) {
    return new NonScanningScope(graph, base, prefix, checked(name), ids);
  }

  @Override
  public Scope withNameAsSubScope(String defaultName) {
    return withSubScope(opName != null ? opName : defaultName);
  }

  @Override
  public Scope withDevice(DeviceSpec deviceSpec) {
    return new NonScanningScope(graph, base.withDevice(deviceSpec), prefix, opName, ids);
  }

  @Override
  public Scope withInitScope() {
    return new NonScanningScope(graph, base.withInitScope(), prefix, opName, ids);
  }

  @Override
  public Scope withControlDependencyOps(Iterable<Operation> controls) {
    return new NonScanningScope(graph, base.withControlDependencyOps(controls), prefix, opName, ids);
  }

  @Override
  public String makeOpName(String defaultName) {
    return qualify(makeUnique(checked(opName != null ? opName : defaultName)));
  }

  /** Nothing to refresh: taken leaf names are looked up in the graph when a name is made. */
  @Override
  public void refreshNames() {}

  @Override
  public OperationBuilder apply(OperationBuilder builder) {
    return base.apply(builder);
  }

  @Override
  public String getDeviceString() {
    return base.getDeviceString();
  }

  @Override
  public boolean isInit() {
    return base.isInit();
  }
}
