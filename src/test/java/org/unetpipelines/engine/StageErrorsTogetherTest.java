package org.unetpipelines.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.unetpipelines.engine.ConfigChecks.ConfigException;
import org.unetpipelines.stages.eval.InferenceConfig;
import org.unetpipelines.train.TrainConfig;

/** Every error of a stage is reported in one exit-2 message, not only the first its config record finds. */
class StageErrorsTogetherTest {
  private static final StageRegistry REGISTRY = StageRegistry.load();

  private static ValidationException invalid(String... trainConfigLines) {
    String yaml = String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - {type: SyntheticImages, name: S, config: {count: 2, height: 32, width: 32}}",
        "    - {type: WriteAvro, name: Shards, input: S, config: {path: shards}}",
        "    - type: Train",
        "      input: Shards",
        "      config:",
        "        path: model") + "\n" + String.join("\n", trainConfigLines) + "\n";
    return assertThrows(ValidationException.class,
        () -> PipelinePlan.validate(PipelineFile.parse("t.yaml", yaml, List.of()), REGISTRY));
  }

  @Test
  void threeBadValuesOfOneStageAreThreeErrorsInOneMessage() {
    ValidationException e = invalid(
        "        height: 32",
        "        width: 32",
        "        model: {family: unet, depth: 2, filters: 4}",
        "        learning_rate: 0.0",
        "        momentum: 1.5",
        "        batch: 0");
    List<PipelineError> train = e.errors().stream().filter(x -> "Train".equals(x.stage())).toList();
    assertEquals(3, train.size(), e.getMessage());
    assertEquals(e.errors().size(), train.size(), e.getMessage());
    assertEquals("t.yaml:12: stage 'Train': 'learning_rate' must be in (0, 10], got 0.0", train.get(0).toString());
    assertEquals("t.yaml:13: stage 'Train': 'momentum' must be in [0, 1), got 1.5", train.get(1).toString());
    assertEquals("t.yaml:14: stage 'Train': 'batch' must be 1..4096, got 0", train.get(2).toString());
    assertTrue(e.getMessage().startsWith("3 error(s) in pipeline:"), e.getMessage());
    train.forEach(x -> assertTrue(e.getMessage().contains(x.toString()), e.getMessage()));
  }

  @Test
  void aRecordsCrossFieldRulesAreAllReported() {
    // both found by UNetPlusPlusConfig's constructor: four levels instead of five, prune without deep supervision
    ValidationException e = invalid(
        "        height: 32",
        "        width: 32",
        "        model: {family: unetpp, filters: [8, 16, 32, 64], prune: 2}");
    assertEquals(2, e.errors().size(), e.getMessage());
    assertTrue(e.errors().get(0).message().startsWith("'model' (family unetpp): filters must list 5 levels"),
        e.getMessage());
    assertTrue(e.errors().get(1).message().startsWith("'model' (family unetpp): prune 2 needs deep_supervision: true"),
        e.getMessage());
  }

  @Test
  void rangeErrorsOfNestedAndInlineRecordsComeTogether() {
    ValidationException e = invalid(
        "        height: 32",
        "        width: 32",
        "        model: {family: unet, depth: 9, filters: 0, classes: 0}",
        "        steps: 0",
        "        log_every: -1");
    List<String> msgs = e.errors().stream().map(PipelineError::message).toList();
    assertEquals(List.of(
        "'model' (family unet): 'depth' must be 1..6, got 9",
        "'model' (family unet): 'filters' must be 1..1024, got 0",
        "'model' (family unet): 'classes' must be 1..10000, got 0",
        "'steps' must be 1..1000000000, got 0",
        "'log_every' must be 1..1000000000, got -1"), msgs);
  }

  @Test
  void configRecordsBuiltInCodeReportEveryProblemToo() {
    ConfigException e = assertThrows(ConfigException.class, () -> TrainConfig.defaults(32, 32).toBuilder()
        .learningRate(0).momentum(1.5).batchSize(0).build());
    assertEquals(List.of("learning_rate must be in (0, 10], got 0.0", "momentum must be in [0, 1), got 1.5",
        "batch must be 1..4096, got 0"), e.problems());
    assertEquals(String.join("; ", e.problems()), e.getMessage());
    ConfigException inference = assertThrows(ConfigException.class, () -> new InferenceConfig(
        org.unetpipelines.eval.InferenceMode.AUTO, -1, 1.0, 0, org.unetpipelines.eval.Tta.NONE, null, 2));
    assertEquals(4, inference.problems().size(), inference.problems().toString());
  }

  @Test
  void memoryBoundsAcrossKeysAreCheckedBeforeAnythingRuns() {
    // each key is in range, together they do not fit: one batch of 1024 tiles of 16384^2 pixels
    ConfigException e = assertThrows(ConfigException.class, () -> new InferenceConfig(
        org.unetpipelines.eval.InferenceMode.AUTO, 16384, 0.5, 1024, org.unetpipelines.eval.Tta.NONE, null, 0.5));
    assertEquals(List.of("batch x tile x tile must be at most 268435456 pixels per model call (1 GiB of float32 "
        + "per channel), got 1024 x 16384 x 16384 = 274877906944: lower batch or tile"), e.problems());
    ValidationException big = invalid(
        "        model: {family: unet, depth: 2, filters: 4, padding: same}",
        "        height: 16384",
        "        width: 16384",
        "        batch: 16");
    assertTrue(big.getMessage().contains("one batch's 'image' feed (batch 16 x [16384, 16384, 1]) holds 4294967296 "
        + "values, more than the 2147483639 one array can hold"), big.getMessage());
  }

  @Test
  void checksCollectAndThrowTogether() {
    ConfigChecks c = new ConfigChecks();
    assertTrue(c.check(true, "never %s", 1));
    assertEquals(false, c.check(false, "a must be %s, got %s", 1, 2));
    c.check(false, "b");
    assertEquals(List.of("a must be 1, got 2", "b"), c.problems());
    ConfigException e = assertThrows(ConfigException.class, c::done);
    assertEquals("a must be 1, got 2; b", e.getMessage());
    assertEquals(List.of("a must be 1, got 2", "b"), ConfigChecks.problemsOf(e));
    assertEquals(List.of("plain"), ConfigChecks.problemsOf(new IllegalArgumentException("plain")));
    new ConfigChecks().done(); // nothing found: returns
  }
}
