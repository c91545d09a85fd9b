package org.unetpipelines.model;

import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Test helpers: a classifier's training pass in a graph, its parameter count, its inference output. */
public final class ClassifierNets {
  private ClassifierNets() {}

  /** A built classifier: graph, model, input and the logits of the pass. */
  public record Built(Graph graph, ModelGraph model, Placeholder<TFloat32> input, Operand<TFloat32> logits)
      implements AutoCloseable {
    @Override
    public void close() {
      graph.close();
    }

    /** Runs the pass on n images filled with a fixed pattern; returns the logits. */
    public float[] run(int n) {
      long[] s = input.shape().asArray();
      int size = (int) (n * s[1] * s[2] * s[3]);
      float[] x = new float[size];
      for (int i = 0; i < size; i++) {
        x[i] = ((i * 37) % 101) / 100f;
      }
      return run(n, x, Map.of());
    }

    /**
     * Runs the pass on {@code x} ([n, H, W, C] row-major) after initializing the variables and then
     * overwriting those in {@code values} (variable key {@code scope/layer/.../name} to row-major values).
     */
    public float[] run(int n, float[] x, Map<String, float[]> values) {
      long[] s = input.shape().asArray();
      s[0] = n;
      try (Session session = new Session(graph)) {
        session.initialize();
        for (Map.Entry<String, float[]> e : values.entrySet()) {
          org.tensorflow.Output<TFloat32> v = graph.operation("params/" + e.getKey()).output(0);
          session.runner().addTarget(model.ops().assign(v, model.ops().constant(v.shape(),
              DataBuffers.of(e.getValue())))).run();
        }
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(s), DataBuffers.of(x));
            Result r = session.runner().feed(input, t).fetch(logits).run()) {
          TFloat32 y = (TFloat32) r.get(0);
          float[] out = new float[(int) y.size()];
          y.copyTo(DataBuffers.of(out, false, false));
          return out;
        }
      }
    }
  }

  /** The network's {@code mode} pass (a TRAIN pass creates the variables) on {@code h x w} inputs. */
  public static Built build(ClassifierNet net, int h, int w, ModelGraph.Mode mode) {
    Graph g = new Graph();
    try {
      ModelGraph m = ModelGraph.create(g, Initializer.HE_NORMAL, 1);
      Placeholder<TFloat32> in = m.ops().withName("image").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, h, w, net.inputChannels())));
      if (mode == ModelGraph.Mode.INFER) {
        m.apply(net, ModelGraph.Mode.TRAIN, "train", Map.of(ClassifierNet.IMAGE, in));
      }
      Operand<TFloat32> logits = m.apply(net, mode, mode == ModelGraph.Mode.INFER ? "infer" : "train",
          Map.of(ClassifierNet.IMAGE, in)).output(ClassifierNet.LOGITS);
      return new Built(g, m, in, logits);
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
  }

  /** Trainable parameters of {@code net} on {@code h x w} inputs (graph only, nothing allocated). */
  public static long parameters(ClassifierNet net, int h, int w) {
    try (Built b = build(net, h, w, ModelGraph.Mode.TRAIN)) {
      return b.model().parameterCount(net.scope());
    }
  }
}
