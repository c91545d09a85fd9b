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

  /** pipelines/augment-all-stages.yaml (tests run from the repository root). */
  static String pipeline() throws java.io.IOException {
    return Files.readString(Path.of("pipelines/augment-all-stages.yaml"));
  }

  @Test
  void validatesAndRunsEveryStageType(@TempDir Path tmp) throws Exception {
    PipelinePlan plan = PipelinePlan.validate(PipelineFile.parse("augment.yaml", pipeline(), List.of()), StageRegistry.load());
    assertEquals(10, plan.stages().size());
    Path file = tmp.resolve("augment.yaml");
    Files.writeString(file, pipeline());
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
  void badConfigsNameTheStageAndWhatIsAllowed() throws Exception {
    String bad = pipeline()
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
