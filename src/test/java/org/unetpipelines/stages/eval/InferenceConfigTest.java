package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

/** The one inference config of Evaluate, Predict and predict: YAML binding (inline keys), checks, defaults. */
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
  void bothStagesReadTheInferenceKeysInTheirConfigWithDefaults() throws Exception {
    Path model = tmp.resolve("m");
    TinySavedModel.exportWithHeads(model, "L1");
    PipelinePlan p = plan("Evaluate", "        model: " + model + "\n        mode: overlap_tile\n        tta: dihedral");
    Evaluate.Config e = (Evaluate.Config) p.stages().get(1).config();
    assertEquals(new InferenceConfig(InferenceMode.OVERLAP_TILE, 0, 0.5, 4, Tta.DIHEDRAL, null, 0.5), e.inference());
    p = plan("Predict", "        model: " + model, "Predict.config.tta=flips", "Predict.config.batch=2",
        "Predict.config.head=L1");
    Predict.Config c = (Predict.Config) p.stages().get(1).config();
    assertEquals(new InferenceConfig(InferenceMode.AUTO, 0, 0.5, 2, Tta.FLIPS, "L1", 0.5), c.inference());
    ValidationException bad = assertThrows(ValidationException.class,
        () -> plan("Predict", "        model: " + model + "\n        head: L3"));
    assertTrue(bad.errors().get(0).toString().startsWith("t.yaml:4: stage 'Predict': 'model' " + model + ": model "),
        bad.errors().toString());
    assertTrue(bad.errors().get(0).message().contains("has no head 'L3'; it serves its default head and the named "
        + "heads L1"), bad.errors().toString());
    // none given = all defaults; the plain map (manifests) has the keys where the YAML has them
    p = plan("Predict", "        model: " + model);
    assertEquals(InferenceConfig.DEFAULT, ((Predict.Config) p.stages().get(1).config()).inference());
    Map<String, Object> m = ConfigBinder.toMap(p.stages().get(1).config());
    assertEquals("none", m.get("tta"));
    assertEquals(4, m.get("batch"));
    assertEquals("auto", m.get("mode"));
  }

  @Test
  void errorsNameTheKeyAndItsLine() {
    ValidationException e = assertThrows(ValidationException.class, () -> plan("Evaluate",
        "        model: x\n        tta: rotations\n        overlpa: 0.2"));
    List<String> msgs = e.errors().stream().map(PipelineError::toString).toList();
    assertTrue(msgs.stream().anyMatch(s -> s.startsWith("t.yaml:8: stage 'Evaluate': 'tta' must be one of "
        + "none | flips | dihedral, got 'rotations'")), msgs.toString());
    assertTrue(msgs.stream().anyMatch(s -> s.startsWith("t.yaml:9:") && s.contains("unknown config key "
        + "'overlpa' (did you mean 'overlap'?); allowed keys: model, dataset, split, mode, tile, overlap, batch, tta, "
        + "head, threshold, redo, path, overlays")), msgs.toString());
    e = assertThrows(ValidationException.class, () -> plan("Predict", "        batch: 0"));
    assertTrue(e.errors().stream().anyMatch(x -> x.message().equals("'batch' must be 1..1024, got 0")),
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
    assertTrue(e.getMessage().contains("tile must be 0..16384 (0 = the model's own size), got -1"), e.getMessage());
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
  void stagesDescribeTheInferenceFieldsAsTheirOwn() {
    List<ConfigBinder.FieldInfo> predict = ConfigBinder.describe(Predict.Config.class);
    assertEquals(List.of("model", "mode", "tile", "overlap", "batch", "tta", "head", "threshold", "path"),
        predict.stream().map(ConfigBinder.FieldInfo::name).toList());
    assertEquals("none|flips|dihedral", predict.get(5).type());
    assertEquals("(none)", predict.get(6).defaultText());
    assertEquals(ConfigBinder.describe(InferenceConfig.class),
        ConfigBinder.describe(Evaluate.Config.class).subList(3, 10), "one record, the same fields in both stages");
  }
}
