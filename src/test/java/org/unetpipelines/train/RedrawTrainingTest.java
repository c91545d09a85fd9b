package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.model.WeightInit;
import org.unetpipelines.model.redo.RedoConfig;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.task.Redraw;
import org.unetpipelines.train.task.Task;
import org.unetpipelines.train.task.TaskGraph;

/** ReDo's adversarial task on the training core: losses, a 200-step smoke run, resume, restart after a collapse. */
class RedrawTrainingTest {
  private static final int SIZE = 16;

  /** Tiny networks for 16x16 single-channel images; restarts off unless asked. */
  static RedoConfig tiny() {
    return RedoConfig.defaults().withFilters(4, 2, 2, 2).withNz(4).withChannels(1).withRestart(0, 0, 1, 0);
  }

  private static TrainConfig config(int steps) {
    return TrainConfig.defaults(SIZE, SIZE).toBuilder().optimizer(OptimizerKind.ADAM).learningRate(1e-4)
        .initializer(WeightInit.ORTHOGONAL).batchSize(4).shuffleBuffer(4).steps(steps).threads(1, 1).logEvery(50)
        .build();
  }

  private static float scalar(Ops tf, Session s, Operand<TFloat32> x) {
    try (Result r = s.runner().fetch(x).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  @Test
  void hingeAndZReconstructionLossesAgainstHandValues() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> real = tf.constant(new float[][] {{1.5f}, {0.5f}, {-1f}});
      Operand<TFloat32> fake = tf.constant(new float[][] {{-2f}, {0f}, {0.5f}, {-0.5f}});
      // mean(relu(1 - r)) = (0 + 0.5 + 2) / 3; mean(relu(1 + f)) = (0 + 1 + 1.5 + 0.5) / 4: separate means
      assertEquals(2.5 / 3 + 3.0 / 4, scalar(tf, s, Redraw.hingeLoss(tf, real, fake)), 1e-6);
      // D = +1 on reals, -1 on fakes: 0
      assertEquals(0f, scalar(tf, s, Redraw.hingeLoss(tf, tf.constant(new float[][] {{1f}, {1f}}),
          tf.constant(new float[][] {{-1f}, {-1f}, {-1f}}))), 0f);
      Operand<TFloat32> z = tf.constant(new float[][] {{1, 2}, {3, 4}});
      assertEquals((0 + 4 + 9 + 0) / 4.0, scalar(tf, s, Redraw.zLoss(tf, z, tf.constant(new float[][] {{1, 0}, {0, 4}}))),
          1e-6, "mean over every element");
      assertEquals(0f, scalar(tf, s, Redraw.zLoss(tf, z, z)), 0f, "delta = identity on z: 0");
    }
  }

  @Test
  void batchesHoldNoLabelsSoTrainingAndValidationCannotReadMasks() {
    Redraw task = new Redraw(tiny(), SIZE, SIZE, 1e-4);
    assertEquals(List.of(Redraw.IMAGE), new ArrayList<>(task.feeds().keySet()), "images only");
    assertEquals("loss", task.monitor(), "early stopping and the schedule watch the unsupervised loss");
    Sample withMask = data(0, 1).get(0);
    org.unetpipelines.image.ImageArray m = org.unetpipelines.image.Tensors.toImage(withMask.getMask()).copy();
    for (int i = 0; i < m.data().length; i++) {
      m.data()[i] = 255 - m.data()[i];
    }
    Sample inverted = Sample.newBuilder(withMask).setMask(org.unetpipelines.image.Tensors.toTensor(m)).build();
    Sample none = Sample.newBuilder(withMask).setMask(null).build();
    List<float[]> filled = new ArrayList<>();
    for (Sample s : List.of(withMask, inverted, none)) {
      Map<String, float[]> batch = Map.of(Redraw.IMAGE, new float[SIZE * SIZE]);
      task.fill(s, 0, batch, 42L, false);
      filled.add(batch.get(Redraw.IMAGE));
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(filled.get(0), filled.get(1), "the mask does not matter");
    org.junit.jupiter.api.Assertions.assertArrayEquals(filled.get(0), filled.get(2));
  }

  @Test
  void restartRuleChecksTheSmallestRegionOnSchedule() {
    Redraw t = new Redraw(tiny().withRestart(0.1, 7000, 500, 2), SIZE, SIZE, 1e-4);
    Map<String, Float> collapsed = Map.of(Redraw.MASK_AREA_MIN, 0.03f);
    assertTrue(t.restart(500, 0, collapsed));
    assertFalse(t.restart(499, 0, collapsed), "only on check steps");
    assertFalse(t.restart(7500, 0, collapsed), "only early in an attempt");
    assertFalse(t.restart(500, 2, collapsed), "at most restart_max restarts");
    assertFalse(t.restart(500, 0, Map.of(Redraw.MASK_AREA_MIN, 0.3f)), "no collapse");
    assertFalse(new Redraw(tiny(), SIZE, SIZE, 1e-4).restart(500, 0, collapsed), "threshold 0: off");
  }

  private static List<CurvePoint> zeroTimes(List<CurvePoint> points) {
    points.forEach(p -> p.setElapsedSeconds(0.0));
    return points;
  }

  private static List<Sample> data(int first, int count) {
    return TestSamples.ellipses(21, first, count, SIZE);
  }

  @Test
  void twoHundredStepsWithoutNaNRepeatExactlyAndResumeOnTheSameCurve(@TempDir Path dir) throws Exception {
    Redraw task = new Redraw(tiny(), SIZE, SIZE, 1e-4);
    List<Sample> train = data(0, 40); // 10 steps an epoch, a validation after each
    List<Sample> val = data(100, 2);
    Trainer.train(task, config(200), train, val, dir.resolve("a"), "redo", "{}");
    List<CurvePoint> a = zeroTimes(CurveLog.readAvro(dir.resolve("a").resolve(Trainer.CURVE_AVRO)));
    List<Double> g = CurveLog.series(a, "train", "loss_generator");
    List<Double> d = CurveLog.series(a, "train", "loss_discriminator");
    List<Double> area = CurveLog.series(a, "train", Redraw.MASK_AREA_MIN);
    assertEquals(200, g.size());
    assertEquals(200, d.size());
    assertEquals(200, area.size());
    for (int i = 0; i < 200; i++) {
      assertTrue(Double.isFinite(g.get(i)) && Double.isFinite(d.get(i)), "finite losses at step " + (i + 1));
      assertTrue(area.get(i) > 0 && area.get(i) <= 0.5, "min region area in (0, 1/2]: " + area.get(i));
    }
    assertNotEquals(d.get(0), d.get(199), "D learns something");
    assertFalse(CurveLog.series(a, "validation", "loss_z").isEmpty());
    assertTrue(a.stream().filter(p -> p.getSplit().toString().equals("validation"))
        .noneMatch(p -> p.getMetric().toString().contains("iou") || p.getMetric().toString().contains("accuracy")),
        "the validation samples carry masks, but validation scores none");
    // a picture per epoch: the 2 validation images, each with m_0 and both regions redrawn
    Path pictures = dir.resolve("a").resolve(Trainer.PICTURES);
    try (var files = java.nio.file.Files.list(pictures)) {
      assertEquals(20, files.count(), "one per epoch (10 steps each)");
    }
    org.unetpipelines.image.ImageArray grid = org.unetpipelines.image.ImageCodec.decodeFirst(
        java.nio.file.Files.readAllBytes(pictures.resolve("epoch-0019-" + Redraw.PICTURE + ".png")));
    int gap = org.unetpipelines.image.ImageGrid.GAP;
    assertEquals(2 * (SIZE + gap) + gap, grid.height());
    assertEquals(4 * (SIZE + gap) + gap, grid.width());
    boolean first = false;
    for (Sample s : val) {
      org.unetpipelines.image.ImageArray img = org.unetpipelines.image.Tensors.toImage(s.getImage());
      boolean same = true;
      for (int y = 0; y < SIZE && same; y++) {
        for (int x = 0; x < SIZE; x++) {
          same &= grid.get(gap + y, gap + x, 0) == img.get(y, x);
        }
      }
      first |= same;
    }
    assertTrue(first, "the first cell is a validation image");

    // a second run, stopped at 125 and resumed to 200: the same numbers (the first 125 steps repeat the
    // run above; the rest needs all four networks, both optimizers and the power-iteration vectors restored)
    Path resumed = dir.resolve("resumed");
    TrainConfig every = config(125).toBuilder().checkpointEvery(50).build();
    Trainer.train(task, every, train, val, resumed, "redo", "{}");
    Trainer.train(task, every.toBuilder().steps(200).build(), train, val, resumed, "redo", "{}");
    List<CurvePoint> c = zeroTimes(CurveLog.readAvro(resumed.resolve(Trainer.CURVE_AVRO)));
    assertEquals(a, c, "repeated and resumed: every curve point (losses, statistics, validation)");
  }

  /** Redraw, but its restart rule sees a collapsed mask (area 0.01) at every check: a forced collapse. */
  static final class Collapsing implements Task {
    private final Redraw inner;

    Collapsing(Redraw inner) {
      this.inner = inner;
    }

    @Override public String name() { return inner.name(); }
    @Override public String family() { return inner.family(); }
    @Override public String variant() { return inner.variant(); }
    @Override public Map<String, long[]> feeds() { return inner.feeds(); }
    @Override public void fill(Sample s, int i, Map<String, float[]> b, long key, boolean training) {
      inner.fill(s, i, b, key, training);
    }
    @Override public TaskGraph build(ModelGraph g, Map<String, Placeholder<TFloat32>> t,
        Map<String, Placeholder<TFloat32>> e) {
      return inner.build(g, t, e);
    }
    @Override public Validation newValidation() { return inner.newValidation(); }
    @Override public Geometry geometry() { return inner.geometry(); }

    @Override
    public boolean restart(long attemptStep, int restarts, Map<String, Float> statistics) {
      assertTrue(statistics.containsKey(Redraw.MASK_AREA_MIN), "the trainer passes the phases' statistics");
      return inner.restart(attemptStep, restarts, Map.of(Redraw.MASK_AREA_MIN, 0.01f));
    }
  }

  @Test
  void aCollapseRestartsFromAFreshInitializationWithADerivedSeed(@TempDir Path dir) throws Exception {
    // checks every 10 steps up to step 20 of an attempt, at most 2 restarts: restarts at steps 10 and 20
    Collapsing task = new Collapsing(new Redraw(tiny().withRestart(0.1, 20, 10, 2), SIZE, SIZE, 1e-4));
    List<Sample> train = data(0, 40);
    Trainer.train(task, config(15), train, null, dir.resolve("r"), "redo", "{}");
    List<CurvePoint> r = zeroTimes(CurveLog.readAvro(dir.resolve("r").resolve(Trainer.CURVE_AVRO)));
    assertEquals(List.of(1.0, 2.0), CurveLog.series(r, "train", "restarts"));
    List<Long> at = new ArrayList<>();
    r.stream().filter(p -> p.getMetric().toString().equals("restarts")).forEach(p -> at.add(p.getStep()));
    assertEquals(List.of(10L, 20L), at);
    List<Double> g = CurveLog.series(r, "train", "loss_generator");
    assertEquals(20 + 15, g.size(), "the last attempt gets the whole budget of 15 steps");
    // after a restart the weights are a fresh draw: not the continuing run's, nor the first attempt's
    Trainer.train(new Redraw(tiny(), SIZE, SIZE, 1e-4), config(35), train, null, dir.resolve("plain"), "redo", "{}");
    List<Double> plain = CurveLog.series(CurveLog.readAvro(dir.resolve("plain").resolve(Trainer.CURVE_AVRO)), "train",
        "loss_generator");
    assertEquals(plain.subList(0, 10), g.subList(0, 10), "the same first attempt");
    assertNotEquals(plain.get(10), g.get(10), "step 11 runs on re-drawn weights");
    assertNotEquals(g.get(0), g.get(10), "a derived seed, not the first one again");
    // the run repeats, restarts included, and resumes across them
    Path resumed = dir.resolve("resumed");
    TrainConfig every = config(8).toBuilder().checkpointEvery(4).build();
    Trainer.train(task, every, train, null, resumed, "redo", "{}"); // stops at 10 + 8 = 18: one restart behind it
    Trainer.train(task, every.toBuilder().steps(15).build(), train, null, resumed, "redo", "{}");
    assertEquals(r, zeroTimes(CurveLog.readAvro(resumed.resolve(Trainer.CURVE_AVRO))), "resumed across a restart");
  }
}
