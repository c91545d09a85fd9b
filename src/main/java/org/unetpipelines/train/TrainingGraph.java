package org.unetpipelines.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.model.SegmentationNet;

/**
 * A network, its losses and its optimizer in one graph with an open session: one call per training
 * step, validation batch, checkpoint or export. Every tensor it creates is closed before returning.
 */
public final class TrainingGraph implements AutoCloseable {
  /** Serving contract: SavedModel tag, signature key, input and output keys. */
  public static final String SERVE_TAG = "serve";
  public static final String SIGNATURE_KEY = "serving_default";
  public static final String INPUT_KEY = "image";
  public static final String OUTPUT_KEY = "probabilities";

  private final Graph graph;
  private final ModelGraph model;
  private final Losses.Loss trainLoss;
  private final Losses.Loss inferLoss;
  private final Placeholder<TFloat32> learningRate;
  private final List<Op> stepTargets = new ArrayList<>();
  private final Session session;
  private final TrainConfig config;

  private TrainingGraph(SegmentationNet net, TrainConfig config) {
    this.config = config;
    this.graph = new Graph();
    try {
      this.model = ModelGraph.build(graph, net, config.height(), config.width(), config.initializer(), config.seed());
      this.trainLoss = Losses.build(model.ops().withSubScope("train"), "loss", model.trainLogits(), config.loss());
      this.inferLoss = Losses.build(model.ops().withSubScope("infer"), "loss", model.inferLogits(), config.loss());
      this.learningRate = model.ops().withName("learning_rate").placeholder(TFloat32.class,
          Placeholder.shape(Shape.scalar()));
      Optimizer optimizer = ScheduledOptimizers.create(graph, config.optimizer(), learningRate,
          (float) config.momentum(), config.nesterov(), (float) config.beta1(), (float) config.beta2(),
          (float) config.epsilon());
      // Gradients of the trainable variables only (moving averages and optimizer state are variables too).
      List<Variable<TFloat32>> vars = model.trainableVariables();
      Output<?>[] xs = new Output<?>[vars.size()];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = vars.get(i).asOutput();
      }
      Output<?>[] grads = graph.addGradients(trainLoss.value().asOutput(), xs);
      List<Optimizer.GradAndVar<? extends TType>> pairs = new ArrayList<>();
      for (int i = 0; i < xs.length; i++) {
        pairs.add(pair(grads[i], xs[i]));
      }
      stepTargets.add(optimizer.applyGradients(pairs, "minimize")); // before the initializers run (slots)
      stepTargets.addAll(model.updateOps());
      config.device().check();
      this.session = new Session(graph, config.device().sessionConfig(config.intraOpThreads(), config.interOpThreads()));
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends TType> Optimizer.GradAndVar<T> pair(Output<?> grad, Output<?> var) {
    return new Optimizer.GradAndVar<>((Output<T>) grad, (Output<T>) var);
  }

  /** Builds the graph and opens its session (variables not yet initialized). */
  public static TrainingGraph create(SegmentationNet net, TrainConfig config) {
    return new TrainingGraph(net, config);
  }

  public ModelGraph model() {
    return model;
  }

  public Session session() {
    return session;
  }

  /** Runs the variable initializers (fresh weights from the seeded initializers). */
  public void initialize() {
    session.initialize();
  }

  private Shape inShape(int n) {
    return Shape.of(n, config.height(), config.width(), model.net().inputChannels());
  }

  private Shape targetShape(int n) {
    int[] o = model.outputSize();
    return Shape.of(n, o[0], o[1], model.net().classes());
  }

  private Shape weightShape(int n) {
    int[] o = model.outputSize();
    return Shape.of(n, o[0], o[1], 1);
  }

  static TFloat32 tensor(Shape shape, float[] data) {
    return TFloat32.tensorOf(shape, DataBuffers.of(data, true, false));
  }

  /** One optimizer step; returns the batch's training loss. */
  public float step(Batch b, double lr, long step) {
    return step(b, lr, step, null);
  }

  /**
   * One optimizer step. When {@code metadata} is a one-element array, the step is traced and its
   * {@link RunMetadata} (op placement, timings) is stored there.
   */
  public float step(Batch b, double lr, long step, RunMetadata[] metadata) {
    try (TFloat32 x = tensor(inShape(b.size()), b.images());
        TFloat32 y = tensor(targetShape(b.size()), b.targets());
        TFloat32 w = tensor(weightShape(b.size()), b.weights());
        TFloat32 rate = TFloat32.scalarOf((float) lr);
        TInt64 dropSeed = TInt64.vectorOf(config.seed(), step)) {
      Session.Runner r = session.runner()
          .feed(model.trainInput(), x)
          .feed(trainLoss.target(), y)
          .feed(trainLoss.weights(), w)
          .feed(learningRate, rate)
          .feed(model.dropoutSeedInput(), dropSeed)
          .fetch(trainLoss.value());
      for (Op t : stepTargets) {
        r.addTarget(t);
      }
      if (metadata != null) {
        r.setOptions(Device.traceOptions());
        try (Result res = r.runAndFetchMetadata()) {
          metadata[0] = res.getMetadata().orElse(null);
          return ((TFloat32) res.get(0)).getFloat();
        }
      }
      try (Result res = r.run()) {
        return ((TFloat32) res.get(0)).getFloat();
      }
    }
  }

  /** Inference-pass loss and probabilities of a batch. */
  public record Evaluation(float loss, float[] probabilities) {}

  public Evaluation evaluate(Batch b) {
    try (TFloat32 x = tensor(inShape(b.size()), b.images());
        TFloat32 y = tensor(targetShape(b.size()), b.targets());
        TFloat32 w = tensor(weightShape(b.size()), b.weights());
        Result res = session.runner()
            .feed(model.inferInput(), x)
            .feed(inferLoss.target(), y)
            .feed(inferLoss.weights(), w)
            .fetch(inferLoss.value())
            .fetch(model.probabilities())
            .run()) {
      float loss = ((TFloat32) res.get(0)).getFloat();
      TFloat32 p = (TFloat32) res.get(1);
      float[] probs = new float[(int) p.size()];
      p.copyTo(DataBuffers.of(probs, false, false));
      return new Evaluation(loss, probs);
    }
  }

  /** Probabilities for images [n, H, W, C] in [0, 1]. */
  public float[] predict(int n, float[] images) {
    try (TFloat32 x = tensor(inShape(n), images);
        Result res = session.runner().feed(model.inferInput(), x).fetch(model.probabilities()).run()) {
      TFloat32 p = (TFloat32) res.get(0);
      float[] probs = new float[(int) p.size()];
      p.copyTo(DataBuffers.of(probs, false, false));
      return probs;
    }
  }

  /** Writes a checkpoint at {@code prefix} ({@code prefix.index}, {@code prefix.data-*}). */
  public void save(Path prefix) {
    session.save(prefix.toString());
  }

  public void restore(Path prefix) {
    session.restore(prefix.toString());
  }

  /** Exports a SavedModel (tag "serve", signature "serving_default": image -> probabilities). */
  public void exportSavedModel(Path dir) throws IOException {
    Signature sig = Signature.builder(SIGNATURE_KEY)
        .input(INPUT_KEY, model.inferInput())
        .output(OUTPUT_KEY, model.probabilities())
        .build();
    SavedModelBundle.exporter(dir.toString()).withTags(SERVE_TAG).withSession(session).withSignature(sig).export();
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
