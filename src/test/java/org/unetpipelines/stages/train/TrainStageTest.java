package org.unetpipelines.stages.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.model.Upsampling;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.records.Coders;
import org.unetpipelines.stages.io.SyntheticImages;
import org.unetpipelines.stages.io.WriteShards;
import org.unetpipelines.train.Trainer;
import org.unetpipelines.train.TrainConfig;

class TrainStageTest {

  @Test
  void trainsOnWrittenShardsOnOneWorkerAndEmitsOneArtifact(@TempDir Path dir) throws Exception {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    Coders.register(p);
    PCollection<ShardSet> shards = p
        .apply("Synth", SyntheticImages.ellipses().withCount(12).withSize(32, 32).withSeed(3))
        .apply("Write", WriteShards.avro(dir.resolve("shards").toString()).withShards(3));
    UNetConfig model = new UNetConfig(1, 4, Padding.SAME, Upsampling.NEAREST, false, 0f, 1, 1);
    TrainConfig cfg = TrainConfig.defaults(24, 24).toBuilder().steps(6).batchSize(2).threads(1, 1).build();
    PCollection<ModelArtifact> out = shards.apply("Train",
        Train.of(model, cfg, dir.resolve("model").toString()).withValidationFraction(0.25).withRun("t/1"));
    PAssert.that(out).satisfies(artifacts -> {
      int n = 0;
      for (ModelArtifact a : artifacts) {
        n++;
        assertEquals(6L, a.getSteps());
        assertEquals(24, a.getInputHeight());
        assertEquals("unet", a.getModel());
        assertEquals("t/1", a.getRun());
        assertTrue(Files.isDirectory(Path.of(a.getSavedModelDir())));
      }
      assertEquals(1, n, "one artifact");
      return null;
    });
    p.run().waitUntilFinish();
    assertTrue(Files.exists(dir.resolve("model").resolve(Trainer.MODEL_JSON)));
    String curve = Files.readString(dir.resolve("model").resolve(Trainer.CURVE_CSV));
    assertTrue(curve.contains(",validation,"), "validation held out by id hash: " + curve);
  }

  @Test
  void validationSplitByIdHashIsStable() {
    double a = Train.idFraction("slice07.png");
    assertEquals(a, Train.idFraction("slice07.png"));
    assertTrue(a >= 0 && a < 1);
    // augmented copies share their original's side of the split; multi-page ids and paths are kept
    assertEquals("slice07.png", Train.splitKey("slice07.png/TrainDeformed#2/Flip#0"));
    assertEquals(a, Train.idFraction("slice07.png/TrainDeformed#1"));
    assertEquals("dir/stack.tif#3", Train.splitKey("dir/stack.tif#3/ElasticDeform#0"));
    assertEquals("membranes#4", Train.splitKey("membranes#4"));
  }

  @Test
  void rejectsBadBuilderArguments() {
    UNetConfig model = UNetConfig.small();
    TrainConfig cfg = TrainConfig.defaults(100, 100);
    IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> Train.of(model, cfg, "/o"));
    assertTrue(size.getMessage().contains("nearest valid sizes: [96, 112]"), size.getMessage());
    TrainConfig ok = TrainConfig.defaults(128, 128);
    IllegalArgumentException frac = assertThrows(IllegalArgumentException.class,
        () -> Train.of(model, ok, "/o").withValidationFraction(1.0));
    assertTrue(frac.getMessage().contains("validation fraction must be in [0, 1), got 1.0"), frac.getMessage());
    IllegalArgumentException dir = assertThrows(IllegalArgumentException.class, () -> Train.of(model, ok, " "));
    assertTrue(dir.getMessage().contains("output directory must not be empty"), dir.getMessage());
  }

  private static final String HEAD = String.join("\n",
      "pipeline:",
      "  transforms:",
      "    - {type: SyntheticImages, name: Synth, config: {count: 2, height: 32, width: 32}}",
      "    - {type: WriteAvro, name: Shards, input: Synth, config: {path: shards}}",
      "    - type: Train",
      "      input: Shards",
      "      config: ");

  private static ValidationException invalid(String config) {
    return assertThrows(ValidationException.class, () -> PipelinePlan.validate(
        PipelineFile.parse("t.yaml", HEAD + config + "\n", List.of()), StageRegistry.load()));
  }

  @Test
  void pipelineConfigErrorsNameTheProblem() throws Exception {
    PipelinePlan ok = PipelinePlan.validate(PipelineFile.parse("t.yaml",
        HEAD + "{path: m, height: 32, width: 32, steps: 5, model: {family: unet, upsampling: pixel_shuffle}}\n",
        List.of()), StageRegistry.load());
    assertEquals("Train", ok.stages().get(2).type());
    String size = invalid("{path: m, height: 30, width: 32, steps: 5, model: {family: unet}}").getMessage();
    assertTrue(size.contains("input height 30 does not fit a depth-4 same-padding U-Net"), size);
    assertTrue(size.contains("[16, 32]"), size);
    String ups = invalid("{path: m, height: 32, width: 32, steps: 5, model: {family: unet, upsampling: bicubic}}")
        .getMessage();
    assertTrue(ups.contains("t.yaml:7") && ups.contains("'model' (family unet): 'upsampling' must be one of transpose | bilinear | nearest | pixel_shuffle"), ups);
    String steps = invalid("{path: m, height: 32, width: 32, steps: 0, model: {family: unet}}").getMessage();
    assertTrue(steps.contains("'steps' must be 1..1000000000, got 0"), steps);
    String frac = invalid("{path: m, height: 32, width: 32, steps: 5, validation_fraction: 0.95, model: {family: unet}}")
        .getMessage();
    assertTrue(frac.contains("'validation_fraction' must be 0..0.9, got 0.95"), frac);
    String missing = invalid("{path: m, height: 32, width: 32}").getMessage();
    assertTrue(missing.contains("missing required config key 'model'"), missing);
  }

  @Test
  void modelConfigIsTypedByFamily() throws Exception {
    String family = invalid("{path: m, height: 32, width: 32, model: {family: unett}}").getMessage();
    assertTrue(family.contains("'model.family' must be one of ") && family.contains("unet | wide_unet")
        && family.contains("did you mean 'unet'"), family);
    String noFamily = invalid("{path: m, height: 32, width: 32, model: {depth: 3}}").getMessage();
    assertTrue(noFamily.contains("'model' needs 'family': one of ") && noFamily.contains("unet | wide_unet"), noFamily);
    String key = invalid("{path: m, height: 32, width: 32, model: {family: unet, filter: 8}}").getMessage();
    assertTrue(key.contains("unknown config key 'filter' (did you mean 'filters'?); allowed keys of family unet: "
        + "family, depth, filters, padding"), key);
    // the flat U-Net keys of the first wave moved under model: no silent fallback
    String flat = invalid("{path: m, height: 32, width: 32, depth: 3, model: {family: unet}}").getMessage();
    assertTrue(flat.contains("unknown config key 'depth'") && flat.contains("write it under 'model:'"), flat);
    // wide_unet is a U-Net with 35 filters by default
    PipelinePlan wide = PipelinePlan.validate(PipelineFile.parse("t.yaml",
        HEAD + "{path: m, height: 32, width: 32, model: {family: wide_unet, depth: 2}}\n", List.of()),
        StageRegistry.load());
    Train.Config c = (Train.Config) wide.stages().get(2).config();
    assertEquals(new UNetConfig("wide_unet", 2, 35, Padding.SAME, Upsampling.TRANSPOSE, false, 0f, 1, 1, true), c.model());
    assertTrue(wide.stages().get(2).configJson().contains("\"model\":{\"family\":\"wide_unet\",\"depth\":2,\"filters\":35"),
        wide.stages().get(2).configJson());
  }
}
