package org.unetpipelines.model.unetpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.model.ModelConfig;
import org.unetpipelines.model.unetpp.UNetPlusPlusConfig.Head;
import org.unetpipelines.model.unetpp.UNetPlusPlusConfig.HeadLoss;
import org.unetpipelines.stages.train.Train;

/** {@code model: {family: unetpp | unetplus, ...}} in a Train stage: typed, defaulted, checked before anything runs. */
class UNetPlusPlusYamlTest {
  private static final String HEAD = String.join("\n",
      "pipeline:",
      "  transforms:",
      "    - {type: SyntheticImages, name: Synth, config: {count: 2, height: 32, width: 32}}",
      "    - {type: WriteAvro, name: Shards, input: Synth, config: {path: shards}}",
      "    - type: Train",
      "      input: Shards",
      "      config: ");

  private static ModelConfig model(String config) throws ValidationException {
    PipelinePlan plan = PipelinePlan.validate(PipelineFile.parse("t.yaml", HEAD + config + "\n", List.of()),
        StageRegistry.load());
    return ((Train.Config) plan.stages().get(2).config()).model();
  }

  private static String invalid(String config) {
    return assertThrows(ValidationException.class, () -> model(config)).getMessage();
  }

  @Test
  void bindsTheFamiliesWithTheOriginalCodesDefaults() throws Exception {
    assertEquals(UNetPlusPlusConfig.unetpp(), model("{path: m, height: 32, width: 32, model: {family: unetpp}}"));
    assertEquals(UNetPlusPlusConfig.unetplus(), model("{path: m, height: 32, width: 32, model: {family: unetplus}}"));
    ModelConfig m = model("{path: m, height: 96, width: 96, model: {family: unetpp, filters: [8, 16, 32, 64, 128],"
        + " dropout: 0.2, batch_norm: true, deep_supervision: true, inference_head: L3, head_loss: mean, channels: 3}}");
    assertEquals(UNetPlusPlusConfig.unetpp().withFilters(List.of(8, 16, 32, 64, 128)).withDropout(0.2f)
        .withBatchNorm(true).withDeepSupervision(true).withInferenceHead(Head.L3).withHeadLoss(HeadLoss.MEAN)
        .withInputChannels(3), m);
    UNetPlusPlus net = ((UNetPlusPlusConfig) m).net();
    assertEquals("L3", net.inferenceHead());
    // pruned: the default inference head (ensemble) of one head is that head
    ModelConfig l2 = model("{path: m, height: 36, width: 36, model: {family: unetpp, deep_supervision: true, prune: 2}}");
    assertEquals(2, ((UNetPlusPlusConfig) l2).prune());
  }

  @Test
  void errorsNameTheFileLineTheFamilyAndWhatIsAllowed() {
    String key = invalid("{path: m, height: 32, width: 32, model: {family: unetpp, depth: 3}}");
    assertTrue(key.contains("t.yaml:7") && key.contains("unknown config key 'depth'; allowed keys of family unetpp: "
        + "family, filters, dropout, batch_norm, deep_supervision, inference_head, head_loss, prune, classes, channels"),
        key);
    String head = invalid("{path: m, height: 32, width: 32, model: {family: unetpp, inference_head: l2}}");
    assertTrue(head.contains("t.yaml:7") && head.contains("'model' (family unetpp): inference_head L2 is not built:"
        + " a network without deep supervision has only the head L4"), head);
    String enumValue = invalid("{path: m, height: 32, width: 32, model: {family: unetplus, head_loss: max}}");
    assertTrue(enumValue.contains("'head_loss' must be one of sum | mean, got 'max'"), enumValue);
    String prune = invalid("{path: m, height: 32, width: 32, model: {family: unetpp, prune: 3}}");
    assertTrue(prune.contains("prune 3 needs deep_supervision: true"), prune);
    String filters = invalid("{path: m, height: 32, width: 32, model: {family: unetpp, filters: [16, 32]}}");
    assertTrue(filters.contains("filters must list 5 levels"), filters);
    String size = invalid("{path: m, height: 100, width: 96, model: {family: unetpp}}");
    assertTrue(size.contains("input height 100 does not fit unetpp") && size.contains("[96, 112]"), size);
    String family = invalid("{path: m, height: 32, width: 32, model: {family: unet++}}");
    assertTrue(family.contains("'model.family' must be one of ") && family.contains("unet | wide_unet | unetpp | unetplus")
        && family.contains("got 'unet++'"), family);
  }
}
