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
      // one placeholder and assign per variable, built before the session's first run, fed in one run
      java.util.List<Placeholder<TFloat32>> feeds = new java.util.ArrayList<>();
      java.util.List<org.tensorflow.op.Op> assigns = new java.util.ArrayList<>();
      java.util.List<TFloat32> tensors = new java.util.ArrayList<>();
      for (Map.Entry<String, float[]> e : values.entrySet()) {
        org.tensorflow.Output<TFloat32> v = graph.operation("params/" + e.getKey()).output(0);
        Placeholder<TFloat32> p = model.ops().placeholder(TFloat32.class, Placeholder.shape(v.shape()));
        feeds.add(p);
        assigns.add(model.ops().assign(v, p));
        tensors.add(TFloat32.tensorOf(v.shape(), DataBuffers.of(e.getValue())));
      }
      try (Session session = new Session(graph)) {
        session.initialize();
        if (!assigns.isEmpty()) {
          Session.Runner r = session.runner();
          for (int i = 0; i < feeds.size(); i++) {
            r.feed(feeds.get(i), tensors.get(i)).addTarget(assigns.get(i));
          }
          r.run();
        }
        tensors.forEach(TFloat32::close);
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

  /**
   * The cross-check values of bench/resnet20_torch.py and bench/sunet_torch.py ({@code formula}), in
   * TensorFlow's layout (conv [kh, kw, in, out], transposed conv [kh, kw, out, in], dense [in, out]), by
   * the variable's last name: kernel, bias, gamma, beta, moving_mean, moving_variance.
   */
  public static float[] formula(String kind, long[] shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double x = switch (kind) {
        case "kernel" -> Math.sqrt(2.0 / (n / shape[shape.length - 1])) * Math.sin(0.7 * i + n);
        case "bias" -> 0.1 * Math.sin(0.3 * i);
        case "gamma" -> 1 + 0.1 * Math.sin(0.5 * i + n);
        case "beta" -> 0.1 * Math.cos(0.5 * i);
        case "moving_mean" -> 0.05 * Math.sin(0.9 * i);
        case "moving_variance" -> 1 + 0.2 * Math.pow(Math.cos(0.4 * i), 2);
        default -> throw new IllegalArgumentException(kind);
      };
      v[i] = (float) x;
    }
    return v;
  }

  /**
   * The inference logits [2, K] of {@code net} on {@code size x size} inputs with every variable set
   * by {@link #formula}, for the two images the PyTorch scripts' {@code --crosscheck} uses:
   * x0[k] = (sin(0.1 k) + 1) / 2, x1[k] = (cos(0.07 k) + 1) / 2 over the NHWC flat index k.
   */
  public static float[] crossCheckLogits(ClassifierNet net, int size) {
    try (Built b = build(net, size, size, ModelGraph.Mode.INFER)) {
      Map<String, float[]> values = new java.util.LinkedHashMap<>();
      for (String key : b.model().variableSizes().keySet()) {
        long[] shape = b.graph().operation("params/" + key).output(0).shape().asArray();
        values.put(key, formula(key.substring(key.lastIndexOf('/') + 1), shape));
      }
      int per = size * size * net.inputChannels();
      float[] x = new float[2 * per];
      for (int k = 0; k < per; k++) {
        x[k] = (float) ((Math.sin(0.1 * k) + 1) / 2);
        x[per + k] = (float) ((Math.cos(0.07 * k) + 1) / 2);
      }
      return b.run(2, x, values);
    }
  }
}
