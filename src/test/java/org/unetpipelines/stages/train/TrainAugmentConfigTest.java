package org.unetpipelines.stages.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.unetpipelines.augment.ImageStack;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.augment.Rotation;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.stages.augment.ElasticDeform;
import org.unetpipelines.stages.augment.Flip;
import org.unetpipelines.stages.augment.Rotate;
import org.unetpipelines.train.OnlineAugment;

/** Train's {@code augment:} chain: written as the augmentation stages, bound to their config records, checked by them. */
class TrainAugmentConfigTest {
  private static final String HEAD = String.join("\n",
      "pipeline:",
      "  transforms:",
      "    - {type: SyntheticImages, name: Synth, config: {count: 2, height: 32, width: 32}}",
      "    - {type: WriteAvro, name: Shards, input: Synth, config: {path: shards}}",
      "    - type: Train",
      "      input: Shards",
      "      config: {path: m, height: 32, width: 32, steps: 5, model: {family: unet}, augment: ");

  private static PipelinePlan plan(String augment) throws Exception {
    return PipelinePlan.validate(PipelineFile.parse("t.yaml", HEAD + augment + "}\n", List.of()), StageRegistry.load());
  }

  private static String invalid(String augment) {
    return assertThrows(ValidationException.class, () -> plan(augment)).getMessage();
  }

  @Test
  void stepsBindToTheStagesOwnConfigRecords() throws Exception {
    PipelinePlan p = plan("[{type: ElasticDeform, grid: 4, sigma: 8.0, crop_height: 24, crop_width: 24}, "
        + "{type: Flip, vertical: 0.0}, {type: Rotate, mode: right}]");
    Train.Config c = (Train.Config) p.stages().get(2).config();
    assertEquals(List.of(new ElasticDeform.Config(4, 8.0, Interpolation.CUBIC, 1, 24, 24),
        new Flip.Config(0.5, 0.0, 1), new Rotate.Config(Rotation.Mode.RIGHT, 15.0, Interpolation.CUBIC, 1)),
        c.augment());
    OnlineAugment chain = c.onlineAugment();
    assertEquals(List.of("ElasticDeform", "Flip", "Rotate"), chain.names());
    ImageStack out = chain.apply(ImageStack.of(Synthetic.ellipses(1, 0, 40, 40, 3, 4, 8, 2).image()), 42, 0, 0);
    assertEquals(24, out.height(), "the deformation's crop ran");
    // the recorded config names each step's type
    String json = p.stages().get(2).configJson();
    assertTrue(json.contains("\"augment\":[{\"type\":\"ElasticDeform\",\"grid\":4"), json);
    // no augment key: no chain
    Train.Config none = (Train.Config) PipelinePlan.validate(PipelineFile.parse("t.yaml",
        HEAD.replace(", augment: ", "") + "}\n", List.of()), StageRegistry.load()).stages().get(2).config();
    assertTrue(none.onlineAugment().isEmpty());
  }

  @Test
  void rejectedStepsNameTheirPositionTypeAndTheProblem() {
    String copies = invalid("[{type: Flip}, {type: ElasticDeform, copies: 3}]");
    assertTrue(copies.contains("'augment[1]' (type ElasticDeform): copies must be 1 in Train's online augmentation"),
        copies);
    String type = invalid("[{type: ElasticDeforms}]");
    assertTrue(type.contains("'augment[0].type' must be one of ") && type.contains("ElasticDeform")
        && type.contains("did you mean 'ElasticDeform'"), type);
    String noType = invalid("[{grid: 3}]");
    assertTrue(noType.contains("'augment[0]' needs 'type'"), noType);
    String key = invalid("[{type: Flip, horizontl: 0.5}]");
    assertTrue(key.contains("unknown config key 'horizontl' (did you mean 'horizontal'?)")
        && key.contains("allowed keys of type Flip: horizontal, vertical, copies"), key);
    String crop = invalid("[{type: ElasticDeform, crop_height: 20}]");
    assertTrue(crop.contains("'augment[0]' (type ElasticDeform): crop_height and crop_width go together"), crop);
    String range = invalid("[{type: Rotate, mode: uniform, angle: 200}]");
    assertTrue(range.contains("'augment[0]' (type Rotate): uniform mode needs 0 < angle <= 180"), range);
    String flat = invalid("{type: Flip}");
    assertTrue(flat.contains("'augment' must be a list of mappings, each with 'type'"), flat);
    String scalar = invalid("[Flip]");
    assertTrue(scalar.contains("'augment[0]' must be a mapping with 'type'"), scalar);
  }

  @Test
  void validationKeysAreCheckedBeforeAnythingRuns() throws Exception {
    String head = HEAD.substring(0, HEAD.lastIndexOf("config: ")) + "config: {path: m, steps: 5, ";
    PipelinePlan ok = PipelinePlan.validate(PipelineFile.parse("t.yaml", head
        + "height: 32, width: 32, model: {family: unet}, validate_on: whole_image, validate_every: 3, select_by: v_rand}\n",
        List.of()), StageRegistry.load());
    Train.Config c = (Train.Config) ok.stages().get(2).config();
    assertEquals("v_rand", c.training().selectBy());
    assertEquals(3, c.training().validateEvery());
    String centre = assertThrows(ValidationException.class, () -> PipelinePlan.validate(PipelineFile.parse("t.yaml",
        head + "height: 32, width: 32, model: {family: unet}, select_by: v_rand}\n", List.of()),
        StageRegistry.load())).getMessage();
    assertTrue(centre.contains("t.yaml:") && centre.contains("select_by: v_rand is a whole-image score: set "
        + "validate_on: whole_image"), centre);
    String classifier = assertThrows(ValidationException.class, () -> PipelinePlan.validate(PipelineFile.parse(
        "t.yaml", head + "height: 32, width: 32, model: {family: resnet, depth: 8}, validate_on: whole_image}\n",
        List.of()), StageRegistry.load())).getMessage();
    assertTrue(classifier.contains("'validate_on: whole_image' predicts and scores whole segmentations; resnet is "
        + "not a segmentation family"), classifier);
    String every = assertThrows(ValidationException.class, () -> PipelinePlan.validate(PipelineFile.parse("t.yaml",
        head + "height: 32, width: 32, model: {family: unet}, validate_every: 0}\n", List.of()),
        StageRegistry.load())).getMessage();
    assertTrue(every.contains("'validate_every' must be 1..1000000, got 0"), every);
  }
}
