package org.unetpipelines.stages.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.engine.cli.Main;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.io.Manifest;

/** Every augmentation stage type through the engine: YAML binding, validation errors, a full run. */
class AugmentPipelineTest {

  static final String PIPELINE = String.join("\n",
      "pipeline:",
      "  transforms:",
      "    - type: SyntheticImages",
      "      name: Cells",
      "      config: {kind: membranes, count: 3, height: 40, width: 40, cells: 5, noise: 4}",
      "    - type: BorderWeightMap",
      "      name: Weights",
      "      input: Cells",
      "      config: {w0: 10, sigma: 5, class_balance: true}",
      "    - type: MirrorPad",
      "      name: Pad",
      "      input: Weights",
      "      config: {pad: 8, mode: symmetric}",
      "    - type: ElasticDeform",
      "      name: Deform",
      "      input: Pad",
      "      config: {grid: 3, sigma: 4, copies: 2, order: linear, crop_height: 40, crop_width: 40}",
      "    - type: Rotate",
      "      name: Turn",
      "      input: Deform",
      "      config: {mode: right}",
      "    - type: Flip",
      "      name: Mirror",
      "      input: Turn",
      "      config: {horizontal: 0.5, vertical: 0.5}",
      "    - type: Crop",
      "      name: Patch",
      "      input: Mirror",
      "      config: {height: 32, width: 32, mode: random, copies: 2}",
      "    - type: Tile",
      "      name: Tiles",
      "      input: Patch",
      "      config: {height: 16, width: 16, stride_y: 8, stride_x: 16}",
      "    - type: WriteAvro",
      "      name: Shards",
      "      input: Tiles",
      "      config: {path: shards, shards: 2}",
      "    - type: ContactSheet",
      "      name: Sheet",
      "      input: [Cells, Deform]",
      "      config: {path: sheet.png, rows: 2, cell: 40}",
      "options: {seed: 7}",
      "");

  @Test
  void validatesAndRunsEveryStageType(@TempDir Path tmp) throws Exception {
    PipelinePlan plan = PipelinePlan.validate(PipelineFile.parse("augment.yaml", PIPELINE, List.of()), StageRegistry.load());
    assertEquals(10, plan.stages().size());
    Path file = tmp.resolve("augment.yaml");
    Files.writeString(file, PIPELINE);
    Path out = tmp.resolve("out");
    int rc = Main.commandLine().execute("run", file.toString(), "--out", out.toString());
    assertEquals(0, rc);
    Manifest m = Manifest.read(out.resolve("shards"));
    // 3 inputs x 2 deformed copies x 2 random crops x (3 x 2) tiles
    assertEquals(3 * 2 * 2 * 6, m.records());
    assertTrue(m.ids().contains("membranes-00000/Deform#1/Patch#0/Tiles#5"), m.ids().toString());
    ImageArray sheet = ImageCodec.decodeFirst(Files.readAllBytes(out.resolve("sheet.png")));
    assertEquals(2 * 40 + 3 * 4, sheet.height());
  }

  @Test
  void badConfigsNameTheStageAndWhatIsAllowed() {
    String bad = PIPELINE
        .replace("order: linear", "order: quintic")
        .replace("mode: right", "mode: right, angle_max: 3")
        .replace("stride_y: 8", "stride_y: 20");
    ValidationException e = assertThrows(ValidationException.class,
        () -> PipelinePlan.validate(PipelineFile.parse("augment.yaml", bad, List.of()), StageRegistry.load()));
    String all = e.errors().toString();
    assertTrue(all.contains("Deform") && all.contains("quintic") && all.contains("cubic"), all);
    assertTrue(all.contains("Turn") && all.contains("angle_max"), all);
    assertTrue(all.contains("Tiles") && all.contains("stride 20x16 is larger than the tile 16x16"), all);
  }
}
