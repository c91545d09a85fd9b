package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.engine.ConfigBinder;
import org.unetpipelines.engine.PipelineError;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.eval.InferenceMode;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.TinySavedModel;
import org.unetpipelines.eval.Tta;

/** The one inference config of Evaluate, Predict and predict: YAML binding, checks, defaults. */
class InferenceConfigTest {
  @TempDir Path tmp;

  private static PipelinePlan plan(String stage, String config, String... overrides) throws ValidationException {
    String yaml = String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - {type: SyntheticImages, name: Images, config: {count: 1, height: 16, width: 16}}",
        "    - type: " + stage,
        "      input: Images",
        "      config:",
        config,
        "");
    return PipelinePlan.validate(PipelineFile.parse("t.yaml", yaml, List.of(overrides)), StageRegistry.load());
  }

  @Test
  void bothStagesReadTheNestedMappingWithDefaults() throws Exception {
    Path model = tmp.resolve("m");
    TinySavedModel.export(model);
    PipelinePlan p = plan("Evaluate", "        model: " + model + "\n        inference: {mode: overlap_tile, tta: dihedral}");
    Evaluate.Config e = (Evaluate.Config) p.stages().get(1).config();
    assertEquals(new InferenceConfig(InferenceMode.OVERLAP_TILE, 0, 0.5, 4, Tta.DIHEDRAL, null, 0.5), e.inference());
    p = plan("Predict", "        model: " + model, "Predict.config.inference.tta=flips", "Predict.config.inference.batch=2");
    Predict.Config c = (Predict.Config) p.stages().get(1).config();
    assertEquals(new InferenceConfig(InferenceMode.AUTO, 0, 0.5, 2, Tta.FLIPS, null, 0.5), c.inference());
    // absent mapping = all defaults; the record as a plain nested map
    p = plan("Predict", "        model: " + model);
    assertEquals(InferenceConfig.DEFAULT, ((Predict.Config) p.stages().get(1).config()).inference());
    Map<String, Object> m = ConfigBinder.toMap(p.stages().get(1).config());
    assertEquals(Map.of("mode", "auto", "tile", 0, "overlap", 0.5, "batch", 4, "tta", "none", "threshold", 0.5),
        ((Map<?, ?>) m.get("inference")).entrySet().stream().filter(x -> x.getValue() != null)
            .collect(Collectors.toMap(x -> (String) x.getKey(), Map.Entry::getValue)));
  }

  @Test
  void errorsNameTheNestedKeyAndItsLine() {
    ValidationException e = assertThrows(ValidationException.class, () -> plan("Evaluate",
        "        model: x\n        inference:\n          tta: rotations\n          overlpa: 0.2\n          batch: 0"));
    List<String> msgs = e.errors().stream().map(PipelineError::toString).toList();
    assertTrue(msgs.stream().anyMatch(s -> s.startsWith("t.yaml:9: stage 'Evaluate': 'inference': 'tta' must be one of "
        + "none | flips | dihedral, got 'rotations'")), msgs.toString());
    assertTrue(msgs.stream().anyMatch(s -> s.startsWith("t.yaml:10:") && s.contains("'inference': unknown config key "
        + "'overlpa' (did you mean 'overlap'?); allowed keys: mode, tile, overlap, batch, tta, head, threshold")),
        msgs.toString());
    e = assertThrows(ValidationException.class, () -> plan("Predict", "        model: x\n        inference: [1, 2]"));
    assertTrue(e.errors().get(0).message().contains("'inference' must be a mapping of mode, tile, overlap, batch, tta, "
        + "head, threshold, got a list"), e.errors().toString());
    e = assertThrows(ValidationException.class, () -> plan("Predict", "        inference: {batch: 0}"));
    assertTrue(e.errors().stream().anyMatch(x -> x.message().equals("'inference': batch must be >= 1, got 0")),
        e.errors().toString());
  }

  @Test
  void checksTileAndHeadAgainstTheModelBeforeRunning() throws Exception {
    ModelSpec spec = TinySavedModel.exportWithHeads(tmp.resolve("m"), "L1", "L2");
    InferenceConfig l2 = new InferenceConfig(InferenceMode.AUTO, 0, 0.5, 4, Tta.NONE, "L2", 0.5);
    assertEquals(List.of(), l2.check(spec.savedModelDir()));
    assertEquals("L2", l2.spec(ModelSpec.read(tmp.resolve("m"))).head());
    InferenceConfig l5 = new InferenceConfig(InferenceMode.AUTO, 0, 0.5, 4, Tta.NONE, "L5", 0.5);
    List<String> problems = l5.check(spec.savedModelDir());
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("has no head 'L5'; it serves its default head and the named heads L1, L2"),
        problems.toString());
    InferenceConfig tiny = new InferenceConfig(InferenceMode.AUTO, 3, 0.5, 4, Tta.NONE, null, 0.5);
    assertTrue(tiny.check(spec.savedModelDir()).get(0).contains("a 3x3 tile leaves no output"), tiny.toString());
    assertEquals(List.of(), tiny.check(null), "a ModelArtifact input is checked when it arrives");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new InferenceConfig(InferenceMode.AUTO, -1, 0.5, 4, Tta.NONE, null, 0.5));
    assertTrue(e.getMessage().contains("tile must be >= 0 (0 = the model's own size), got -1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new InferenceConfig(InferenceMode.AUTO, 0, 0.5, 4, Tta.NONE, " ", 0.5));
    assertTrue(e.getMessage().contains("head must be a head name or absent"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new InferenceConfig(InferenceMode.AUTO, 0, 0.5, 4, null, null, 0.5));
    assertTrue(e.getMessage().contains("tta must be given (none, flips or dihedral)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new InferenceConfig(InferenceMode.AUTO, 0, 0.5, 4, Tta.NONE, null, 1.5));
    assertTrue(e.getMessage().contains("threshold must be in [0, 1], got 1.5"), e.getMessage());
  }

  @Test
  void stagesDescribeTheNestedFields() {
    List<String> names = ConfigBinder.describe(Evaluate.Config.class).stream().map(ConfigBinder.FieldInfo::name).toList();
    assertTrue(names.containsAll(List.of("inference", "inference.mode", "inference.tta", "inference.head")), names.toString());
    List<ConfigBinder.FieldInfo> predict = ConfigBinder.describe(Predict.Config.class);
    assertEquals(List.of("model", "inference", "inference.mode", "inference.tile", "inference.overlap", "inference.batch",
        "inference.tta", "inference.head", "inference.threshold", "path"),
        predict.stream().map(ConfigBinder.FieldInfo::name).toList());
    assertEquals("mapping", predict.get(1).type());
    assertEquals("none|flips|dihedral", predict.get(6).type());
    assertEquals("(none)", predict.get(7).defaultText());
  }
}
