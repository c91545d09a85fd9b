package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.unet.UNet;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.model.Upsampling;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.task.Segmentation;

class SavedModelExportTest {

  @Test
  void savedModelReloadsInAFreshJvmWithIdenticalPredictions(@TempDir Path dir) throws Exception {
    // valid padding + batch norm + softmax: the output is smaller than the input and uses moving averages
    UNet net = UNet.of(new UNetConfig(1, 4, Padding.VALID, Upsampling.BILINEAR, true, 0.2f, 2, 1));
    int in = 28; // 28-4=24 /2 12-4=8 -> 16-4=12
    TrainConfig cfg = TrainConfig.defaults(in, in).toBuilder().batchSize(2).threads(1, 1).build();
    List<Sample> samples = TestSamples.ellipses(1, 0, 4, in);
    SampleArrays arrays = new SampleArrays(in, in, 1, 12, 12, 2);
    float[] images = new float[2 * arrays.imageSize()];
    float[] expected;
    try (TrainingGraph tg = TrainingGraph.create(new Segmentation(net, in, in, cfg.loss()), cfg)) {
      tg.initialize();
      for (int step = 0; step < 3; step++) {
        float[] x = new float[2 * arrays.imageSize()];
        float[] y = new float[2 * arrays.targetSize()];
        float[] w = new float[2 * arrays.weightSize()];
        for (int i = 0; i < 2; i++) {
          arrays.fill(samples.get(i + (step % 2) * 2), new int[] {0, 0}, i, x, y, w);
        }
        tg.step(Batch.segmentation(2, x, y, w, List.of("a", "b"), 0, step), 0.01, step);
      }
      float[] y = new float[2 * arrays.targetSize()];
      float[] w = new float[2 * arrays.weightSize()];
      for (int i = 0; i < 2; i++) {
        arrays.fill(samples.get(i), new int[] {0, 0}, i, images, y, w);
      }
      expected = tg.predict(2, images);
      // batch norm's moving averages moved away from their initial 0 / 1 during the 3 training steps
      try (org.tensorflow.Result r = tg.session().runner().fetch("params/unet/down0/bn1/moving_mean")
          .fetch("params/unet/down0/bn1/moving_variance").run()) {
        org.tensorflow.types.TFloat32 mean = (org.tensorflow.types.TFloat32) r.get(0);
        org.tensorflow.types.TFloat32 var = (org.tensorflow.types.TFloat32) r.get(1);
        assertEquals(4, mean.size());
        for (int c = 0; c < 4; c++) {
          assertTrue(mean.getFloat(c) != 0f && Float.isFinite(mean.getFloat(c)), "moving mean " + mean.getFloat(c));
          assertTrue(var.getFloat(c) != 1f && var.getFloat(c) > 0f, "moving variance " + var.getFloat(c));
        }
      }
      tg.exportSavedModel(dir.resolve("saved_model"));
    }
    assertEquals(2 * 12 * 12 * 2, expected.length);
    Path input = dir.resolve("input.bin");
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(input))) {
      for (int d : new int[] {2, in, in, 1}) {
        o.writeInt(d);
      }
      for (float v : images) {
        o.writeFloat(v);
      }
    }
    Path output = dir.resolve("output.bin");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), SavedModelPredict.class.getName(),
        dir.resolve("saved_model").toString(), input.toString(), output.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
    assertEquals(0, p.exitValue(), Files.readString(dir.resolve("child.log")));
    try (DataInputStream r = new DataInputStream(Files.newInputStream(output))) {
      assertArrayEquals(new int[] {2, 12, 12, 2}, new int[] {r.readInt(), r.readInt(), r.readInt(), r.readInt()});
      float[] got = new float[expected.length];
      for (int i = 0; i < got.length; i++) {
        got[i] = r.readFloat();
      }
      assertArrayEquals(expected, got, "predictions in a fresh JVM");
    }
  }

  @Test
  void askingForAMissingGpuIsAClearError() {
    IllegalStateException e = assertThrows(IllegalStateException.class, Device.GPU::check);
    assertTrue(e.getMessage().contains("device: gpu was asked for, but TensorFlow found no usable GPU; devices found:"),
        e.getMessage());
    assertTrue(e.getMessage().contains("-Pgpu"), e.getMessage());
  }
}
