package org.unetpipelines.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** {@link Layers#batchNorm(String, Operand, float, float)}: the moving averages follow the given momentum. */
class BatchNormMomentumTest {

  private static float[] fetch(Session s, String name) {
    try (Result r = s.runner().fetch(name).run()) {
      float[] out = new float[2];
      ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  @Test
  void movingAveragesKeepMomentumOfTheOldValue() {
    Network net = new Network() {
      @Override public String scope() { return "n"; }
      @Override public Map<String, Operand<TFloat32>> forward(Layers l, Map<String, Operand<TFloat32>> in) {
        return Map.of("y", l.batchNorm("bn", in.get("x"), 0.9f, 1e-5f));
      }
    };
    try (Graph g = new Graph()) {
      ModelGraph m = ModelGraph.create(g, Initializer.ONES, 1);
      Placeholder<TFloat32> x = m.ops().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1, 2, 2)));
      ModelGraph.Pass pass = m.apply(net, ModelGraph.Mode.TRAIN, "train", Map.of("x", x));
      try (Session s = new Session(g)) {
        s.initialize();
        // channel 0: 1, 3 (mean 2, variance 1); channel 1: 10, 10 (mean 10, variance 0)
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(1, 1, 2, 2), DataBuffers.of(new float[] {1, 10, 3, 10}))) {
          Session.Runner r = s.runner().feed(x, t);
          for (Op u : pass.updates()) {
            r.addTarget(u);
          }
          r.run();
        }
        assertArrayEquals(new float[] {0.2f, 1.0f}, fetch(s, "params/n/bn/moving_mean"), 1e-6f);
        // FusedBatchNorm's batch variance is the unbiased one (n / (n - 1)): 2 and 0
        assertArrayEquals(new float[] {0.9f + 0.1f * 2f, 0.9f}, fetch(s, "params/n/bn/moving_variance"), 1e-6f);
      }
    }
    try (LayerHarness h = new LayerHarness(new long[] {1, 2, 2, 1}, Initializer.ONES, (l, in) -> Map.of("y", in))) {
      assertThrows(IllegalArgumentException.class, () -> new LayerHarness(new long[] {1, 2, 2, 1}, Initializer.ONES,
          (l, in) -> Map.of("y", l.batchNorm("bn", in, 1f, 1e-5f))));
    }
  }
}
