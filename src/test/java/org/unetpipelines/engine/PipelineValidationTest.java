package org.unetpipelines.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineValidationTest {
  private static final StageRegistry REGISTRY = StageRegistry.load();

  private static PipelinePlan plan(String yaml, String... overrides) throws ValidationException {
    return PipelinePlan.validate(PipelineFile.parse("test.yaml", yaml, List.of(overrides)), REGISTRY);
  }

  private static ValidationException invalid(String yaml, String... overrides) {
    return assertThrows(ValidationException.class, () -> plan(yaml, overrides));
  }

  private static final String GOOD = String.join("\n",
      "pipeline:",
      "  transforms:",
      "    - type: SyntheticImages",
      "      name: Synth",
      "      config: {count: 2, height: 32, width: 32}",
      "    - type: WriteAvro",
      "      input: Synth",
      "      config: {path: shards, shards: 2}",
      "options: {seed: 7}");

  @Test
  void validPipelineIsOrderedAndTyped() throws Exception {
    PipelinePlan p = plan(GOOD);
    assertEquals(7, p.seed());
    assertEquals(List.of("Synth", "WriteAvro"), p.stages().stream().map(PipelinePlan.StagePlan::name).toList());
    assertEquals(2, ((org.unetpipelines.stages.io.WriteShards.Config) p.stages().get(1).config()).shards());
  }

  @Test
  void stagesMayBeDeclaredAfterTheirConsumers() throws Exception {
    PipelinePlan p = plan(String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - {type: WriteAvro, input: Synth, config: {path: a}}",
        "    - {type: SyntheticImages, name: Synth}"));
    assertEquals("Synth", p.stages().get(0).name());
  }

  @Test
  void unknownTypeSuggestsClosestAndListsKnown() {
    ValidationException e = invalid("pipeline:\n  transforms:\n    - type: SyntheticImage\n");
    assertEquals(1, e.errors().size());
    PipelineError err = e.errors().get(0);
    assertEquals(3, err.line());
    assertTrue(err.message().contains("unknown stage type 'SyntheticImage'"), err.message());
    assertTrue(err.message().contains("did you mean 'SyntheticImages'"), err.message());
    assertTrue(err.message().contains("ReadImageSet"), err.message());
    assertTrue(err.toString().startsWith("test.yaml:3: stage 'SyntheticImage'"), err.toString());
  }

  @Test
  void unknownConfigKeyNamesLineStageAllowedKeysAndSuggestion() {
    ValidationException e = invalid(String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - type: SyntheticImages",
        "      name: S",
        "      config:",
        "        count: 2",
        "        heigth: 32"));
    PipelineError err = e.errors().get(0);
    assertEquals(7, err.line());
    assertEquals("S", err.stage());
    assertTrue(err.message().contains("unknown config key 'heigth' (did you mean 'height'?)"), err.message());
    assertTrue(err.message().contains("allowed keys: kind, count, start, height, width"), err.message());
  }

  @Test
  void missingRequiredKeyAndWrongTypesAndBadEnum() {
    ValidationException e = invalid(String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - type: SyntheticImages",
        "      config: {count: many, kind: elipses}",
        "    - type: WriteAvro",
        "      input: SyntheticImages",
        "      config: {shards: [1, 2]}"));
    String all = e.getMessage();
    assertTrue(all.contains("'count' must be integer, got 'many'"), all);
    assertTrue(all.contains("'kind' must be one of membranes | ellipses | objects, got 'elipses' (did you mean 'ellipses'?)"), all);
    assertTrue(all.contains("missing required config key 'path'"), all);
    assertTrue(all.contains("'shards' must be integer, got a list"), all);
    assertEquals(4, e.errors().size(), all);
  }

  @Test
  void danglingInputArityAndTypeMismatch() {
    ValidationException e = invalid(String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - type: SyntheticImages",
        "      name: Synth",
        "    - type: WriteAvro",
        "      name: W",
        "      input: Snyth",
        "      config: {path: a}",
        "    - type: WriteTFRecord",
        "      name: T",
        "      config: {path: b}",
        "    - type: WriteAvro",
        "      name: W2",
        "      input: W",
        "      config: {path: c}"));
    String all = e.getMessage();
    assertTrue(all.contains("input 'Snyth' is not a stage of this pipeline (did you mean 'Synth'?)"), all);
    assertTrue(all.contains("WriteTFRecord takes 1 input(s) of Sample, got 0 (add 'input: <stage name>')"), all);
    assertTrue(all.contains("input 'W' (WriteAvro) emits ShardSet, but WriteAvro takes 1 input(s) of Sample"), all);
  }

  @Test
  void cyclesAreReported() {
    ValidationException e = invalid(String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - {type: ReadShards, name: A, input: B}",
        "    - {type: WriteAvro, name: B, input: A, config: {path: x}}"));
    assertTrue(e.getMessage().contains("cycle in inputs: A -> B -> A"), e.getMessage());
  }

  @Test
  void duplicateNamesAndUnknownTopLevelKeys() {
    ValidationException e = invalid(String.join("\n",
        "pipline: {}",
        "pipeline:",
        "  transforms:",
        "    - {type: SyntheticImages, name: A}",
        "    - {type: SyntheticImages, name: A}",
        "options: {seed: x, sede: 1}"));
    String all = e.getMessage();
    assertTrue(all.contains("unknown key 'pipline' in top level (did you mean 'pipeline'?)"), all);
    assertTrue(all.contains("duplicate stage name (first defined at line 4)"), all);
    assertTrue(all.contains("options: 'seed' must be integer, got 'x'"), all);
    assertTrue(all.contains("unknown key 'sede' in options"), all);
  }

  @Test
  void yamlTagsThatInstantiateTypesAreRejected() {
    ValidationException e = invalid(String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - type: SyntheticImages",
        "      config: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x\"]]]]"));
    assertEquals(4, e.errors().get(0).line());
    assertTrue(e.getMessage().contains("tag is not allowed: tag:yaml.org,2002:javax.script.ScriptEngineManager"),
        e.getMessage());
    ValidationException local = invalid("pipeline:\n  transforms:\n    - type: !custom SyntheticImages\n");
    assertTrue(local.getMessage().contains("test.yaml:3: YAML tag '!custom' is not allowed"), local.getMessage());
  }

  @Test
  void brokenYamlReportsLine() {
    ValidationException e = invalid("pipeline:\n  transforms:\n    - type: [unclosed\n");
    assertTrue(e.errors().get(0).message().startsWith("not valid YAML"), e.getMessage());
    assertTrue(e.errors().get(0).line() > 0);
  }

  @Test
  void setOverridesConfigAndOptions() throws Exception {
    PipelinePlan p = plan(GOOD, "Synth.config.count=5", "options.seed=99", "WriteAvro.config.path=other");
    assertEquals(99, p.seed());
    assertEquals(5, ((org.unetpipelines.stages.io.SyntheticImages.Config) p.stages().get(0).config()).count());
    ValidationException e = invalid(GOOD, "Synt.config.count=5");
    assertTrue(e.getMessage().contains("no stage named 'Synt' (did you mean 'Synth'?)"), e.getMessage());
    ValidationException bad = invalid(GOOD, "Synth.config.count=lots");
    assertTrue(bad.getMessage().contains("'count' must be integer, got 'lots'"), bad.getMessage());
  }

  @Test
  void stageChecksRunBeforeAnythingRuns() {
    ValidationException e = invalid(String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - type: ReadImageSet",
        "      config: {images: /nonexistent/dir/*.png}",
        "    - type: SyntheticImages",
        "      config: {count: 0}"));
    String all = e.getMessage();
    assertTrue(all.contains("'images': no files match '/nonexistent/dir/*.png'"), all);
    assertTrue(all.contains("'count' must be 1..10000000, got 0"), all);
  }

  @Test
  void outputPathsCannotLeaveTheOutputRoot() {
    OutputRoot root = new OutputRoot(Path.of("/tmp/unet-root"));
    assertEquals(Path.of("/tmp/unet-root/a/b"), root.resolve("a/b"));
    IllegalArgumentException up = assertThrows(IllegalArgumentException.class, () -> root.resolve("../evil"));
    assertTrue(up.getMessage().contains("outside the output root /tmp/unet-root"), up.getMessage());
    assertThrows(IllegalArgumentException.class, () -> root.resolve("/etc/passwd"));
    assertThrows(IllegalArgumentException.class, () -> root.resolve("a/../../x"));
  }
}
