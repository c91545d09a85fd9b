package org.unetpipelines.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Builds layers under test as one training pass of a test {@link Network} (scope {@code net}) in a
 * {@link ModelGraph}, then runs them on fed inputs with known weights, and computes gradients with
 * {@code Graph.addGradients}. Graph names: ops under {@code train/net/<layer>/}, variables under
 * {@code params/net/<layer>/}.
 */
public final class LayerHarness implements AutoCloseable {

  /** Builds the layers under test; returns the tensors to fetch by name. */
  public interface Body {
    Map<String, Operand<TFloat32>> build(Layers layers, Operand<TFloat32> input);
  }

  private static final String SCOPE = "net";

  public final Graph graph = new Graph();
  public final ModelGraph model;
  public final Session session;
  private final Placeholder<TFloat32> placeholder;
  /** The training pass's update ops (batch-norm moving averages, spectral-norm power iterations). */
  final java.util.List<org.tensorflow.op.Op> updates = new java.util.ArrayList<>();
  private final Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();
  private final long[] inShape;

  /** @param inShape the fed input's {@code [N, H, W, C]} (the placeholder's batch is left open) */
  public LayerHarness(long[] inShape, Initializer init, Body body) {
    this.inShape = inShape.clone();
    Network net = new Network() {
      @Override
      public String scope() {
        return SCOPE;
      }

      @Override
      public Map<String, Operand<TFloat32>> forward(Layers layers, Map<String, Operand<TFloat32>> inputs) {
        return body.build(layers, inputs.get("x"));
      }
    };
    try {
      this.model = ModelGraph.create(graph, init, 1);
      Ops tf = model.ops();
      this.placeholder = tf.withName("x").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, inShape[1], inShape[2], inShape[3])));
      ModelGraph.Pass pass = model.apply(net, ModelGraph.Mode.TRAIN, "train", Map.of("x", placeholder));
      outputs.putAll(pass.outputs());
      updates.addAll(pass.updates());
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
    this.session = new Session(graph);
    session.initialize();
  }

  /** The op of {@code output} is named under the layer's sub-scope {@code train/net/<scope>/}. */
  public void assertScoped(String output, String scope) {
    String name = outputs.get(output).op().name();
    org.junit.jupiter.api.Assertions.assertTrue(name.startsWith("train/" + SCOPE + "/" + scope + "/"),
        output + " is op " + name);
  }

  Ops tf() {
    return model.ops();
  }

  /** {@code sum(y * w)} with fixed weights w_i = 0.5 + ((7 i) mod 13) / 13, for gradient checks. */
  public static Operand<TFloat32> probe(Ops tf, Operand<TFloat32> y, long[] shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = 0.5f + ((7 * i) % 13) / 13f;
    }
    return tf.sum(tf.math.mul(y, tf.constant(Shape.of(shape), DataBuffers.of(w))),
        tf.constant(rangeOf(shape.length)));
  }

  public static float probeWeight(int i) {
    return 0.5f + ((7 * i) % 13) / 13f;
  }

  private static int[] rangeOf(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  /** The variable {@code params/net/<key>} (e.g. {@code conv/kernel}). */
  Output<TFloat32> variable(String key) {
    GraphOperation op = graph.operation("params/" + SCOPE + "/" + key);
    assertNotNull(op, "no variable params/" + SCOPE + "/" + key);
    return op.output(0);
  }

  /** Overwrites a variable with known values (row-major). */
  public void set(String key, float... values) {
    Output<TFloat32> v = variable(key);
    Ops tf = tf();
    Operand<TFloat32> assign = tf.assign(v, tf.constant(v.shape(), DataBuffers.of(values)));
    session.runner().addTarget(assign).run();
  }

  /** Runs the pass's update ops once (fed {@code input}). */
  void runUpdates(float[] input) {
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(inShape), DataBuffers.of(input))) {
      Session.Runner r = session.runner().feed(placeholder, x);
      updates.forEach(r::addTarget);
      try (Result res = r.run()) {
        // targets only
      }
    }
  }

  /** The value of the graph op named {@code opName} (output 0), fed {@code input}. */
  float[] runOp(String opName, float[] input) {
    GraphOperation op = graph.operation(opName);
    assertNotNull(op, "no op " + opName);
    return fetch(op.output(0), input);
  }

  public float[] run(String output, float[] input) {
    return fetch(outputs.get(output), input);
  }

  public long[] shape(String output) {
    return outputs.get(output).shape().asArray();
  }

  /** d output / d input, for a scalar output. */
  public float[] gradient(String output, float[] input) {
    Output<?> g = graph.addGradients(outputs.get(output).asOutput(), new Output<?>[] {placeholder.asOutput()})[0];
    return fetch(g, input);
  }

  /** d output / d variable, for a scalar output. */
  public float[] gradientOfVariable(String output, String key, float[] input) {
    Output<?> g = graph.addGradients(outputs.get(output).asOutput(), new Output<?>[] {variable(key)})[0];
    return fetch(g, input);
  }

  @SuppressWarnings("unchecked")
  private float[] fetch(Operand<?> y, float[] input) {
    assertNotNull(y);
    assertEquals(product(inShape), input.length, "input size");
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(inShape), DataBuffers.of(input));
        Result r = session.runner().feed(placeholder, x).fetch(y).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  private static int product(long[] shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    return n;
  }

  /**
   * Compares d output / d input with central finite differences (step {@code eps}), element by
   * element, within {@code tol * max(1, |analytic|)}.
   */
  public void checkGradient(String output, float[] input, float eps, float tol) {
    float[] analytic = gradient(output, input);
    assertEquals(input.length, analytic.length);
    for (int i = 0; i < input.length; i++) {
      float[] plus = input.clone();
      float[] minus = input.clone();
      plus[i] += eps;
      minus[i] -= eps;
      double numeric = ((double) run(output, plus)[0] - run(output, minus)[0]) / (2.0 * eps);
      assertEquals(numeric, analytic[i], tol * Math.max(1.0, Math.abs(analytic[i])),
          output + ": d/dx[" + i + "] analytic " + analytic[i] + " vs finite difference " + numeric);
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
