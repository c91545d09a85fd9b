package org.unetpipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.Serving;
import org.unetpipelines.model.Upsampling;
import org.unetpipelines.model.unet.UNet;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.train.TrainConfig;
import org.unetpipelines.train.TrainingGraph;
import org.unetpipelines.train.task.Segmentation;

/** The check passes what the trainer exports (many variables, optimizer slots) and catches each kind of damage. */
class SavedModelFilesTest {
  @Test
  void aTrainedUNetsExportIsCompleteAndEachDamageIsNamed(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("saved_model");
    UNet net = UNet.of(new UNetConfig(2, 4, Padding.SAME, Upsampling.TRANSPOSE, true, 0f, 1, 1));
    TrainConfig cfg = TrainConfig.defaults(16, 16).toBuilder().threads(1, 1).build();
    try (TrainingGraph tg = TrainingGraph.create(new Segmentation(net, 16, 16, cfg.loss()), cfg)) {
      tg.initialize();
      tg.exportSavedModel(model);
    }
    assertEquals(List.of(), SavedModelFiles.problems(model, Serving.TAG, Serving.SIGNATURE));
    SavedModelFiles.Bundle b = SavedModelFiles.readIndex(Files.readAllBytes(model.resolve("variables/variables.index")));
    assertEquals(1, b.shards());
    Path data = model.resolve("variables/variables.data-00000-of-00001");
    assertEquals(Files.size(data), b.bytesNeeded().get(0), "the index's tensors end where the data file ends");

    assertEquals(List.of(model.resolve("saved_model.pb") + ": no meta graph tagged 'train' (tags found: [serve])"),
        SavedModelFiles.problems(model, "train", Serving.SIGNATURE));
    assertTrue(SavedModelFiles.problems(model, Serving.TAG, "predict").get(0)
        .endsWith("has no signature 'predict' (signatures: [serving_default])"));

    byte[] index = Files.readAllBytes(model.resolve("variables/variables.index"));
    index[3] ^= 0x55; // a flipped byte in the first data block
    Files.write(model.resolve("variables/variables.index"), index);
    String corrupt = SavedModelFiles.problems(model, Serving.TAG, Serving.SIGNATURE).get(0);
    assertTrue(corrupt.endsWith("not an intact tensor-bundle index (corrupt or truncated): block at 0: checksum mismatch"),
        corrupt);
    index[3] ^= 0x55;
    Files.write(model.resolve("variables/variables.index"), index);
    Files.write(data, Arrays.copyOf(Files.readAllBytes(data), (int) Files.size(data) - 1));
    assertEquals(List.of(data + ": truncated: " + Files.size(data) + " bytes, the index places tensors up to byte "
        + (Files.size(data) + 1)), SavedModelFiles.problems(model, Serving.TAG, Serving.SIGNATURE));
    Files.delete(data);
    assertTrue(SavedModelFiles.problems(model, Serving.TAG, Serving.SIGNATURE).get(0)
        .equals(data + ": no such file (the index names 1 data shard(s))"));
  }
}
