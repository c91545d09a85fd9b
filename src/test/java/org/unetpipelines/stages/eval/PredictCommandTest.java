package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.ProbabilityMap;
import org.unetpipelines.eval.TfPredictor;
import org.unetpipelines.eval.TiledInference;
import org.unetpipelines.eval.TinySavedModel;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.eval.Tta;
import org.unetpipelines.image.Tensors;
import picocli.CommandLine;

class PredictCommandTest {
  @TempDir Path tmp;

  @Test
  void writesSixteenBitProbabilitiesAndLabels() throws Exception {
    ModelSpec spec = TinySavedModel.export(tmp.resolve("model"));
    Path images = Files.createDirectories(tmp.resolve("images"));
    ImageArray a = Tensors.toImage(EvaluateTest.segSample("a", 21, 30, 4).getImage());
    Files.write(images.resolve("a.png"), ImageCodec.encodePng(a));
    Files.write(images.resolve("b.png"), ImageCodec.encodePng(Tensors.toImage(EvaluateTest.segSample("b", 9, 14, 5).getImage())));
    Path out = tmp.resolve("pred");
    MetricsCommandTest.Run r = MetricsCommandTest.run(new PredictCommand(),
        "--model", spec.savedModelDir(), "--images", images + "/*.png", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out().strip());
    assertEquals(2, j.get("predicted").asInt());
    ImageArray prob = ImageCodec.decodeFirst(Files.readAllBytes(out.resolve("a_prob.png")));
    ImageArray label = ImageCodec.decodeFirst(Files.readAllBytes(out.resolve("a_label.png")));
    assertEquals(ImageArray.Depth.U16, prob.depth());
    assertTrue(Files.isRegularFile(out.resolve("b_label.png")));
    ProbabilityMap expect;
    try (TfPredictor p = TfPredictor.load(spec)) {
      expect = TiledInference.overlapTile(p).predict(a);
    }
    for (int i = 0; i < expect.data().length; i++) {
      assertEquals(Math.round(expect.data()[i] * 65535f), prob.data()[i], 1f, "pixel " + i);
      assertEquals(expect.data()[i] > 0.5f ? 255f : 0f, label.data()[i], "pixel " + i);
    }
  }

  @Test
  void rejectsMissingModelAndUnmatchedImages() throws Exception {
    MetricsCommandTest.Run r = MetricsCommandTest.run(new PredictCommand(),
        "--model", tmp.resolve("none").toString(), "--images", "x/*.png", "--out", tmp.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("model directory " + tmp.resolve("none") + " does not exist"), r.err());
    ModelSpec spec = TinySavedModel.export(tmp.resolve("model"));
    r = MetricsCommandTest.run(new PredictCommand(),
        "--model", spec.savedModelDir(), "--images", tmp + "/nothing/*.png", "--out", tmp.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--images: no files match '" + tmp + "/nothing/*.png'"), r.err());
    r = MetricsCommandTest.run(new PredictCommand(), "--model", spec.savedModelDir(), "--images", "x",
        "--out", tmp.toString(), "--mode", "sliding_window", "--overlap", "1");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("'overlap' must be in [0, 1), got 1.0"), r.err());
    r = MetricsCommandTest.run(new PredictCommand(), "--model", spec.savedModelDir(), "--images", "x",
        "--out", tmp.toString(), "--tta", "rotate");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("'tta' must be one of none | flips | dihedral, got 'rotate'"), r.err());
    r = MetricsCommandTest.run(new PredictCommand(), "--model", spec.savedModelDir(), "--images", "x",
        "--out", tmp.toString(), "--head", "L3");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("has no head 'L3'; it serves only its default head"), r.err());
  }

  @Test
  void inferenceOptionsComeFromTheSharedConfigAndSelectTtaAndHead() throws Exception {
    CommandLine cl = new CommandLine(new PredictCommand());
    for (String o : List.of("--mode", "--tile", "--overlap", "--batch", "--tta", "--head", "--threshold")) {
      assertTrue(cl.getCommandSpec().findOption(o) != null, o);
    }
    assertTrue(cl.getUsageMessage().contains("test-time augmentation: none, flips"), cl.getUsageMessage());
    ModelSpec spec = TinySavedModel.exportWithHeads(tmp.resolve("model"), "inverse");
    Path images = Files.createDirectories(tmp.resolve("images"));
    ImageArray a = Tensors.toImage(EvaluateTest.segSample("a", 13, 16, 4).getImage());
    Files.write(images.resolve("a.png"), ImageCodec.encodePng(a));
    Path out = tmp.resolve("pred");
    MetricsCommandTest.Run r = MetricsCommandTest.run(new PredictCommand(), "--model", spec.savedModelDir(),
        "--images", images + "/*.png", "--out", out.toString(), "--head", "inverse", "--tta", "dihedral");
    assertEquals(0, r.code(), r.err());
    ImageArray prob = ImageCodec.decodeFirst(Files.readAllBytes(out.resolve("a_prob.png")));
    ProbabilityMap expect;
    try (TfPredictor p = TfPredictor.load(spec.withHead("inverse"))) {
      expect = TiledInference.overlapTile(p).withTta(Tta.DIHEDRAL).predict(a);
    }
    for (int i = 0; i < expect.data().length; i++) {
      assertEquals(Math.round(expect.data()[i] * 65535f), prob.data()[i], 1f, "pixel " + i);
    }
  }
}
