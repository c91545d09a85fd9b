package org.unetpipelines.train.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.model.ClassifierNet;
import org.unetpipelines.model.Layers;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.Serving;
import org.unetpipelines.model.resnet.ResNetConfig;
import org.unetpipelines.model.sunet.SUNetConfig;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.Batch;
import org.unetpipelines.train.CurveLog;
import org.unetpipelines.train.FlipMode;
import org.unetpipelines.train.LearningRateSchedule;
import org.unetpipelines.train.LossKind;
import org.unetpipelines.train.OptimizerKind;
import org.unetpipelines.train.TrainConfig;
import org.unetpipelines.train.Trainer;
import org.unetpipelines.train.TrainingGraph;

class ClassificationTest {

  /** conv3x3(1 -> 2, bias) ReLU, global average pool, dense(2 -> 3, bias): no batch norm, so train = inference. */
  static final class Tiny implements ClassifierNet {
    @Override public String family() { return "tiny"; }
    @Override public String variant() { return "t"; }
    @Override public int classes() { return 3; }
    @Override public int inputChannels() { return 1; }
    @Override public void checkInputSize(int height, int width) {}

    @Override
    public Operand<TFloat32> logits(Layers l, Operand<TFloat32> images) {
      return l.dense("fc", l.globalAvgPool("pool", l.relu(l.conv("conv", images, 3, 2, Padding.SAME, true))), 3, true);
    }
  }

  private static TrainConfig config(int size) {
    return TrainConfig.defaults(size, size).toBuilder().momentum(0.9).learningRate(0.05).batchSize(8)
        .shuffleBuffer(16).threads(1, 1).logEvery(1000).build();
  }

  /** Hand values: CE([1, 2, 3] | 2) = ln(e + e^2 + e^3) - 3, CE([0, 0, 0] | 0) = ln 3; lambda * sum(w^2). */
  @Test
  void crossEntropyAndWeightPenaltyMatchHandValues() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> logits = tf.constant(new float[][] {{1, 2, 3}, {0, 0, 0}});
      Operand<TFloat32> labels = tf.constant(new float[][] {{0, 0, 1}, {1, 0, 0}});
      Operand<TFloat32> ce = Classification.perSampleCrossEntropy(tf, logits, labels);
      Variable<TFloat32> a = tf.variable(tf.constant(new float[][] {{1, 2}, {3, -1}}));
      Variable<TFloat32> b = tf.variable(tf.constant(new float[] {0.5f}));
      Operand<TFloat32> penalty = Classification.weightPenalty(tf, List.of(a, b), 1e-4);
      s.initialize();
      try (Result r = s.runner().fetch(ce).fetch(penalty).run()) {
        float[] v = new float[2];
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(v, false, false));
        assertEquals(Math.log(Math.E + Math.exp(2) + Math.exp(3)) - 3, v[0], 1e-6); // 0.4076059...
        assertEquals(Math.log(3), v[1], 1e-6);
        assertEquals(1e-4 * (1 + 4 + 9 + 1 + 0.25), ((TFloat32) r.get(1)).getFloat(), 1e-9);
      }
    }
  }

  private static float[] variable(TrainingGraph tg, String name) {
    try (Result r = tg.session().runner().fetch(name).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  /**
   * The training phase's loss is mean softmax cross-entropy + lambda * sum(w^2) over the two kernels
   * only (not the biases): recomputed here from the fetched weights and the served probabilities.
   */
  @Test
  void trainingLossIsCrossEntropyPlusWeightDecayOverKernels() {
    List<Sample> samples = ClassSamples.bars(3, 0, 3, 8);
    double lambda = 0.01;
    Classification task = new Classification(new Tiny(), new ClassificationInput(8, 8, 0, FlipMode.NONE, 0), lambda);
    assertEquals(List.of("image", "label"), new ArrayList<>(task.feeds().keySet()));
    try (TrainingGraph tg = TrainingGraph.create(task, config(8))) {
      tg.initialize();
      tg.session().runner().addTarget(tg.model().ops().assign(tg.model().trainableVariables("tiny").get(1),
          tg.model().ops().constant(new float[] {0.3f, -0.2f}))).run(); // a non-zero conv bias (excluded)
      Map<String, float[]> arrays = new LinkedHashMap<>();
      arrays.put("image", new float[3 * 64]);
      arrays.put("label", new float[3 * 3]);
      for (int i = 0; i < 3; i++) {
        task.fill(samples.get(i), i, arrays, 7L + i, true);
      }
      assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, arrays.get("label"), 0f);
      Batch batch = new Batch(3, arrays, List.of("a", "b", "c"), 0, 0);
      double sumSq = 0;
      for (String k : new String[] {"params/tiny/conv/kernel", "params/tiny/fc/kernel"}) {
        for (float w : variable(tg, k)) {
          sumSq += (double) w * w;
        }
      }
      float[] probs = tg.predict(3, arrays.get("image"));
      double ce = 0;
      for (int i = 0; i < 3; i++) {
        ce -= Math.log(probs[i * 3 + i]);
      }
      double expected = ce / 3 + lambda * sumSq;
      float loss = tg.step(batch, 1e-3, 0);
      assertEquals(expected, loss, 1e-5 * Math.max(1, expected));
      assertTrue(lambda * sumSq > 1e-3, "the penalty is visible in the comparison: " + lambda * sumSq);
    }
  }

  @Test
  void inputIsTheCentreInValidationAndAKeyedAugmentationInTraining() {
    float[] px = new float[6 * 6];
    for (int i = 0; i < px.length; i++) {
      px[i] = i + 1;
    }
    ImageArray img = ImageArray.wrap(6, 6, 1, ImageArray.Depth.U8, px);
    ClassificationInput centre = new ClassificationInput(4, 4, 0, FlipMode.NONE, 0);
    assertArrayEquals(new float[] {8, 9, 10, 11, 14, 15, 16, 17, 20, 21, 22, 23, 26, 27, 28, 29},
        centre.apply(img, "x", 1, false).data(), 0f);
    ClassificationInput aug = new ClassificationInput(6, 6, 2, FlipMode.HORIZONTAL, 10);
    assertArrayEquals(aug.apply(img, "x", 42, true).data(), aug.apply(img, "x", 42, true).data(), 0f, "same key");
    assertArrayEquals(img.data(), aug.apply(img, "x", 42, false).data(), 0f, "validation: unaugmented");
    int differ = 0;
    for (long k = 0; k < 20; k++) {
      differ += java.util.Arrays.equals(aug.apply(img, "x", k, true).data(), aug.apply(img, "x", k + 100, true).data())
          ? 0 : 1;
    }
    assertTrue(differ >= 18, "other keys, other inputs: " + differ + "/20");
    // padding and flips only: every output is a flipped and shifted copy with zeros outside the image
    ClassificationInput shift = new ClassificationInput(6, 6, 2, FlipMode.BOTH, 0);
    int flippedH = 0;
    for (long k = 0; k < 200; k++) {
      java.util.SplittableRandom r = new java.util.SplittableRandom(k); // the documented draw order
      boolean h = r.nextBoolean();
      boolean v = r.nextBoolean();
      int dy = r.nextInt(5) - 2;
      int dx = r.nextInt(5) - 2;
      float[] out = shift.apply(img, "x", k, true).data();
      for (int y = 0; y < 6; y++) {
        for (int x = 0; x < 6; x++) {
          int sy = y + dy;
          int sx = x + dx;
          float want = sy < 0 || sy >= 6 || sx < 0 || sx >= 6 ? 0 : px[(v ? 5 - sy : sy) * 6 + (h ? 5 - sx : sx)];
          assertEquals(want, out[y * 6 + x], 0f, "key " + k + " at " + y + "," + x);
        }
      }
      flippedH += h ? 1 : 0;
    }
    assertTrue(flippedH > 70 && flippedH < 130, "flip probability 0.5: " + flippedH + "/200");
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
        () -> new ClassificationInput(8, 8, 0, FlipMode.NONE, 0).apply(img, "s#1", 0, true));
    assertTrue(small.getMessage().contains("sample s#1 is 6x6, smaller than the 8x8 input"), small.getMessage());
  }

  @Test
  void fillRejectsMissingAndOutOfRangeLabels() {
    Classification task = new Classification(new Tiny(), new ClassificationInput(8, 8, 0, FlipMode.NONE, 0), 0);
    Map<String, float[]> arrays = Map.of("image", new float[64], "label", new float[3]);
    Sample s = ClassSamples.bars(1, 0, 1, 8).get(0);
    Sample none = Sample.newBuilder(s).setLabel(null).build();
    IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> task.fill(none, 0, arrays, 0, true));
    assertTrue(a.getMessage().contains("has no class label"), a.getMessage());
    Sample big = Sample.newBuilder(s).setLabel(3).build();
    IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> task.fill(big, 0, arrays, 0, true));
    assertTrue(b.getMessage().contains("has label 3, not a class 0..2"), b.getMessage());
    Sample rgb = Sample.newBuilder(s).setImage(Tensors.toTensor(ImageArray.zeros(8, 8, 3, ImageArray.Depth.U8))).build();
    assertThrows(IllegalArgumentException.class, () -> task.fill(rgb, 0, arrays, 0, true));
  }

  @Test
  void tasksPicksClassificationAndRejectsKeysOfTheOtherTask() {
    TrainConfig c = config(28);
    Task t = Tasks.of(ResNetConfig.resnet20(), c);
    assertTrue(t instanceof Classification);
    assertEquals(Classification.DEFAULT_WEIGHT_DECAY, ((Classification) t).weightDecay());
    assertEquals(5e-4, ((Classification) Tasks.of(ResNetConfig.resnet20(), c.toBuilder().weightDecay(5e-4).build()))
        .weightDecay());
    assertEquals("accuracy", t.monitor());
    assertTrue(t.higherIsBetter());
    IllegalArgumentException loss = assertThrows(IllegalArgumentException.class,
        () -> Tasks.of(ResNetConfig.resnet20(), c.toBuilder().loss(LossKind.DICE).build()));
    assertTrue(loss.getMessage().contains("trains softmax cross-entropy"), loss.getMessage());
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
        () -> Tasks.of(SUNetConfig.imagenet(SUNetConfig.Variant.SUNET64), config(32)));
    assertTrue(small.getMessage().contains("at least 61x61"), small.getMessage());
    IllegalArgumentException seg = assertThrows(IllegalArgumentException.class, () -> Tasks.of(UNetConfig.small(),
        TrainConfig.defaults(64, 64).toBuilder().augment(4, FlipMode.HORIZONTAL, 0).weightDecay(1e-4).build()));
    assertTrue(seg.getMessage().contains("'weight_decay', 'crop_padding', 'flip' only apply to classification"),
        seg.getMessage());
    assertTrue(Tasks.of(UNetConfig.small(), TrainConfig.defaults(64, 64)) instanceof Segmentation);
  }

  /** ResNet-8 with 8 filters (19k parameters) learns bars vs bars vs squares to >= 90 % in well under a minute (30 epochs: batch-norm moving averages, momentum 0.99, need a few hundred steps). */
  @Test
  void tinyResNetLearnsASyntheticThreeClassTask(@TempDir Path dir) throws Exception {
    List<Sample> train = ClassSamples.bars(11, 0, 240, 16);
    List<Sample> val = ClassSamples.bars(11, 1000, 90, 16);
    TrainConfig c = TrainConfig.defaults(16, 16).toBuilder().optimizer(OptimizerKind.MOMENTUM).momentum(0.9)
        .nesterov(true).learningRate(0.05).batchSize(16).shuffleBuffer(240).steps(450)
        .schedule(LearningRateSchedule.Kind.MULTI_STEP).exponentialDecay(0.1, 1000).boundaries(List.of(300L))
        .augment(1, FlipMode.NONE, 0).threads(2, 1).logEvery(50).build();
    ModelArtifact a = Trainer.train(Tasks.of(new ResNetConfig("resnet", 8, 8, 3, 1), c), c, train, val,
        dir.resolve("m"), "bars", "{}");
    List<CurvePoint> curve = CurveLog.readAvro(dir.resolve("m").resolve(Trainer.CURVE_AVRO));
    List<Double> acc = CurveLog.series(curve, "validation", "accuracy");
    assertTrue(acc.get(acc.size() - 1) >= 0.9, "validation accuracy per epoch: " + acc);
    assertTrue(a.getTrainSeconds() < 60, "trained in " + a.getTrainSeconds() + " s");
    assertEquals(0.005, CurveLog.series(curve, "train", "learning_rate").get(449), 1e-9, "multi-step at 300");
    JsonNode json = new ObjectMapper().readTree(dir.resolve("m").resolve(Trainer.MODEL_JSON).toFile());
    assertEquals("classification", json.get("task").asText());
    assertEquals("[-1,3]", json.get("serving").get("outputShape").toString());
    assertEquals("[\"" + Serving.OUTPUT + "\"]", json.get("serving").get("outputs").toString());
    assertEquals(1, json.get("outputHeight").asInt());
    assertEquals(3, json.get("classes").asInt());
  }

  /** A resumed run with augmentation on continues the same curve (losses, rates, validation accuracy). */
  @Test
  void resumeContinuesTheSameCurve(@TempDir Path dir) throws Exception {
    List<Sample> train = ClassSamples.bars(5, 0, 24, 12);
    List<Sample> val = ClassSamples.bars(5, 500, 9, 12);
    TrainConfig c = TrainConfig.defaults(12, 12).toBuilder().momentum(0.9).learningRate(0.05).batchSize(4)
        .shuffleBuffer(8).schedule(LearningRateSchedule.Kind.STEP).exponentialDecay(0.5, 4)
        .augment(2, FlipMode.BOTH, 15).threads(1, 1).logEvery(100).build();
    ResNetConfig model = new ResNetConfig("resnet", 8, 4, 3, 1);
    Path straight = dir.resolve("straight");
    Trainer.train(Tasks.of(model, c), c.toBuilder().steps(14).build(), train, val, straight, "r", "{}");
    Path resumed = dir.resolve("resumed");
    Trainer.train(Tasks.of(model, c), c.toBuilder().steps(8).build(), train, val, resumed, "r", "{}");
    Trainer.train(Tasks.of(model, c), c.toBuilder().steps(14).build(), train, val, resumed, "r", "{}");
    List<CurvePoint> a = CurveLog.readAvro(straight.resolve(Trainer.CURVE_AVRO));
    List<CurvePoint> b = CurveLog.readAvro(resumed.resolve(Trainer.CURVE_AVRO));
    a.forEach(p -> p.setElapsedSeconds(0.0));
    b.forEach(p -> p.setElapsedSeconds(0.0));
    assertEquals(14, CurveLog.series(a, "train", "loss").size());
    assertEquals(2, CurveLog.series(a, "validation", "accuracy").size(), "epochs of 6 steps end at 6 and 12");
    assertEquals(a, b, "straight vs resumed at step 8: every curve point");
    assertNotEquals(CurveLog.series(a, "train", "loss").get(0), CurveLog.series(a, "train", "loss").get(13));
  }
}
