package org.unetpipelines.model.resnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.unetpipelines.model.ClassifierNets;
import org.unetpipelines.model.Initializer;
import org.unetpipelines.model.LayerHarness;
import org.unetpipelines.model.ModelGraph;

class ResNetTest {

  /** He et al.'s counts (convs without bias, BN gamma/beta, the 10-way dense layer), MODELS.md 2.4. */
  @Test
  void parameterCounts() {
    assertEquals(269_434, ClassifierNets.parameters(ResNetConfig.resnet20().net(), 28, 28));
    assertEquals(269_722, ClassifierNets.parameters(ResNetConfig.of(20, 3, 10).net(), 32, 32));
    assertEquals(464_154, ClassifierNets.parameters(ResNetConfig.of(32, 3, 10).net(), 32, 32));
    assertEquals(853_018, ClassifierNets.parameters(ResNetConfig.of(56, 3, 10).net(), 32, 32));
    // the count does not depend on the input size (global average pooling)
    assertEquals(269_434, ClassifierNets.parameters(ResNetConfig.resnet20().net(), 32, 32));
  }

  @Test
  void outputsTenLogitsPerImageAt32And28() {
    for (int size : new int[] {32, 28}) {
      for (ModelGraph.Mode mode : ModelGraph.Mode.values()) {
        try (ClassifierNets.Built b = ClassifierNets.build(ResNetConfig.of(20, 3, 10).net(), size, size, mode)) {
          assertArrayEquals(new long[] {-1, 10}, b.logits().shape().asArray());
          float[] y = b.run(2);
          assertEquals(20, y.length, size + " " + mode);
          for (float v : y) {
            assertTrue(Float.isFinite(v));
          }
        }
      }
    }
  }

  /** Stage sizes: 32 -> 32, 16, 8; 28 -> 28, 14, 7 (stride-2 convs pad 1 on each side, as PyTorch). */
  @Test
  void stagesHalveTheSizeLikePyTorch() {
    try (ClassifierNets.Built b = ClassifierNets.build(ResNetConfig.resnet20().net(), 28, 28, ModelGraph.Mode.TRAIN)) {
      assertArrayEquals(new long[] {-1, 28, 28, 16},
          b.graph().operation("train/resnet/stage1/block3/add/Add").output(0).shape().asArray());
      assertArrayEquals(new long[] {-1, 14, 14, 32},
          b.graph().operation("train/resnet/stage2/block1/add/Add").output(0).shape().asArray());
      assertArrayEquals(new long[] {-1, 7, 7, 64},
          b.graph().operation("train/resnet/stage3/block3/add/Add").output(0).shape().asArray());
    }
  }

  /** Option A: x[:, ::2, ::2, :] with the new channels as zeros, (w - C) / 2 before and the rest after. */
  @Test
  void optionAShortcutSubsamplesAndZeroPadsChannels() {
    float[] x = new float[4 * 4 * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1; // x[0, y, x, c] = 1 + (4y + x) * 2 + c
    }
    try (LayerHarness h = new LayerHarness(new long[] {1, 4, 4, 2}, Initializer.ONES,
        (l, in) -> Map.of("y", ResNet.optionA(l.sub("s"), in, 4, 2)))) {
      assertArrayEquals(new long[] {-1, 2, 2, 4}, h.shape("y"));
      // pixels (0,0), (0,2), (2,0), (2,2): channels [0, c0, c1, 0]
      assertArrayEquals(new float[] {0, 1, 2, 0, 0, 5, 6, 0, 0, 17, 18, 0, 0, 21, 22, 0}, h.run("y", x), 0f);
    }
    // odd sizes round up like x[::2]: 7 -> 4
    try (LayerHarness h = new LayerHarness(new long[] {1, 7, 7, 16}, Initializer.ONES,
        (l, in) -> Map.of("y", ResNet.optionA(l.sub("s"), in, 32, 2)))) {
      assertArrayEquals(new long[] {-1, 4, 4, 32}, h.shape("y"));
      assertEquals(4 * 4 * 32, h.run("y", new float[7 * 7 * 16]).length);
    }
  }

  @Test
  void blockGradientsMatchFiniteDifferences() {
    float[] x = new float[2 * 4 * 4 * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = ((i * 7) % 11) / 11f - 0.3f;
    }
    try (LayerHarness h = new LayerHarness(new long[] {2, 4, 4, 2}, Initializer.HE_NORMAL, (l, in) -> Map.of("s",
        LayerHarness.probe(l.tf(), ResNet.basicBlock(l.sub("b"), in, 4, 2), new long[] {2, 2, 2, 4})))) {
      h.checkGradient("s", x, 1e-2f, 2e-2f);
    }
  }

  /**
   * The same network as the PyTorch twin (bench/resnet20_torch.py, whose benchmark asserts the same
   * count): with the same formula weights and images, the inference logits agree. Recorded with
   * {@code /usr/bin/python3 bench/resnet20_torch.py --crosscheck --size 28 --channels 1} (PyTorch 1.13)
   * and {@code --crosscheck --size 9 --channels 3 --depth 8} (odd sizes: stride-2 padding and x[::2]).
   */
  @Test
  void matchesThePyTorchTwin() {
    float[] resnet20 = {-0.167855f, 0.140254f, 0.393658f, 0.483431f, 0.375682f, 0.126754f, -0.143785f, -0.309597f,
        -0.296914f, -0.118853f, -0.14299f, 0.150109f, 0.383868f, 0.4586f, 0.34749f, 0.108459f, -0.143578f, -0.290986f,
        -0.268651f, -0.094231f};
    assertArrayEquals(resnet20, ClassifierNets.crossCheckLogits(ResNetConfig.resnet20().net(), 28), 2e-5f);
    float[] resnet8 = {-0.134338f, 0.029889f, 0.191318f, 0.284279f, 0.273383f, 0.169421f, 0.02378f, -0.095942f,
        -0.137654f, -0.08889f, -0.162712f, -0.018308f, 0.145966f, 0.263102f, 0.286341f, 0.210419f, 0.073537f,
        -0.060828f, -0.133697f, -0.117952f};
    assertArrayEquals(resnet8, ClassifierNets.crossCheckLogits(ResNetConfig.of(8, 3, 10).net(), 9), 2e-5f);
  }

  @Test
  void rejectsBadConfigsAndSizes() {
    IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> ResNetConfig.of(21, 1, 10));
    assertTrue(d.getMessage().contains("depth must be 6n+2"), d.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ResNetConfig.of(2, 1, 10));
    IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> ResNetConfig.of(20, 1, 1));
    assertTrue(k.getMessage().contains("classes must be >= 2"), k.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ResNetConfig.of(20, 5, 10));
    assertThrows(IllegalArgumentException.class, () -> new ResNetConfig("unet", 20, 16, 10, 1));
    IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
        () -> ResNetConfig.resnet20().net().checkInputSize(3, 28));
    assertTrue(s.getMessage().contains("at least 4x4"), s.getMessage());
  }
}
