package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.TfPredictor;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.Upsampling;
import org.unetpipelines.model.unet.UNet;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.Sample;

/** Validation on whole images larger than the tile, and the export of the best checkpoint by a chosen metric. */
class WholeImageValidationTest {
  private static final List<String> WHOLE = List.of("iou", "dice", "v_rand", "v_info", "rand_error_2012",
      "pixel_error", "warping_error");

  /** The samples with their masks inverted: learning the task makes validation worse after the first steps. */
  private static List<Sample> inverted(List<Sample> in) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : in) {
      ImageArray m = Tensors.toImage(s.getMask()).copy();
      for (int y = 0; y < m.height(); y++) {
        for (int x = 0; x < m.width(); x++) {
          m.set(y, x, 0, 255 - m.get(y, x));
        }
      }
      out.add(Sample.newBuilder(s).setMask(Tensors.toTensor(m)).build());
    }
    return out;
  }

  @Test
  void exportsTheCheckpointWithTheBestWholeImageScoreNotTheLast(@TempDir Path dir) throws Exception {
    List<Sample> train = TestSamples.ellipses(5, 0, 8, 32);
    List<Sample> val = inverted(TestSamples.ellipses(5, 100, 2, 56)); // 56x56 images, 32x32 tiles
    UNet net = UNet.of(new UNetConfig(1, 4, Padding.SAME, Upsampling.TRANSPOSE, false, 0f, 1, 1));
    TrainConfig cfg = TrainConfig.defaults(32, 32).toBuilder().optimizer(OptimizerKind.ADAM).learningRate(0.01)
        .batchSize(4).steps(20).threads(1, 1).validation(ValidationMode.WHOLE_IMAGE, 1, "iou").build();
    Trainer.train(net, cfg, train, val, dir, "select", "{}");

    List<CurvePoint> curve = CurveLog.readAvro(dir.resolve(Trainer.CURVE_AVRO));
    for (String m : WHOLE) {
      assertEquals(10, CurveLog.series(curve, "validation", m).size(), m + ": one value per epoch (2 steps each)");
    }
    assertEquals(10, CurveLog.series(curve, "validation", "loss").size(), "the centre-tile loss stays");
    List<Long> steps = new ArrayList<>();
    List<Double> iou = new ArrayList<>();
    List<Double> vRand = new ArrayList<>();
    for (CurvePoint p : curve) {
      if (p.getSplit().equals("validation") && p.getMetric().equals("iou")) {
        steps.add(p.getStep());
        iou.add(p.getValue());
      }
      if (p.getSplit().equals("validation") && p.getMetric().equals("v_rand")) {
        vRand.add(p.getValue());
      }
    }
    int best = 0;
    for (int i = 1; i < iou.size(); i++) {
      if (iou.get(i) > iou.get(best)) {
        best = i;
      }
    }
    assertTrue(best < iou.size() - 1 && iou.get(best) > iou.get(iou.size() - 1) + 1e-6,
        "the inverted validation peaks before the end, strictly above the last value: " + iou);

    JsonNode sel = new ObjectMapper().readTree(dir.resolve(Trainer.MODEL_JSON).toFile()).get("selection");
    assertEquals("iou", sel.get("metric").asText());
    assertEquals("max", sel.get("direction").asText());
    assertEquals("whole_image", sel.get("validate_on").asText());
    assertEquals((long) steps.get(best), sel.get("step").asLong(), "selected step; curve " + iou);
    assertEquals(iou.get(best), sel.get("value").asDouble(), 1e-12);

    // the exported SavedModel holds that step's weights: scored on the same images it gives that step's values
    try (TfPredictor tf = TfPredictor.load(ModelSpec.read(dir))) {
      Map<String, Double> again = WholeImageValidation.score(tf, val);
      assertEquals(iou.get(best), again.get("iou"), 1e-6);
      assertEquals(vRand.get(best), again.get("v_rand"), 1e-6);
    }
  }

  /**
   * Validation images smaller than the input tile (the paper's 572^2 tiles on 512^2 slices): the centre-tile
   * pass mirrors them up to the tile, the whole-image pass scores them at their own size.
   */
  @Test
  void validationImagesSmallerThanTheTileAreMirroredForTheCentreTilePass(@TempDir Path dir) throws Exception {
    List<Sample> train = TestSamples.ellipses(5, 0, 4, 32);
    List<Sample> val = TestSamples.ellipses(5, 100, 2, 24); // 24x24 images, 32x32 tiles
    UNet net = UNet.of(new UNetConfig(1, 4, Padding.SAME, Upsampling.TRANSPOSE, false, 0f, 1, 1));
    TrainConfig cfg = TrainConfig.defaults(32, 32).toBuilder().optimizer(OptimizerKind.ADAM).learningRate(0.01)
        .batchSize(2).steps(4).threads(1, 1).validation(ValidationMode.WHOLE_IMAGE, 1, "iou").build();
    Trainer.train(net, cfg, train, val, dir, "small", "{}");
    List<CurvePoint> curve = CurveLog.readAvro(dir.resolve(Trainer.CURVE_AVRO));
    List<Double> loss = CurveLog.series(curve, "validation", "loss");
    List<Double> iou = CurveLog.series(curve, "validation", "iou");
    assertEquals(2, loss.size(), "a centre-tile loss per epoch: " + loss);
    assertEquals(2, iou.size(), "a whole-image iou per epoch: " + iou);
    for (double v : loss) {
      assertTrue(Double.isFinite(v) && v > 0, "loss " + v);
    }
    try (TfPredictor tf = TfPredictor.load(ModelSpec.read(dir))) {
      assertEquals(java.util.Collections.max(iou), WholeImageValidation.score(tf, val).get("iou"), 1e-6,
          "the exported (best) checkpoint's whole-image score is of the images at their own size: " + iou);
    }
  }

  @Test
  void aResumedRunKeepsTheBestCheckpointAndTheSameCurve(@TempDir Path dir) throws Exception {
    List<Sample> train = TestSamples.ellipses(5, 0, 8, 32);
    List<Sample> val = inverted(TestSamples.ellipses(5, 100, 2, 48));
    UNet net = UNet.of(new UNetConfig(1, 4, Padding.SAME, Upsampling.TRANSPOSE, false, 0f, 1, 1));
    TrainConfig cfg = TrainConfig.defaults(32, 32).toBuilder().optimizer(OptimizerKind.ADAM).learningRate(0.01)
        .batchSize(4).threads(1, 1).validation(ValidationMode.WHOLE_IMAGE, 1, "iou").build();
    Path straight = dir.resolve("straight");
    Trainer.train(net, cfg.toBuilder().steps(12).build(), train, val, straight, "r", "{}");
    Path resumed = dir.resolve("resumed");
    Trainer.train(net, cfg.toBuilder().steps(5).build(), train, val, resumed, "r", "{}"); // stops mid-epoch
    Trainer.train(net, cfg.toBuilder().steps(12).build(), train, val, resumed, "r", "{}");
    List<CurvePoint> a = CurveLog.readAvro(straight.resolve(Trainer.CURVE_AVRO));
    List<CurvePoint> b = CurveLog.readAvro(resumed.resolve(Trainer.CURVE_AVRO));
    a.forEach(p -> p.setElapsedSeconds(0.0));
    b.forEach(p -> p.setElapsedSeconds(0.0));
    assertEquals(a, b, "straight vs interrupted and resumed: every curve point");
    ObjectMapper json = new ObjectMapper();
    JsonNode sa = json.readTree(straight.resolve(Trainer.MODEL_JSON).toFile()).get("selection");
    JsonNode sb = json.readTree(resumed.resolve(Trainer.MODEL_JSON).toFile()).get("selection");
    assertEquals(sa.get("step"), sb.get("step"));
    assertEquals(sa.get("value"), sb.get("value"));
  }

  @Test
  void validatesEveryNthEpochAndAtTheEnd(@TempDir Path dir) throws Exception {
    List<Sample> train = TestSamples.ellipses(6, 0, 8, 32);
    List<Sample> val = TestSamples.ellipses(6, 100, 2, 32);
    UNet net = UNet.of(new UNetConfig(1, 4, Padding.SAME, Upsampling.TRANSPOSE, false, 0f, 1, 1));
    TrainConfig cfg = TrainConfig.defaults(32, 32).toBuilder().batchSize(4).steps(10).threads(1, 1)
        .validation(ValidationMode.CENTER_TILE, 2, null).build();
    Trainer.train(net, cfg, train, val, dir, "every", "{}");
    List<CurvePoint> curve = CurveLog.readAvro(dir.resolve(Trainer.CURVE_AVRO));
    List<Long> at = new ArrayList<>();
    for (CurvePoint p : curve) {
      if (p.getSplit().equals("validation") && p.getMetric().equals("loss")) {
        at.add(p.getStep());
      }
    }
    assertEquals(List.of(4L, 8L), at, "5 epochs of 2 steps: validated after epochs 2 and 4");
    assertEquals(1, CurveLog.series(curve, "validation", "final_loss").size(), "and once at the end (step 10)");
    assertEquals(5, CurveLog.series(curve, "train", "epoch_loss").size());
  }

  @Test
  void rejectsSelectionsThatCannotWork() {
    TrainConfig base = TrainConfig.defaults(32, 32);
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> base.toBuilder().validation(ValidationMode.WHOLE_IMAGE, 1, "vrand").build());
    assertTrue(unknown.getMessage().contains("'vrand' is not a validation metric to select by; known: loss, iou"),
        unknown.getMessage());
    IllegalArgumentException centre = assertThrows(IllegalArgumentException.class,
        () -> base.toBuilder().validation(ValidationMode.CENTER_TILE, 1, "v_rand").build());
    assertTrue(centre.getMessage().contains("select_by: v_rand is a whole-image score: set validate_on: whole_image"),
        centre.getMessage());
    IllegalArgumentException every = assertThrows(IllegalArgumentException.class,
        () -> base.toBuilder().validation(ValidationMode.CENTER_TILE, 0, null).build());
    assertTrue(every.getMessage().contains("validate_every must be 1..1000000, got 0"), every.getMessage());
    assertThrows(IllegalArgumentException.class, () -> base.toBuilder().validation(null, 1, null).build());
  }
}
