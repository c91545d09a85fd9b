package org.unetpipelines.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.Arrays;
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
 * One network built twice into a graph: a training pass (batch statistics, dropout) and an
 * inference pass (moving averages, no dropout) that share the same variables.
 *
 * <p>Graph names: variables live under {@code params/<layer path>/<kernel|bias|gamma|...>}, the
 * training pass under {@code train/...} and the inference pass under {@code infer/...}. Inputs are
 * {@code train/image} and {@code infer/image}, float32 {@code [N, H, W, C]} in [0, 1].
 */
public final class ModelGraph {

  /** Which pass a {@link Layers} builds. */
  public enum Mode {
    TRAIN,
    INFER
  }

  private final Graph graph;
  private final Ops root;
  private final Initializer initializer;
  private final long seed;
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final Map<String, Long> variableSizes = new LinkedHashMap<>();
  private final List<Variable<TFloat32>> trainable = new ArrayList<>();
  private final List<Op> updates = new ArrayList<>();
  private final Map<String, Ops> paramScopes = new HashMap<>();
  private final Operand<TInt64> dropoutSeed;

  private final SegmentationNet net;
  private final int height;
  private final int width;
  private final int[] outputSize;
  private final Placeholder<TFloat32> trainInput;
  private final Operand<TFloat32> trainLogits;
  private final Placeholder<TFloat32> inferInput;
  private final Operand<TFloat32> inferLogits;
  private final Operand<TFloat32> probabilities;

  private ModelGraph(Graph graph, SegmentationNet net, int height, int width, Initializer initializer, long seed) {
    this.graph = graph;
    this.root = Ops.create(graph);
    this.net = net;
    this.initializer = initializer;
    this.seed = seed;
    this.height = height;
    this.width = width;
    this.outputSize = net.outputSize(height, width);
    Shape inShape = Shape.of(-1, height, width, net.inputChannels());
    this.dropoutSeed = root.withName("dropout_seed")
        .placeholderWithDefault(root.constant(new long[] {seed, 0}), Shape.of(2));

    Ops trainOps = root.withSubScope("train");
    this.trainInput = trainOps.withName("image").placeholder(TFloat32.class, Placeholder.shape(inShape));
    this.trainLogits = checkedLogits(new Layers(this, Mode.TRAIN, trainOps, ""), trainInput);

    Ops inferOps = root.withSubScope("infer");
    this.inferInput = inferOps.withName("image").placeholder(TFloat32.class, Placeholder.shape(inShape));
    this.inferLogits = checkedLogits(new Layers(this, Mode.INFER, inferOps, ""), inferInput);
    this.probabilities = net.classes() == 1
        ? inferOps.withName("probabilities").math.sigmoid(inferLogits)
        : inferOps.withName("probabilities").nn.softmax(inferLogits);
  }

  /**
   * Builds {@code net} for inputs of {@code height x width} into {@code graph}.
   *
   * @param seed seeds every initializer (stateless ops) and the default dropout seed
   */
  public static ModelGraph build(Graph graph, SegmentationNet net, int height, int width, Initializer initializer, long seed) {
    checkArgument(height > 0 && width > 0, "input size must be positive, got %sx%s", height, width);
    return new ModelGraph(graph, net, height, width, initializer, seed);
  }

  private Operand<TFloat32> checkedLogits(Layers layers, Operand<TFloat32> input) {
    Operand<TFloat32> logits = net.logits(layers, input);
    long[] dims = logits.shape().asArray();
    checkState(dims.length == 4 && dims[1] == outputSize[0] && dims[2] == outputSize[1] && dims[3] == net.classes(),
        "%s built logits of shape %s, expected [N, %s, %s, %s]", net.variant(), Arrays.toString(dims),
        outputSize[0], outputSize[1], net.classes());
    return logits;
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
    checkState(mode == Mode.TRAIN, "variable %s must be created by the training pass first", key);
    Ops scope = paramScope(path).withInitScope();
    long[] seedWords = {seed, key.hashCode()};
    Operand<TFloat32> value = init.create(scope, shape, fans, seedWords);
    Variable<TFloat32> v = paramScope(path).withName(name).variable(value);
    variables.put(key, v);
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    variableSizes.put(key, size);
    if (isTrainable) {
      trainable.add(v);
    }
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

  // ---- public view ----

  public Graph graph() {
    return graph;
  }

  public Ops ops() {
    return root;
  }

  public SegmentationNet net() {
    return net;
  }

  public int inputHeight() {
    return height;
  }

  public int inputWidth() {
    return width;
  }

  /** {@code {H', W'}} of the logits. */
  public int[] outputSize() {
    return outputSize.clone();
  }

  public Placeholder<TFloat32> trainInput() {
    return trainInput;
  }

  /** Training-pass logits [N, H', W', K]. */
  public Operand<TFloat32> trainLogits() {
    return trainLogits;
  }

  public Placeholder<TFloat32> inferInput() {
    return inferInput;
  }

  public Operand<TFloat32> inferLogits() {
    return inferLogits;
  }

  /** Inference probabilities [N, H', W', K]: sigmoid for K = 1, softmax otherwise. */
  public Operand<TFloat32> probabilities() {
    return probabilities;
  }

  /** Feed {@code [seed, step]} here (int64 [2]) to draw step-specific dropout masks. */
  public Operand<TInt64> dropoutSeedInput() {
    return dropoutSeed;
  }

  /** Trainable variables in creation order (kernels, biases, batch-norm gamma/beta). */
  public List<Variable<TFloat32>> trainableVariables() {
    return List.copyOf(trainable);
  }

  /** Ops to run with every training step (batch-norm moving averages). */
  public List<Op> updateOps() {
    return List.copyOf(updates);
  }

  /** Number of trainable parameters (moving averages excluded, as PyTorch counts). */
  public long parameterCount() {
    long n = 0;
    for (Map.Entry<String, Variable<TFloat32>> e : variables.entrySet()) {
      if (trainable.contains(e.getValue())) {
        n += variableSizes.get(e.getKey());
      }
    }
    return n;
  }

  /** Variable key ({@code layer/path/name}) to element count, in creation order. */
  public Map<String, Long> variableSizes() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variableSizes));
  }
}
