package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.model.Network;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.SegmentationNet;
import org.unetpipelines.model.Serving;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.task.Segmentation;
import org.unetpipelines.train.task.Task;
import org.unetpipelines.train.task.TaskGraph;

/** The training core: several heads, several phases with their own optimizers, checkpoints of all of it. */
class TrainingCoreTest {

  /** A two-head segmentation net: a shared 3x3 conv, then a 1x1 head on it and a 1x1 head on a second conv. */
  static final class TwoHeads implements SegmentationNet {
    private final String head;
    private final String headLoss;

    TwoHeads(String head, String headLoss) {
      this.head = head;
      this.headLoss = headLoss;
    }

    @Override public String family() { return "twoheads"; }
    @Override public String variant() { return "f4-" + head + "-" + headLoss; }
    @Override public int classes() { return 1; }
    @Override public int inputChannels() { return 1; }
    @Override public int[] outputSize(int h, int w) { return new int[] {h, w}; }
    @Override public List<String> headNames() { return List.of("L1", "L2"); }
    @Override public String inferenceHead() { return head; }
    @Override public String headLoss() { return headLoss; }

    @Override
    public Map<String, Operand<TFloat32>> heads(Layers l, Operand<TFloat32> x) {
      Operand<TFloat32> a = l.relu(l.conv("c1", x, 3, 4, Padding.SAME, true));
      Operand<TFloat32> b = l.relu(l.conv("c2", a, 3, 4, Padding.SAME, true));
      Map<String, Operand<TFloat32>> m = new LinkedHashMap<>();
      m.put("L1", l.conv("h1", a, 1, 1, Padding.SAME, true));
      m.put("L2", l.conv("h2", b, 1, 1, Padding.SAME, true));
      return m;
    }
  }

  private static TrainConfig base(int steps) {
    return TrainConfig.defaults(16, 16).toBuilder().optimizer(OptimizerKind.ADAM).learningRate(0.01)
        .batchSize(2).shuffleBuffer(4).steps(steps).threads(1, 1).logEvery(100).build();
  }

  private static List<CurvePoint> zeroTimes(List<CurvePoint> points) {
    points.forEach(p -> p.setElapsedSeconds(0.0));
    return points;
  }

  @Test
  void deepSupervisionTrainsEveryHeadServesTheEnsembleAndResumesTheSameCurve(@TempDir Path dir) throws Exception {
    List<Sample> train = TestSamples.ellipses(5, 0, 8, 16);
    List<Sample> val = TestSamples.ellipses(5, 100, 2, 16);
    TwoHeads net = new TwoHeads("ensemble", "sum");
    Path straight = dir.resolve("straight");
    Trainer.train(net, base(7), train, val, straight, "ds", "{}");
    Path resumed = dir.resolve("resumed");
    Trainer.train(net, base(3), train, val, resumed, "ds", "{}");
    Trainer.train(net, base(7), train, val, resumed, "ds", "{}");
    List<CurvePoint> a = zeroTimes(CurveLog.readAvro(straight.resolve(Trainer.CURVE_AVRO)));
    List<CurvePoint> b = zeroTimes(CurveLog.readAvro(resumed.resolve(Trainer.CURVE_AVRO)));
    assertEquals(7, CurveLog.series(a, "train", "loss").size());
    assertEquals(a, b, "straight vs resumed: every curve point");

    JsonNode json = new ObjectMapper().readTree(straight.resolve(Trainer.MODEL_JSON).toFile());
    assertEquals("deep_supervision", json.get("task").asText());
    assertEquals("ensemble", json.get("serving").get("head").asText());
    assertEquals("[\"L1\",\"L2\",\"ensemble\"]", json.get("serving").get("heads").toString());
    assertEquals("[\"probabilities\",\"probabilities_L1\",\"probabilities_L2\",\"probabilities_ensemble\"]",
        json.get("serving").get("outputs").toString());
  }

  @Test
  void multiHeadLossIsTheSumOrMeanOfTheHeadsAndTheEnsembleIsTheMeanOfTheirProbabilities() {
    List<Sample> s = TestSamples.ellipses(5, 0, 2, 16);
    TrainConfig cfg = base(1);
    float[] lossSum;
    float[] lossMean;
    Map<String, float[]> outs = new LinkedHashMap<>();
    Batch batch;
    try (TrainingGraph sum = TrainingGraph.create(new Segmentation(new TwoHeads("ensemble", "sum"), 16, 16,
        LossKind.CROSS_ENTROPY), cfg);
        TrainingGraph mean = TrainingGraph.create(new Segmentation(new TwoHeads("ensemble", "mean"), 16, 16,
            LossKind.CROSS_ENTROPY), cfg)) {
      sum.initialize();
      mean.initialize();
      Segmentation task = (Segmentation) sum.task();
      Map<String, float[]> arrays = new LinkedHashMap<>();
      task.feeds().forEach((k, v) -> arrays.put(k, new float[(int) (2 * v[0] * v[1] * v[2])]));
      for (int i = 0; i < 2; i++) {
        task.fill(s.get(i), i, arrays, 1L, false);
      }
      batch = new Batch(2, arrays, List.of("a", "b"), 0, 0);
      lossSum = sum.evaluate(batch).get("loss");
      lossMean = mean.evaluate(batch).get("loss");
      int n = 2 * 16 * 16;
      float[] x = batch.array(Segmentation.IMAGE);
      for (String k : List.of(Serving.OUTPUT, Serving.headOutput("L1"), Serving.headOutput("L2"),
          Serving.headOutput("ensemble"))) {
        outs.put(k, sum.predict(2, x, k));
        assertEquals(n, outs.get(k).length);
      }
      // the mean-combined graph has the same initial weights (same seed, same variable names)
      assertArrayEquals(outs.get(Serving.OUTPUT), mean.predict(2, x), 0f);
    }
    assertEquals(lossSum[0] / 2, lossMean[0], 1e-6, "mean of two heads = sum / 2");
    float[] l1 = outs.get(Serving.headOutput("L1"));
    float[] l2 = outs.get(Serving.headOutput("L2"));
    float[] ens = outs.get(Serving.headOutput("ensemble"));
    for (int i = 0; i < ens.length; i++) {
      assertEquals((l1[i] + l2[i]) / 2, ens[i], 1e-6);
    }
    assertArrayEquals(ens, outs.get(Serving.OUTPUT), 0f, "the served head is the ensemble");
  }

  /**
   * A toy task with two phases and two optimizers: phase {@code a} fits a 1x1 conv A to the target
   * with the trainer's optimizer; phase {@code b} fits a second 1x1 conv B on A's (stopped) output,
   * with its own momentum optimizer at a tenth of the rate.
   */
  static final class TwoPhases implements Task {
    private static Network conv(String scope) {
      return new Network() {
        @Override public String scope() { return scope; }

        @Override
        public Map<String, Operand<TFloat32>> forward(Layers l, Map<String, Operand<TFloat32>> in) {
          return Map.of("y", l.conv("conv", in.get("x"), 1, 1, Padding.SAME, true));
        }
      };
    }

    @Override public String name() { return "two_phases"; }
    @Override public String family() { return "toy"; }
    @Override public String variant() { return "a-then-b"; }

    @Override
    public Map<String, long[]> feeds() {
      Map<String, long[]> f = new LinkedHashMap<>();
      f.put("image", new long[] {16, 16, 1});
      f.put("target", new long[] {16, 16, 1});
      return f;
    }

    @Override
    public void fill(Sample s, int index, Map<String, float[]> batch, long key, boolean training) {
      float[] img = org.unetpipelines.image.Tensors.toImage(s.getImage()).normalized();
      float[] mask = org.unetpipelines.image.Tensors.toImage(s.getMask()).normalized();
      System.arraycopy(img, 0, batch.get("image"), index * 256, 256);
      System.arraycopy(mask, 0, batch.get("target"), index * 256, 256);
    }

    private static Operand<TFloat32> mse(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
      return tf.math.mean(tf.math.square(tf.math.sub(a, b)), tf.constant(new int[] {0, 1, 2, 3}));
    }

    @Override
    public TaskGraph build(ModelGraph g, Map<String, Placeholder<TFloat32>> train, Map<String, Placeholder<TFloat32>> eval) {
      Ops tf = g.ops();
      Network a = conv("A");
      Network b = conv("B");
      Operand<TFloat32> ya = g.apply(a, ModelGraph.Mode.TRAIN, "train_a", Map.of("x", train.get("image"))).output("y");
      Operand<TFloat32> yb = g.apply(b, ModelGraph.Mode.TRAIN, "train_b", Map.of("x", tf.stopGradient(ya))).output("y");
      TaskGraph.Phase pa = TaskGraph.Phase.of("a", mse(tf, ya, train.get("target")), g.trainableVariables("A"), List.of());
      TaskGraph.Phase pb = new TaskGraph.Phase("b", mse(tf, yb, train.get("target")), List.of(new TaskGraph.Group("b",
          g.trainableVariables("B"), new TaskGraph.OptimizerSettings(OptimizerKind.MOMENTUM, 0.9, false, 0, 0, 1e-7),
          0.1)), List.of());
      Operand<TFloat32> ea = g.apply(a, ModelGraph.Mode.INFER, "eval_a", Map.of("x", eval.get("image"))).output("y");
      Operand<TFloat32> eb = g.apply(b, ModelGraph.Mode.INFER, "eval_b", Map.of("x", ea)).output("y");
      return new TaskGraph(List.of(pa, pb), Map.of("loss", mse(tf, eb, eval.get("target"))), eval.get("image"),
          Map.of(Serving.OUTPUT, eb));
    }

    @Override
    public Validation newValidation() {
      return new Validation() {
        double sum;
        int n;

        @Override public void add(Batch batch, Map<String, float[]> fetched) {
          sum += fetched.get("loss")[0] * batch.size();
          n += batch.size();
        }

        @Override public Map<String, Double> result() {
          return Map.of("loss", sum / n);
        }
      };
    }

    @Override
    public Geometry geometry() {
      return new Geometry(16, 16, 1, 16, 16, 1);
    }
  }

  @Test
  void twoPhasesWithTwoOptimizersRunEveryStepCheckpointBothAndResumeTheSameCurve(@TempDir Path dir) throws Exception {
    List<Sample> train = TestSamples.ellipses(9, 0, 8, 16);
    List<Sample> val = TestSamples.ellipses(9, 100, 2, 16);
    Path straight = dir.resolve("straight");
    Trainer.train(new TwoPhases(), base(30), train, val, straight, "toy", "{}");
    Path resumed = dir.resolve("resumed");
    Trainer.train(new TwoPhases(), base(13), train, val, resumed, "toy", "{}");
    Trainer.train(new TwoPhases(), base(30), train, val, resumed, "toy", "{}");
    List<CurvePoint> a = zeroTimes(CurveLog.readAvro(straight.resolve(Trainer.CURVE_AVRO)));
    List<CurvePoint> b = zeroTimes(CurveLog.readAvro(resumed.resolve(Trainer.CURVE_AVRO)));
    List<Double> la = CurveLog.series(a, "train", "loss_a");
    List<Double> lb = CurveLog.series(a, "train", "loss_b");
    assertEquals(30, la.size());
    assertEquals(30, lb.size());
    assertTrue(la.get(29) < la.get(0), "phase a learns: " + la);
    assertTrue(lb.get(29) < lb.get(0), "phase b learns: " + lb);
    assertEquals(a, b, "straight vs resumed: both phases' losses, validation, learning rate");
  }

  @Test
  void resumeFallsBackToThePreviousGoodCheckpoint(@TempDir Path dir) throws Exception {
    List<Sample> train = TestSamples.ellipses(5, 0, 8, 16);
    TwoHeads net = new TwoHeads("L2", "mean");
    Path straight = dir.resolve("straight");
    Trainer.train(net, base(9), train, null, straight, "fb", "{}");
    Path broken = dir.resolve("broken");
    TrainConfig every3 = base(9).toBuilder().checkpointEvery(3).keepCheckpoints(3).build();
    Trainer.train(net, every3.toBuilder().steps(7).build(), train, null, broken, "fb", "{}");
    // checkpoints at 3, 6 and the final one at 7: corrupt the newest's data file
    Path ckpts = broken.resolve(Trainer.CHECKPOINTS);
    List<Path> data = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(ckpts, "ckpt-7.data-*")) {
      ds.forEach(data::add);
    }
    assertEquals(1, data.size(), "one data file of checkpoint 7");
    Files.write(data.get(0), new byte[] {1, 2, 3});
    Trainer.train(net, every3, train, null, broken, "fb", "{}");
    List<CurvePoint> a = zeroTimes(CurveLog.readAvro(straight.resolve(Trainer.CURVE_AVRO)));
    List<CurvePoint> b = zeroTimes(CurveLog.readAvro(broken.resolve(Trainer.CURVE_AVRO)));
    assertEquals(CurveLog.series(a, "train", "loss"), CurveLog.series(b, "train", "loss"),
        "resumed from step 6 after checkpoint 7 failed to restore: the same curve");
    // every checkpoint broken: a clear error naming them, no silent fresh start
    for (Path f : Files.list(ckpts).toList()) {
      if (f.getFileName().toString().contains(".data-")) {
        Files.write(f, new byte[] {9});
      }
    }
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Trainer.train(net, every3.toBuilder().steps(12).build(), train, null, broken, "fb", "{}"));
    assertTrue(e.getMessage().contains("no checkpoint in") && e.getMessage().contains("ckpt-9"), e.getMessage());
  }
}
