package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.augment.ElasticWarp;
import org.unetpipelines.augment.Flips;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.augment.Rotation;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.Upsampling;
import org.unetpipelines.model.unet.UNet;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.task.Segmentation;

/** Train with augmentation drawn every step: the run repeats exactly and resumes on the same curve. */
class OnlineAugmentTrainingTest {
  private static final OnlineAugment CHAIN = OnlineAugment.NONE
      .then("Crop", Crops.op(Crops.Mode.RANDOM, 36, 36))
      .then("ElasticDeform", ElasticWarp.op(3, 3.0, Interpolation.CUBIC, 32, 32))
      .then("Flip", Flips.op(0.5, 0.5))
      .then("Rotate", Rotation.op(Rotation.Mode.RIGHT, 0, Interpolation.CUBIC));

  private static List<CurvePoint> run(Path out, long steps, OnlineAugment chain) throws Exception {
    List<Sample> train = TestSamples.ellipses(3, 0, 10, 40);
    List<Sample> val = TestSamples.ellipses(3, 500, 2, 32);
    UNet net = UNet.of(new UNetConfig(1, 4, Padding.SAME, Upsampling.TRANSPOSE, true, 0.3f, 1, 1));
    TrainConfig cfg = TrainConfig.defaults(32, 32).toBuilder().batchSize(3).shuffleBuffer(5).learningRate(0.05)
        .threads(1, 1).steps(steps).build();
    Trainer.train(new Segmentation(net, 32, 32, cfg.loss()), cfg, chain, train, val, out, "aug", "{}");
    List<CurvePoint> curve = CurveLog.readAvro(out.resolve(Trainer.CURVE_AVRO));
    curve.forEach(p -> p.setElapsedSeconds(0.0));
    return curve;
  }

  @Test
  void augmentedRunsRepeatAndResumeTheSameCurve(@TempDir Path dir) throws Exception {
    List<CurvePoint> a = run(dir.resolve("a"), 8, CHAIN);
    List<CurvePoint> b = run(dir.resolve("b"), 8, CHAIN);
    assertEquals(8, CurveLog.series(a, "train", "loss").size());
    assertEquals(a, b, "the same augmented run twice: every curve point");
    // interrupted after 5 steps (mid-epoch: 4 batches per epoch) and resumed to 8
    Path resumed = dir.resolve("resumed");
    run(resumed, 5, CHAIN);
    List<CurvePoint> c = run(resumed, 8, CHAIN);
    assertEquals(a, c, "straight vs interrupted and resumed: every curve point");
    // the chain is applied: without it the losses differ
    List<CurvePoint> plain = run(dir.resolve("plain"), 8, OnlineAugment.NONE);
    assertNotEquals(CurveLog.series(a, "train", "loss"), CurveLog.series(plain, "train", "loss"));
  }
}
