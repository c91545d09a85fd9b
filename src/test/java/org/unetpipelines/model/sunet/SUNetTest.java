package org.unetpipelines.model.sunet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.unetpipelines.model.ClassifierNets;
import org.unetpipelines.model.Initializer;
import org.unetpipelines.model.LayerHarness;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.model.sunet.SUNetConfig.Variant;

class SUNetTest {

  private static long[] shape(Graph g, String op) {
    GraphOperation o = g.operation(op);
    assertNotNull(o, "no op " + op);
    return o.output(0).shape().asArray();
  }

  /** MODELS.md 2.2 / 2.5 item 1: counts with the 1000-class head and BN gamma/beta, 224x224x3 input. */
  @Test
  void imagenetParameterCounts() {
    assertEquals(6_910_248, ClassifierNets.parameters(SUNetConfig.imagenet(Variant.SUNET64).net(), 224, 224));
    assertEquals(24_704_360, ClassifierNets.parameters(SUNetConfig.imagenet(Variant.SUNET128).net(), 224, 224));
    assertEquals(39_113_832, ClassifierNets.parameters(SUNetConfig.imagenet(Variant.SUNET7_128).net(), 224, 224));
  }

  /**
   * SUNet-64-u1 / -u2 for 32x32 (the write-up's Figure 4): SUNet-64's stem and residual block, then
   * block 1 (u1) or blocks 1 and 2 with a 1x1 stride-1 transition (u2), BN-ReLU, global pool, dense.
   * Counts by hand (conv k^2*in*out + out, BN 2C, dense in*out + out): u1 = 995,338 and u2 = 1,914,506
   * for 1 channel / 10 classes; 1,001,610 and 1,920,778 for 3 channels.
   */
  @Test
  void smallImageVariantsParameterCounts() {
    assertEquals(995_338, ClassifierNets.parameters(SUNetConfig.of(Variant.U1, 32, 1, 10).net(), 32, 32));
    assertEquals(1_914_506, ClassifierNets.parameters(SUNetConfig.of(Variant.U2, 32, 1, 10).net(), 32, 32));
    assertEquals(1_001_610, ClassifierNets.parameters(SUNetConfig.of(Variant.U1, 32, 3, 10).net(), 32, 32));
    assertEquals(1_920_778, ClassifierNets.parameters(SUNetConfig.of(Variant.U2, 32, 3, 10).net(), 32, 32));
  }

  /** u1 and u2 at 32x32: stem 16x16x64, residual block 8x8x128, modules at 8x8 (E1 4, E2 2), logits [N, 10]. */
  @Test
  void smallImageVariantsShapes() {
    for (Variant v : new Variant[] {Variant.U1, Variant.U2}) {
      SUNet net = SUNetConfig.of(v, 32, 1, 10).net();
      for (ModelGraph.Mode mode : ModelGraph.Mode.values()) {
        try (ClassifierNets.Built b = ClassifierNets.build(net, 32, 32, mode)) {
          String p = mode == ModelGraph.Mode.TRAIN ? "train" : "infer";
          Graph g = b.graph();
          assertArrayEquals(new long[] {-1, 16, 16, 64}, shape(g, p + "/sunet/conv1/Conv2d"));
          assertArrayEquals(new long[] {-1, 8, 8, 128}, shape(g, p + "/sunet/residual1/add/Add"));
          assertArrayEquals(new long[] {-1, 4, 4, 64}, shape(g, p + "/sunet/unet1_0/down0/conv2/BiasAdd"));
          assertArrayEquals(new long[] {-1, 2, 2, 64}, shape(g, p + "/sunet/unet1_1/down1/conv2/BiasAdd"));
          assertArrayEquals(new long[] {-1, 8, 8, 256}, shape(g, p + "/sunet/unet1_1/residual/Add"));
          if (v == Variant.U2) {
            assertArrayEquals(new long[] {-1, 8, 8, 256}, shape(g, p + "/sunet/avgpool1/AvgPool"));
            assertArrayEquals(new long[] {-1, 8, 8, 512}, shape(g, p + "/sunet/unet2_1/residual/Add"));
          } else {
            assertTrue(g.operation(p + "/sunet/unet2_0/residual/Add") == null, "u1 has no block 2");
          }
          assertArrayEquals(new long[] {-1, 10}, b.logits().shape().asArray());
          assertEquals(20, b.run(2).length);
        }
      }
    }
  }

  /** SUNet-64 at 224: blocks at 56, 28, 14, 7; block 4's one-level module gives 7x7 back from a 4x4 E1. */
  @Test
  void imagenetBlockSizesAndForwardPass() {
    SUNet net = SUNetConfig.imagenet(Variant.SUNET64).net();
    try (ClassifierNets.Built b = ClassifierNets.build(net, 224, 224, ModelGraph.Mode.INFER)) {
      Graph g = b.graph();
      assertArrayEquals(new long[] {-1, 112, 112, 64}, shape(g, "infer/sunet/conv1/Conv2d"));
      assertArrayEquals(new long[] {-1, 56, 56, 256}, shape(g, "infer/sunet/unet1_1/residual/Add"));
      assertArrayEquals(new long[] {-1, 28, 28, 512}, shape(g, "infer/sunet/unet2_3/residual/Add"));
      assertArrayEquals(new long[] {-1, 14, 14, 768}, shape(g, "infer/sunet/unet3_3/residual/Add"));
      assertArrayEquals(new long[] {-1, 4, 4, 64}, shape(g, "infer/sunet/unet3_3/down1/conv2/BiasAdd"));
      assertArrayEquals(new long[] {-1, 4, 4, 64}, shape(g, "infer/sunet/unet4_0/down0/conv2/BiasAdd"));
      assertArrayEquals(new long[] {-1, 7, 7, 1024}, shape(g, "infer/sunet/unet4_0/residual/Add"));
      float[] y = b.run(1);
      assertEquals(1000, y.length);
      for (float v : y) {
        assertTrue(Float.isFinite(v));
      }
    }
    assertEquals(224 / 32, net.blockSide(224, 3));
  }

  /**
   * MODELS.md 2.5 item 2: a module on 56x56x128 gives E1 28, E2 14, D2 28 (concat with E1: 2N), D1 56,
   * out 56x56xM, with a 1x1 projection (C != M); and item 3 on odd sizes: the decoder's transposed
   * convolutions give back the encoder's actual 7 and 4.
   */
  @Test
  void moduleShapesFollowTheActualTensors() {
    try (LayerHarness h = new LayerHarness(new long[] {1, 56, 56, 128}, Initializer.HE_NORMAL,
        (l, x) -> Map.of("y", SUNet.module(l.sub("m"), x, 64, 256, 2, 0)))) {
      Graph g = h.graph;
      assertArrayEquals(new long[] {-1, 28, 28, 64}, shape(g, "train/net/m/down0/conv2/BiasAdd"));
      assertArrayEquals(new long[] {-1, 14, 14, 64}, shape(g, "train/net/m/down1/conv2/BiasAdd"));
      assertArrayEquals(new long[] {-1, 28, 28, 64}, shape(g, "train/net/m/up1/deconv1/BiasAdd"));
      assertArrayEquals(new long[] {-1, 28, 28, 128}, shape(g, "train/net/m/cat1/Concat"));
      assertArrayEquals(new long[] {-1, 56, 56, 64}, shape(g, "train/net/m/up0/deconv1/BiasAdd"));
      assertArrayEquals(new long[] {-1, 56, 56, 256}, h.shape("y"));
      assertNotNull(g.operation("train/net/m/upsample/Conv2d"), "C != M: 1x1 projection");
    }
    for (int levels = 1; levels <= 2; levels++) {
      int lv = levels;
      try (LayerHarness h = new LayerHarness(new long[] {2, 7, 7, 32}, Initializer.HE_NORMAL,
          (l, x) -> Map.of("y", SUNet.module(l.sub("m"), x, 8, 32, lv, 0)))) {
        assertArrayEquals(new long[] {-1, 4, 4, 8}, shape(h.graph, "train/net/m/down0/conv2/BiasAdd"));
        assertArrayEquals(new long[] {-1, 7, 7, 8}, shape(h.graph, "train/net/m/up0/deconv1/BiasAdd"));
        assertArrayEquals(new long[] {-1, 7, 7, 32}, h.shape("y"));
        assertTrue(h.graph.operation("train/net/m/upsample/Conv2d") == null, "C == M: identity residual");
        assertEquals(2 * 7 * 7 * 32, h.run("y", new float[2 * 7 * 7 * 32]).length);
      }
    }
  }

  /**
   * Directional finite differences (ReLU kinks make element-wise differences unreliable after batch
   * norm): for a few directions v, (f(x + e v) - f(x - e v)) / 2e against grad . v; both module kinds
   * (projection C != M and identity C == M), one and two levels, plain and dilated.
   */
  @Test
  void moduleGradientsMatchDirectionalFiniteDifferences() {
    int n = 2 * 4 * 4 * 3;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) Math.sin(1.7 * i + 0.3) * 0.8f;
    }
    for (int levels = 1; levels <= 2; levels++) {
      for (int m : new int[] {3, 5}) {
        for (int atrous : new int[] {0, 2}) {
          int lv = levels;
          int mm = m;
          int at = atrous;
          // small (N = 2, 4x4): few ReLU units, so few kinks near x
          try (LayerHarness h = new LayerHarness(new long[] {2, 4, 4, 3}, Initializer.HE_NORMAL, (l, in) -> Map.of("s",
              LayerHarness.probe(l.tf(), SUNet.module(l.sub("m"), in, 2, mm, lv, at), new long[] {2, 4, 4, mm})))) {
            float[] g = h.gradient("s", x);
            int accepted = 0;
            for (int d = 0; d < 20 && accepted < 3; d++) {
              java.util.SplittableRandom r = new java.util.SplittableRandom(d);
              float[] v = new float[n];
              double gv = 0;
              for (int i = 0; i < n; i++) {
                v[i] = (float) r.nextGaussian();
                gv += g[i] * v[i];
              }
              double fd = directional(h, x, v, 3e-4f);
              double half = directional(h, x, v, 1e-4f);
              // A step that crosses a ReLU kink (BN-ReLU before every conv) changes the difference with the step
              // size: such directions say nothing about the gradient and are skipped. A wrong gradient (TF's
              // Conv2D dilation gradient is off by ~14 %) is wrong at every step size.
              if (Math.abs(fd - half) > 0.01 * Math.max(1, Math.abs(fd))) {
                continue;
              }
              accepted++;
              assertEquals(fd, gv, 0.03 * Math.max(1, Math.abs(fd)),
                  "levels " + lv + " M " + mm + " atrous " + at + " direction " + d);
            }
            assertEquals(3, accepted, "levels " + lv + " M " + mm + " atrous " + at + ": directions without kinks");
          }
        }
      }
    }
  }

  /** Central difference (f(x + e v) - f(x - e v)) / 2e of the harness's scalar output. */
  private static double directional(LayerHarness h, float[] x, float[] v, float eps) {
    float[] plus = x.clone();
    float[] minus = x.clone();
    for (int i = 0; i < x.length; i++) {
      plus[i] += eps * v[i];
      minus[i] -= eps * v[i];
    }
    return ((double) h.run("s", plus)[0] - h.run("s", minus)[0]) / (2 * eps);
  }

  /**
   * Output stride 16 dilates block 4 (d = 2, 4) and drops the pool after block 3; 8 also dilates block
   * 3 and drops the pool after block 2. Same parameters (dilation adds none); MODELS.md 2.5 item 5 at a
   * quarter of the size: 128 input, output stride 16 -> 8x8 feature map (os 32: 4x4).
   */
  @Test
  void dilatedModesKeepParametersAndTheResolution() {
    long base = ClassifierNets.parameters(SUNetConfig.of(Variant.SUNET64, 32, 3, 10).net(), 128, 128);
    for (int os : new int[] {16, 8}) {
      SUNet net = SUNetConfig.of(Variant.SUNET64, os, 3, 10).net();
      try (ClassifierNets.Built b = ClassifierNets.build(net, 128, 128, ModelGraph.Mode.TRAIN)) {
        assertEquals(base, b.model().parameterCount("sunet"), "os " + os);
        Graph g = b.graph();
        assertArrayEquals(new long[] {-1, 128 / os, 128 / os, 1024}, shape(g, "train/sunet/unet4_0/residual/Add"));
        assertNotNull(g.operation("train/sunet/unet4_0/down0/conv1/SpaceToBatchNd"), "block 4 dilated");
        assertEquals(os == 8, g.operation("train/sunet/unet3_0/down1/conv2/SpaceToBatchNd") != null,
            "block 3 dilated only at os 8");
        assertArrayEquals(new long[] {-1, 10}, b.logits().shape().asArray());
        assertEquals(10, b.run(1).length);
      }
    }
    SUNetConfig os16 = SUNetConfig.of(Variant.SUNET64, 16, 3, 10);
    assertEquals(2, os16.atrous(3));
    assertEquals(0, os16.atrous(2));
    assertTrue(os16.poolsAfter(1) && !os16.poolsAfter(2));
  }

  /**
   * The same networks as the PyTorch twin (bench/sunet_torch.py, written from MODELS.md 2: ConvTranspose2d
   * with {@code output_size} = the encoder tensor's): with the same formula weights and images the
   * inference logits agree. Recorded with {@code /usr/bin/python3 bench/sunet_torch.py --crosscheck} and
   * {@code --variant u1 --size 32}, {@code --variant u2 --size 30 --channels 3} (15 -> 8 -> 4 -> 2 maps),
   * {@code --variant sunet64 --size 61 --channels 3 --classes 1000} (odd sizes at every level; logits
   * 0-4, 500-504, 995-999 of both images).
   */
  @Test
  void matchesThePyTorchTwin() {
    float[] u1 = {-0.006095f, -0.027643f, -0.024932f, 0.011018f, 0.071629f, 0.134062f, 0.171447f, 0.1653f,
        0.114297f, 0.035273f, -0.004453f, -0.026266f, -0.024466f, 0.010353f, 0.070146f, 0.132459f, 0.170477f,
        0.16542f, 0.11545f, 0.036917f};
    assertArrayEquals(u1, ClassifierNets.crossCheckLogits(SUNetConfig.of(Variant.U1, 32, 1, 10).net(), 32), 2e-5f);
    float[] u2 = {-0.037308f, 0.273031f, 0.466219f, 0.461649f, 0.269802f, -0.013427f, -0.252338f, -0.335468f,
        -0.227935f, 0.012534f, -0.038305f, 0.272121f, 0.465823f, 0.461954f, 0.270664f, -0.012413f, -0.251649f,
        -0.335428f, -0.228563f, 0.011534f};
    assertArrayEquals(u2, ClassifierNets.crossCheckLogits(SUNetConfig.of(Variant.U2, 32, 3, 10).net(), 30), 2e-5f);
    float[] sunet64 = {-0.002031f, 0.026903f, 0.054443f, 0.077889f, 0.094547f, -0.06928f, -0.046886f, -0.020587f,
        0.007958f, 0.036698f, -0.004709f, -0.035749f, -0.062994f, -0.083629f, -0.095893f, -0.002029f, 0.026905f,
        0.054444f, 0.077889f, 0.094546f, -0.069281f, -0.046886f, -0.020585f, 0.00796f, 0.0367f, -0.004708f,
        -0.035748f, -0.062992f, -0.083627f, -0.095893f};
    float[] all = ClassifierNets.crossCheckLogits(SUNetConfig.imagenet(Variant.SUNET64).net(), 61);
    int[] at = {0, 1, 2, 3, 4, 500, 501, 502, 503, 504, 995, 996, 997, 998, 999};
    float[] picked = new float[2 * at.length];
    for (int img = 0; img < 2; img++) {
      for (int i = 0; i < at.length; i++) {
        picked[img * at.length + i] = all[img * 1000 + at[i]];
      }
    }
    assertArrayEquals(sunet64, picked, 2e-5f);
  }

  /** The write-up's finding: SUNet-64 cannot take 32x32 images (its maps shrink to 1x1); u1 / u2 can. */
  @Test
  void rejectsInputsTooSmallAndBadConfigs() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SUNetConfig.imagenet(Variant.SUNET64).net().checkInputSize(32, 32));
    assertTrue(e.getMessage().contains("at least 61x61") && e.getMessage().contains("use variant u1 or u2"),
        e.getMessage());
    SUNetConfig.imagenet(Variant.SUNET64).net().checkInputSize(61, 224);
    SUNetConfig.of(Variant.U2, 32, 1, 10).net().checkInputSize(32, 28);
    assertThrows(IllegalArgumentException.class, () -> SUNetConfig.of(Variant.U1, 32, 1, 10).net().checkInputSize(8, 8));
    IllegalArgumentException os = assertThrows(IllegalArgumentException.class, () -> SUNetConfig.of(Variant.U1, 16, 1, 10));
    assertTrue(os.getMessage().contains("sunet64, sunet128 and sunet7_128 only, not u1"), os.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SUNetConfig.of(Variant.SUNET64, 4, 3, 10));
    assertThrows(IllegalArgumentException.class, () -> SUNetConfig.of(Variant.U2, 32, 1, 1));
  }
}
