package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.unet.UNet;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.model.Upsampling;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;

class TrainerTest {

  @Test
  void tinyUNetLearnsEllipsesToIoU90(@TempDir Path dir) throws Exception {
    List<Sample> train = TestSamples.ellipses(7, 0, 48, 64);
    List<Sample> val = TestSamples.ellipses(7, 1000, 8, 64);
    UNet net = UNet.of(new UNetConfig(2, 8, Padding.SAME, Upsampling.TRANSPOSE, true, 0f, 1, 1));
    TrainConfig cfg = TrainConfig.defaults(64, 64).toBuilder()
        .optimizer(OptimizerKind.ADAM).learningRate(0.01).loss(LossKind.BCE_DICE)
        .batchSize(4).shuffleBuffer(16).steps(240).threads(2, 1).logEvery(60).build();

    ModelArtifact a = Trainer.train(net, cfg, train, val, dir, "test/ellipses", "{}");
    List<CurvePoint> curve = CurveLog.readAvro(dir.resolve(Trainer.CURVE_AVRO));
    List<Double> iou = CurveLog.series(curve, "validation", "iou");
    double last = iou.get(iou.size() - 1);
    assertTrue(last >= 0.9, "validation IoU " + last + " after 240 steps; curve " + iou);
    assertEquals(240, a.getSteps());
    assertEquals(64, a.getOutputHeight());
    assertTrue(Files.exists(dir.resolve(Trainer.SAVED_MODEL).resolve("saved_model.pb")));
    String json = Files.readString(dir.resolve(Trainer.MODEL_JSON));
    assertTrue(json.contains("\"padding\" : \"same\""), json);
    assertTrue(json.contains("\"output\" : \"probabilities\""), json);
  }

  @Test
  void earlyStoppingEndsTheRunWhenValidationStopsImproving(@TempDir Path dir) throws Exception {
    List<Sample> train = TestSamples.ellipses(5, 0, 8, 32);
    // validation: the same images with inverted masks, so learning the task makes validation worse
    List<Sample> inverted = new java.util.ArrayList<>();
    for (Sample s : train) {
      org.unetpipelines.image.ImageArray m = org.unetpipelines.image.Tensors.toImage(s.getMask()).copy();
      for (int y = 0; y < m.height(); y++) {
        for (int x = 0; x < m.width(); x++) {
          m.set(y, x, 0, 255 - m.get(y, x));
        }
      }
      inverted.add(Sample.newBuilder(s).setMask(org.unetpipelines.image.Tensors.toTensor(m)).build());
    }
    UNet net = UNet.of(new UNetConfig(1, 4, Padding.SAME, Upsampling.TRANSPOSE, false, 0f, 1, 1));
    TrainConfig cfg = TrainConfig.defaults(32, 32).toBuilder().optimizer(OptimizerKind.ADAM).learningRate(0.01)
        .batchSize(4).steps(400).earlyStopping(2, 0.0).threads(1, 1).build();
    ModelArtifact a = Trainer.train(net, cfg, train, inverted, dir, "es", "{}");
    List<Double> val = CurveLog.series(CurveLog.readAvro(dir.resolve(Trainer.CURVE_AVRO)), "validation", "loss");
    assertTrue(a.getSteps() < 400, "stopped early at " + a.getSteps());
    assertEquals(2 * val.size(), a.getSteps(), "2 steps per epoch, stopped at an epoch end");
    double best = val.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    assertTrue(val.get(val.size() - 1) > best && val.get(val.size() - 2) > best,
        "the last two validation losses did not improve on the best: " + val);
  }

  @Test
  void resumeContinuesTheSameLossCurve(@TempDir Path dir) throws Exception {
    List<Sample> train = TestSamples.ellipses(3, 0, 10, 32);
    List<Sample> val = TestSamples.ellipses(3, 500, 2, 32);
    UNet net = UNet.of(new UNetConfig(1, 4, Padding.SAME, Upsampling.TRANSPOSE, true, 0.3f, 1, 1));
    TrainConfig base = TrainConfig.defaults(32, 32).toBuilder()
        .batchSize(3).shuffleBuffer(5).learningRate(0.05).schedule(LearningRateSchedule.Kind.PLATEAU)
        .plateau(0.5, 1, 1e-5).threads(1, 1).build();
    // 8 steps straight (3 full epochs of 4 batches are 12 steps: the split falls mid-epoch, step 5).
    Path straight = dir.resolve("straight");
    Trainer.train(net, base.toBuilder().steps(8).build(), train, val, straight, "r", "{}");
    // 5 steps with a checkpoint at 5, then a new run to 8 resumes from it.
    Path resumed = dir.resolve("resumed");
    Trainer.train(net, base.toBuilder().steps(5).build(), train, val, resumed, "r", "{}");
    Trainer.train(net, base.toBuilder().steps(8).build(), train, val, resumed, "r", "{}");
    List<CurvePoint> a = CurveLog.readAvro(straight.resolve(Trainer.CURVE_AVRO));
    List<CurvePoint> b = CurveLog.readAvro(resumed.resolve(Trainer.CURVE_AVRO));
    List<Double> la = CurveLog.series(a, "train", "loss");
    List<Double> lb = CurveLog.series(b, "train", "loss");
    assertEquals(8, la.size());
    assertEquals(la, lb, "per-step training losses, straight vs resumed");
    assertEquals(CurveLog.series(a, "train", "learning_rate"), CurveLog.series(b, "train", "learning_rate"));
    assertEquals(CurveLog.series(a, "validation", "loss"), CurveLog.series(b, "validation", "loss"));
    assertEquals(2, CurveLog.series(a, "validation", "loss").size(), "epochs 0 and 1 end at steps 4 and 8");
    assertEquals(CurveLog.series(a, "validation", "final_loss"), CurveLog.series(b, "validation", "final_loss"));
    // every point but the wall-clock time is the same
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      a.get(i).setElapsedSeconds(0.0);
      b.get(i).setElapsedSeconds(0.0);
    }
    assertEquals(a, b);
    // running again with nothing left to do keeps the curve and reports its last loss
    ModelArtifact again = Trainer.train(net, base.toBuilder().steps(8).build(), train, val, resumed, "r", "{}");
    assertEquals(8, again.getSteps());
    assertEquals(la.get(7), again.getFinalLoss(), 1e-7);
    assertEquals(la, CurveLog.series(CurveLog.readAvro(resumed.resolve(Trainer.CURVE_AVRO)), "train", "loss"));
    // a different network in the same folder is refused, naming both
    UNet other = UNet.of(new UNetConfig(1, 8, Padding.SAME, Upsampling.TRANSPOSE, true, 0.3f, 1, 1));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Trainer.train(other, base.toBuilder().steps(9).build(), train, val, resumed, "r", "{}"));
    assertTrue(e.getMessage().contains("was written by another run (unet depth1-f4-same-transpose-bn-drop0.3-k1, momentum, 32x32"),
        e.getMessage());
    assertTrue(e.getMessage().contains("this run is unet depth1-f8-same"), e.getMessage());
    IllegalArgumentException adam = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Trainer.train(net, base.toBuilder().steps(9).optimizer(OptimizerKind.ADAM).build(), train, val, resumed,
            "r", "{}"));
    assertTrue(adam.getMessage().contains("this run is unet depth1-f4-same-transpose-bn-drop0.3-k1, adam"), adam.getMessage());
  }
}
