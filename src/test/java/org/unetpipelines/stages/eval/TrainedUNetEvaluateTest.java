package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.augment.Boundary;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.augment.Padding;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.ProbabilityMap;
import org.unetpipelines.eval.ChallengeMetrics;
import org.unetpipelines.eval.SegmentationMetrics;
import org.unetpipelines.eval.TfPredictor;
import org.unetpipelines.eval.TiledInference;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.model.unet.UNet;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.model.Upsampling;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.Coders;
import org.unetpipelines.train.TrainConfig;
import org.unetpipelines.train.Trainer;

/** Inference and evaluation with a real (tiny, briefly trained) valid-padding U-Net from the train room. */
class TrainedUNetEvaluateTest {
  @TempDir Path tmp;

  private static List<Sample> ellipses(int first, int count, int h, int w) {
    List<Sample> out = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      Synthetic.Pair p = Synthetic.ellipses(7, i, h, w, 3, h / 10.0, h / 5.0, 8.0);
      out.add(Sample.newBuilder().setId("ellipses#" + i).setSource("synthetic:ellipses")
          .setImage(Tensors.toTensor(p.image())).setMask(Tensors.toTensor(p.mask())).build());
    }
    return out;
  }

  @Test
  void evaluatesATrainedUNetWithOverlapTiles() throws Exception {
    // depth 1, 4 filters, valid 3x3 convs, 2x2 up-convolution, softmax over 2 classes: 28x28 -> 12x12.
    UNet net = UNet.of(new UNetConfig(1, 4, org.unetpipelines.model.Padding.VALID, Upsampling.TRANSPOSE,
        false, 0f, 2, 1));
    TrainConfig cfg = TrainConfig.defaults(28, 28).toBuilder().batchSize(2).steps(4).threads(1, 1).build();
    ModelArtifact artifact = Trainer.train(net, cfg, ellipses(0, 4, 28, 28), null, tmp.resolve("train"),
        "unet-test", "{}");
    ModelSpec spec = ModelSpec.of(artifact);
    assertEquals(new ModelSpec(spec.savedModelDir(), 28, 28, 1, 12, 12, 2), spec);
    assertEquals(spec, ModelSpec.read(tmp.resolve("train")), "model.json agrees with the artifact");

    try (TfPredictor p = TfPredictor.load(spec)) {
      // Overlap-tile geometry: each 12x12 output tile is the model's output for the 28x28 window of
      // the 8-px mirror-padded image around it.
      ImageArray image = Tensors.toImage(ellipses(10, 1, 24, 24).get(0).getImage());
      ProbabilityMap tiled = TiledInference.overlapTile(p).predict(image);
      ImageArray padded = Padding.pad(
          ImageArray.wrap(24, 24, 1, ImageArray.Depth.F32, image.normalized()), 8, Boundary.REFLECT);
      for (int ty = 0; ty < 24; ty += 12) {
        for (int tx = 0; tx < 24; tx += 12) {
          float[] direct = p.predict(new float[][] {Crops.crop(padded, new Crops.Window(ty, tx, 28, 28)).data()})[0];
          for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 12; x++) {
              for (int c = 0; c < 2; c++) {
                assertEquals(direct[(y * 12 + x) * 2 + c], tiled.data()[((ty + y) * 24 + tx + x) * 2 + c], 1e-6,
                    "tile " + ty + "," + tx + " pixel " + y + "," + x);
              }
            }
          }
        }
      }
    }

    List<Sample> eval = ellipses(20, 2, 44, 38);
    TestPipeline pipeline = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    Coders.register(pipeline);
    pipeline.apply(Create.of(eval).withCoder(Coders.sample()))
        .apply(Evaluate.models(pipeline.apply("Artifact", Create.of(artifact).withCoder(Coders.modelArtifact())))
            .writeTo(tmp.resolve("eval").toString()));
    pipeline.run().waitUntilFinish();
    List<MetricRecord> got = MetricFiles.readMetrics(tmp.resolve("eval"));
    // per image: today's metrics and the challenge scores; aggregates: a mean per metric, but a stack
    // score and its threshold for the 5 challenge-scored ones
    int names = SegmentationMetrics.NAMES.size() + ChallengeMetrics.NAMES.size();
    int stackScored = ChallengeMetrics.STACK_SCORED.size();
    assertEquals(2 * names + (names - stackScored) + 2 * stackScored, got.size());
    try (TfPredictor p = TfPredictor.load(spec)) {
      for (Sample s : eval) {
        ImageArray img = Tensors.toImage(s.getImage());
        float[] fg = TiledInference.overlapTile(p).predict(img).foreground();
        double iou = SegmentationMetrics.compute(fg, SegmentationMetrics.foreground(Tensors.toImage(s.getMask())),
            44, 38, 0.5).get("iou");
        MetricRecord r = got.stream().filter(m -> s.getId().equals(m.getImageId()) && m.getMetric().equals("iou"))
            .findFirst().orElseThrow();
        assertEquals(iou, r.getValue(), 1e-12);
        assertEquals("unet-test", r.getRun());
        assertTrue(r.getValue() >= 0 && r.getValue() <= 1);
      }
    }
  }
}
