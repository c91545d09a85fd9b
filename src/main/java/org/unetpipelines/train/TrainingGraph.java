package org.unetpipelines.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.model.Serving;
import org.unetpipelines.train.task.Task;
import org.unetpipelines.train.task.TaskGraph;

/**
 * A task's networks, losses and optimizers in one graph with an open session: one call per training
 * step (every phase in order), validation batch, checkpoint or export. Each phase's groups get their
 * own optimizer (own slots), so a checkpoint holds every optimizer's state. Every tensor it creates
 * is closed before returning.
 */
public final class TrainingGraph implements AutoCloseable {
  private final Graph graph;
  private final ModelGraph model;
  private final Task task;
  private final TaskGraph built;
  private final Map<String, Placeholder<TFloat32>> trainFeeds = new LinkedHashMap<>();
  private final Map<String, Placeholder<TFloat32>> evalFeeds = new LinkedHashMap<>();
  private final Placeholder<TFloat32> learningRate;
  private final List<Op> phaseTargets = new ArrayList<>();
  private final Session session;
  private final TrainConfig config;

  private TrainingGraph(Task task, TrainConfig config) {
    this.task = task;
    this.config = config;
    this.graph = new Graph();
    try {
      this.model = ModelGraph.create(graph, config.initializer().initializer(), config.seed());
      Ops tf = model.ops();
      for (Map.Entry<String, long[]> f : task.feeds().entrySet()) {
        trainFeeds.put(f.getKey(), placeholder(tf.withSubScope("train_feed"), f.getKey(), f.getValue()));
        evalFeeds.put(f.getKey(), placeholder(tf.withSubScope("eval_feed"), f.getKey(), f.getValue()));
      }
      this.built = task.build(model, trainFeeds, evalFeeds);
      this.learningRate = tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      boolean single = built.phases().size() == 1 && built.phases().get(0).groups().size() == 1;
      for (TaskGraph.Phase phase : built.phases()) {
        phaseTargets.add(minimize(tf, phase, single));
      }
      config.device().check();
      this.session = new Session(graph, config.precision().apply(
          config.device().sessionConfig(config.intraOpThreads(), config.interOpThreads()).toBuilder()).build());
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  private static Placeholder<TFloat32> placeholder(Ops tf, String name, long[] shape) {
    long[] dims = new long[shape.length + 1];
    dims[0] = -1;
    System.arraycopy(shape, 0, dims, 1, shape.length);
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
  }

  /** Gradients of the phase's loss for all its groups' variables, one optimizer per group, plus its updates. */
  private Op minimize(Ops tf, TaskGraph.Phase phase, boolean single) {
    List<Variable<TFloat32>> vars = new ArrayList<>();
    for (TaskGraph.Group g : phase.groups()) {
      vars.addAll(g.variables());
    }
    Set<Variable<TFloat32>> unique = new LinkedHashSet<>(vars);
    if (unique.size() != vars.size()) {
      throw new IllegalArgumentException("phase " + phase.name() + ": a variable is in two groups");
    }
    Output<?>[] xs = new Output<?>[vars.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = vars.get(i).asOutput();
    }
    Output<?>[] grads = graph.addGradients(phase.loss().asOutput(), xs);
    List<Op> ops = new ArrayList<>();
    int at = 0;
    for (TaskGraph.Group g : phase.groups()) {
      TaskGraph.OptimizerSettings s = g.optimizer() != null ? g.optimizer()
          : new TaskGraph.OptimizerSettings(config.optimizer(), config.momentum(), config.nesterov(), config.beta1(),
              config.beta2(), config.epsilon());
      Operand<TFloat32> lr = g.learningRateScale() == 1.0 ? learningRateOperand()
          : tf.withSubScope(phase.name() + "_" + g.name()).math.mul(learningRateOperand(),
              tf.constant((float) g.learningRateScale()));
      String scope = single ? null : phase.name() + "_" + g.name() + "_" + s.kind().name().toLowerCase();
      Optimizer optimizer = ScheduledOptimizers.create(graph, scope, s.kind(), lr, (float) s.momentum(),
          s.nesterov(), (float) s.beta1(), (float) s.beta2(), (float) s.epsilon());
      List<Optimizer.GradAndVar<? extends TType>> pairs = new ArrayList<>();
      for (int i = 0; i < g.variables().size(); i++, at++) {
        if (grads[at] == null) {
          throw new IllegalStateException("phase " + phase.name() + ": variable " + xs[at].op().name()
              + " does not affect the loss (no gradient)");
        }
        pairs.add(pair(grads[at], xs[at]));
      }
      ops.add(optimizer.applyGradients(pairs, "minimize_" + phase.name() + "_" + g.name())); // before init (slots)
    }
    ops.addAll(phase.updates());
    return tf.withControlDependencies(ops).withName("step_" + phase.name()).noOp();
  }

  private Operand<TFloat32> learningRateOperand() {
    return learningRate;
  }

  @SuppressWarnings("unchecked")
  private static <T extends TType> Optimizer.GradAndVar<T> pair(Output<?> grad, Output<?> var) {
    return new Optimizer.GradAndVar<>((Output<T>) grad, (Output<T>) var);
  }

  /** Builds the task's graph and opens its session (variables not yet initialized). */
  public static TrainingGraph create(Task task, TrainConfig config) {
    return new TrainingGraph(task, config);
  }

  public ModelGraph model() {
    return model;
  }

  public Task task() {
    return task;
  }

  public TaskGraph built() {
    return built;
  }

  public Session session() {
    return session;
  }

  /** Names of the training phases in the order they run. */
  public List<String> phases() {
    List<String> names = new ArrayList<>();
    built.phases().forEach(p -> names.add(p.name()));
    return names;
  }

  /** Runs the variable initializers (fresh weights from the seeded initializers). */
  public void initialize() {
    session.initialize();
  }

  /**
   * Re-runs every initializer with the weights drawn from {@code seed} instead of the config's seed:
   * every model variable (weights, spectral-norm vectors, moving averages) and every optimizer slot
   * starts afresh, as a new run with that seed would (a restart after a collapse).
   */
  public void reinitialize(long seed) {
    Session.Runner r = session.runner();
    int n = 0;
    for (java.util.Iterator<org.tensorflow.GraphOperation> it = graph.operations(); it.hasNext(); ) {
      org.tensorflow.GraphOperation op = it.next();
      if (graph.isInitializer(op) && op.type().startsWith("Assign")) {
        r.addTarget(op);
        n++;
      }
    }
    if (n == 0) {
      throw new IllegalStateException("the graph has no variable initializers to re-run");
    }
    try (TInt64 s = TInt64.vectorOf(seed, 0)) {
      r.feed(model.initSeedInput(), s);
      try (Result res = r.run()) {
        // targets only
      }
    }
  }

  private List<TFloat32> feed(Session.Runner r, Map<String, Placeholder<TFloat32>> feeds, Batch b) {
    List<TFloat32> tensors = new ArrayList<>();
    for (Map.Entry<String, long[]> f : task.feeds().entrySet()) {
      long[] dims = new long[f.getValue().length + 1];
      dims[0] = b.size();
      System.arraycopy(f.getValue(), 0, dims, 1, f.getValue().length);
      TFloat32 t = tensor(Shape.of(dims), b.array(f.getKey()));
      tensors.add(t);
      r.feed(feeds.get(f.getKey()), t);
    }
    return tensors;
  }

  static TFloat32 tensor(Shape shape, float[] data) {
    return TFloat32.tensorOf(shape, DataBuffers.of(data, true, false));
  }

  private static void closeAll(List<? extends AutoCloseable> tensors) {
    for (AutoCloseable t : tensors) {
      try {
        t.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** One optimizer step of every phase; returns the first phase's loss. */
  public float step(Batch b, double lr, long step) {
    return step(b, lr, step, null).values().iterator().next();
  }

  /** The phases' statistics of the last {@link #step} (empty before the first). */
  public Map<String, Float> lastStatistics() {
    return java.util.Collections.unmodifiableMap(lastStatistics);
  }

  private final Map<String, Float> lastStatistics = new LinkedHashMap<>();

  /**
   * One step: every phase in order on the same batch. When {@code metadata} is a one-element array,
   * the first phase is traced and its {@link RunMetadata} (op placement, timings) stored there.
   *
   * @return phase name to that phase's loss (as computed before its update)
   */
  public Map<String, Float> step(Batch b, double lr, long step, RunMetadata[] metadata) {
    Map<String, Float> losses = new LinkedHashMap<>();
    lastStatistics.clear();
    try (TFloat32 rate = TFloat32.scalarOf((float) lr);
        TInt64 dropSeed = TInt64.vectorOf(config.seed(), step)) {
      for (int p = 0; p < phaseTargets.size(); p++) {
        TaskGraph.Phase phase = built.phases().get(p);
        Session.Runner r = session.runner().feed(learningRate, rate).feed(model.dropoutSeedInput(), dropSeed);
        List<TFloat32> fed = feed(r, trainFeeds, b);
        try {
          r.fetch(phase.loss()).addTarget(phaseTargets.get(p));
          phase.statistics().values().forEach(r::fetch);
          if (metadata != null && p == 0) {
            r.setOptions(Device.traceOptions());
            try (Result res = r.runAndFetchMetadata()) {
              metadata[0] = res.getMetadata().orElse(null);
              record(phase, res, losses);
            }
          } else {
            try (Result res = r.run()) {
              record(phase, res, losses);
            }
          }
        } finally {
          closeAll(fed);
        }
      }
    }
    return losses;
  }

  private void record(TaskGraph.Phase phase, Result res, Map<String, Float> losses) {
    losses.put(phase.name(), ((TFloat32) res.get(0)).getFloat());
    int i = 1;
    for (String name : phase.statistics().keySet()) {
      lastStatistics.put(name, ((TFloat32) res.get(i++)).getFloat());
    }
  }

  /** The task's validation fetches for one batch (fed the eval placeholders), as flat arrays by name. */
  public Map<String, float[]> evaluate(Batch b) {
    Session.Runner r = session.runner();
    List<TFloat32> fed = feed(r, evalFeeds, b);
    List<String> names = new ArrayList<>(built.validation().keySet());
    try {
      for (String n : names) {
        r.fetch(built.validation().get(n));
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      try (Result res = r.run()) {
        for (int i = 0; i < names.size(); i++) {
          out.put(names.get(i), toArray((TFloat32) res.get(i)));
        }
      }
      return out;
    } finally {
      closeAll(fed);
    }
  }

  private static float[] toArray(TFloat32 t) {
    float[] a = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(a, false, false));
    return a;
  }

  /** The served output for inputs [n, shape of the serving input...]. */
  public float[] predict(int n, float[] inputs) {
    return predict(n, inputs, Serving.OUTPUT);
  }

  /** One serving output (by signature key) for inputs [n, ...]. */
  public float[] predict(int n, float[] inputs, String output) {
    long[] s = built.servingInput().shape().asArray();
    s[0] = n;
    Operand<TFloat32> out = built.servingOutputs().get(output);
    if (out == null) {
      throw new IllegalArgumentException("no serving output '" + output + "'; outputs: " + built.servingOutputs().keySet());
    }
    try (TFloat32 x = tensor(Shape.of(s), inputs);
        Result res = session.runner().feed(built.servingInput(), x).fetch(out).run()) {
      return toArray((TFloat32) res.get(0));
    }
  }

  /** Writes a checkpoint at {@code prefix} ({@code prefix.index}, {@code prefix.data-*}): every variable and optimizer slot. */
  public void save(Path prefix) {
    session.save(prefix.toString());
  }

  public void restore(Path prefix) {
    session.restore(prefix.toString());
  }

  /** Exports a SavedModel: tag {@link Serving#TAG}, signature {@link Serving#SIGNATURE}, the task's serving outputs. */
  public void exportSavedModel(Path dir) throws IOException {
    Signature.Builder sig = Signature.builder(Serving.SIGNATURE).input(Serving.INPUT, built.servingInput());
    for (Map.Entry<String, Operand<TFloat32>> e : built.servingOutputs().entrySet()) {
      sig.output(e.getKey(), e.getValue());
    }
    SavedModelBundle.exporter(dir.toString()).withTags(Serving.TAG).withSession(session).withSignature(sig.build())
        .export();
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
