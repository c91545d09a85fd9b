package org.unetpipelines.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The networks of one graph and their variables. A {@link Network} is built into the graph as one or
 * more <em>passes</em> ({@link #apply}): a training pass (batch statistics, dropout), an inference
 * pass (moving averages, no dropout), or a second application to other inputs (a discriminator on
 * real and on fake images). Every pass of a network shares its variables.
 *
 * <p>Graph names: a network's variables live under {@code params/<scope>/<layer path>/<kernel|bias|...>},
 * a pass's ops under {@code <pass name>/<scope>/...}. Each network's trainable set is
 * {@link #trainableVariables(String)}; update ops (batch-norm moving averages, spectral-norm power
 * iterations) are returned with the pass that created them.
 *
 * <p>{@link #build} is the single-segmentation-network shortcut: inputs {@code train/image} and
 * {@code infer/image}, float32 {@code [N, H, W, C]} in [0, 1], and the default head's logits of
 * both passes.
 */
public final class ModelGraph {

  /** Which pass a {@link Layers} builds. */
  public enum Mode {
    TRAIN,
    INFER
  }

  /** A built pass: the network's named outputs and the update ops it registered. */
  public record Pass(Map<String, Operand<TFloat32>> outputs, List<Op> updates) {
    public Operand<TFloat32> output(String name) {
      Operand<TFloat32> o = outputs.get(name);
      checkArgument(o != null, "no output '%s'; the pass has %s", name, outputs.keySet());
      return o;
    }
  }

  private final Graph graph;
  private final Ops root;
  private final Initializer initializer;
  private final long seed;
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final Map<String, Long> variableSizes = new LinkedHashMap<>();
  private final Map<String, Boolean> variableTrainable = new LinkedHashMap<>();
  private final List<Op> updates = new ArrayList<>();
  private final Map<String, Ops> paramScopes = new HashMap<>();
  private final Operand<TInt64> dropoutSeed;
  /** int64 [2] seed words of every initializer, {@code {seed, 0}} unless fed (a restart feeds a derived seed). */
  private final Operand<TInt64> initSeed;

  // The single-network view of build(); null for graphs made with create().
  private SegmentationNet net;
  private int height;
  private int width;
  private int[] outputSize;
  private Placeholder<TFloat32> trainInput;
  private Pass trainPass;
  private Placeholder<TFloat32> inferInput;
  private Pass inferPass;
  private Operand<TFloat32> probabilities;

  private ModelGraph(Graph graph, Initializer initializer, long seed) {
    this.graph = graph;
    this.root = NonScanningScope.ops(graph); // TF's own scope scans the whole graph per sub-scope
    this.initializer = initializer;
    this.seed = seed;
    this.dropoutSeed = root.withName("dropout_seed")
        .placeholderWithDefault(root.constant(new long[] {seed, 0}), Shape.of(2));
    Ops init = root.withInitScope();
    this.initSeed = init.withName("init_seed").placeholderWithDefault(init.constant(new long[] {seed, 0}), Shape.of(2));
  }

  /**
   * An empty model graph over {@code graph}.
   *
   * @param seed seeds every initializer (stateless ops) and the default dropout seed
   */
  public static ModelGraph create(Graph graph, Initializer initializer, long seed) {
    return new ModelGraph(graph, initializer, seed);
  }

  /**
   * Builds one pass of {@code network} with graph names under {@code passName/} (unique per pass:
   * a network applied twice needs two pass names). Variables are created by the first TRAIN pass of a
   * network and shared by every later pass.
   */
  public Pass apply(Network network, Mode mode, String passName, Map<String, Operand<TFloat32>> inputs) {
    checkArgument(passName != null && passName.matches("[A-Za-z0-9][A-Za-z0-9_.\\-/]*"), "bad pass name '%s'", passName);
    return apply(network, mode, root.withSubScope(passName), inputs);
  }

  /** As {@link #apply(Network, Mode, String, Map)}, with the pass's ops under {@code passScope} (opened once by the caller). */
  public Pass apply(Network network, Mode mode, Ops passScope, Map<String, Operand<TFloat32>> inputs) {
    int before = updates.size();
    Ops scope = passScope.withSubScope(network.scope());
    Layers layers = new Layers(this, mode, scope, network.scope());
    Map<String, Operand<TFloat32>> out = new LinkedHashMap<>(network.forward(layers, inputs));
    return new Pass(Collections.unmodifiableMap(out), List.copyOf(updates.subList(before, updates.size())));
  }

  /**
   * The single-segmentation-network graph: {@code net} for inputs of {@code height x width}, a
   * training and an inference pass, and inference probabilities of its default head.
   */
  public static ModelGraph build(Graph graph, SegmentationNet net, int height, int width, Initializer initializer,
      long seed) {
    checkArgument(height > 0 && width > 0, "input size must be positive, got %sx%s", height, width);
    ModelGraph g = new ModelGraph(graph, initializer, seed);
    g.net = net;
    g.height = height;
    g.width = width;
    g.outputSize = net.outputSize(height, width);
    Shape inShape = Shape.of(-1, height, width, net.inputChannels());
    Ops trainOps = g.root.withSubScope("train");
    g.trainInput = trainOps.withName("image").placeholder(TFloat32.class, Placeholder.shape(inShape));
    g.trainPass = g.checked(g.apply(net, Mode.TRAIN, trainOps, Map.of(SegmentationNet.IMAGE, g.trainInput)));
    Ops inferOps = g.root.withSubScope("infer");
    g.inferInput = inferOps.withName("image").placeholder(TFloat32.class, Placeholder.shape(inShape));
    g.inferPass = g.checked(g.apply(net, Mode.INFER, inferOps, Map.of(SegmentationNet.IMAGE, g.inferInput)));
    g.probabilities = activation(inferOps.withName("probabilities"), g.inferLogits(), net.classes());
    return g;
  }

  /** Sigmoid for one class, softmax over the classes otherwise. */
  public static Operand<TFloat32> activation(Ops tf, Operand<TFloat32> logits, int classes) {
    return classes == 1 ? tf.math.sigmoid(logits) : tf.nn.softmax(logits);
  }

  /** Checks that every head of a segmentation pass has the shape the net promises. */
  private Pass checked(Pass pass) {
    for (Map.Entry<String, Operand<TFloat32>> e : pass.outputs().entrySet()) {
      checkHead(net, e.getKey(), e.getValue(), outputSize);
    }
    return pass;
  }

  /** Fails unless {@code logits} is {@code [N, H', W', K]} as {@code net} promises. */
  public static void checkHead(SegmentationNet net, String head, Operand<TFloat32> logits, int[] outputSize) {
    long[] dims = logits.shape().asArray();
    checkState(dims.length == 4 && dims[1] == outputSize[0] && dims[2] == outputSize[1] && dims[3] == net.classes(),
        "%s built head %s of shape %s, expected [N, %s, %s, %s]", net.variant(), head, Arrays.toString(dims),
        outputSize[0], outputSize[1], net.classes());
  }

  // ---- used by Layers ----

  Variable<TFloat32> variable(String path, String name, long[] shape, Initializer init, Initializer.Fans fans,
      boolean isTrainable, Mode mode) {
    String key = path + "/" + name;
    Variable<TFloat32> existing = variables.get(key);
    if (existing != null) {
      checkState(Arrays.equals(existing.shape().asArray(), shape),
          "variable %s exists with shape %s, asked for %s", key, existing.shape(), Arrays.toString(shape));
      return existing;
    }
    checkState(mode == Mode.TRAIN, "variable %s must be created by a training pass first", key);
    Ops scope = paramScope(path).withInitScope();
    // {seed, key hash} by default; {derived seed, key hash} when a restart feeds init_seed
    Operand<TInt64> seedWords = scope.math.add(initSeed, scope.constant(new long[] {0, key.hashCode()}));
    Operand<TFloat32> value = init.create(scope, shape, fans, seedWords);
    Variable<TFloat32> v = paramScope(path).withName(name).variable(value);
    variables.put(key, v);
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    variableSizes.put(key, size);
    variableTrainable.put(key, isTrainable);
    return v;
  }

  private Ops paramScope(String path) {
    Ops scope = paramScopes.get(path);
    if (scope == null) {
      int slash = path.lastIndexOf('/');
      scope = path.isEmpty()
          ? root.withSubScope("params")
          : paramScope(slash < 0 ? "" : path.substring(0, slash)).withSubScope(path.substring(slash + 1));
      paramScopes.put(path, scope);
    }
    return scope;
  }

  void addUpdate(Op update) {
    updates.add(update);
  }

  Initializer initializer() {
    return initializer;
  }

  Operand<TInt64> dropoutSeed() {
    return dropoutSeed;
  }

  long seed() {
    return seed;
  }

  // ---- public view ----

  public Graph graph() {
    return graph;
  }

  public Ops ops() {
    return root;
  }

  /**
   * The initializers' seed words (int64 [2], an init-scope placeholder with default {@code {seed, 0}}).
   * Re-running the variables' initializers with {@code {s, 0}} fed here draws every weight afresh from
   * seed {@code s} (a restart after a collapse); with nothing fed they repeat the first initialization.
   */
  public Operand<TInt64> initSeedInput() {
    return initSeed;
  }

  /** Feed {@code [seed, step]} here (int64 [2]) to draw step-specific dropout masks. */
  public Operand<TInt64> dropoutSeedInput() {
    return dropoutSeed;
  }

  private static boolean inScope(String key, String scope) {
    return scope == null || key.startsWith(scope + "/");
  }

  /** Trainable variables of the network with this scope (null: of every network), in creation order. */
  public List<Variable<TFloat32>> trainableVariables(String scope) {
    List<Variable<TFloat32>> out = new ArrayList<>();
    for (Map.Entry<String, Variable<TFloat32>> e : variables.entrySet()) {
      if (variableTrainable.get(e.getKey()) && inScope(e.getKey(), scope)) {
        out.add(e.getValue());
      }
    }
    return out;
  }

  /** Trainable variables of every network (kernels, biases, norm gamma/beta). */
  public List<Variable<TFloat32>> trainableVariables() {
    return trainableVariables(null);
  }

  /** Trainable parameters of the network with this scope (null: all); moving averages excluded, as PyTorch counts. */
  public long parameterCount(String scope) {
    long n = 0;
    for (Map.Entry<String, Long> e : variableSizes.entrySet()) {
      if (variableTrainable.get(e.getKey()) && inScope(e.getKey(), scope)) {
        n += e.getValue();
      }
    }
    return n;
  }

  public long parameterCount() {
    return parameterCount(null);
  }

  /** Variable key ({@code scope/layer/path/name}) to element count, in creation order. */
  public Map<String, Long> variableSizes() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(variableSizes));
  }

  // ---- the single-network view of build() ----

  private <T> T built(T field) {
    checkState(net != null, "this ModelGraph was made with create(); use the passes it returned");
    return field;
  }

  public SegmentationNet net() {
    return built(net);
  }

  public int inputHeight() {
    return built(height);
  }

  public int inputWidth() {
    return built(width);
  }

  /** {@code {H', W'}} of the logits. */
  public int[] outputSize() {
    return built(outputSize).clone();
  }

  public Placeholder<TFloat32> trainInput() {
    return built(trainInput);
  }

  /** The training pass (every head). */
  public Pass trainPass() {
    return built(trainPass);
  }

  /** The inference pass (every head). */
  public Pass inferPass() {
    return built(inferPass);
  }

  /** Training-pass logits [N, H', W', K] of the first head. */
  public Operand<TFloat32> trainLogits() {
    return built(trainPass).outputs().values().iterator().next();
  }

  public Placeholder<TFloat32> inferInput() {
    return built(inferInput);
  }

  /** Inference-pass logits [N, H', W', K] of the first head. */
  public Operand<TFloat32> inferLogits() {
    return built(inferPass).outputs().values().iterator().next();
  }

  /** Inference probabilities [N, H', W', K] of the first head: sigmoid for K = 1, softmax otherwise. */
  public Operand<TFloat32> probabilities() {
    return built(probabilities);
  }

  /** Ops to run with every training step (the training pass's batch-norm moving averages). */
  public List<Op> updateOps() {
    return built(trainPass).updates();
  }
}
