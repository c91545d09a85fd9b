package org.unetpipelines.model.redo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Initializer;
import org.unetpipelines.model.ModelGraph;

/** The four ReDo networks: parameter counts against MODELS.md section 3, shapes at 64 and 128, masked generators. */
class RedoNetworksTest {

  private static Placeholder<TFloat32> input(Ops tf, String name, long... dims) {
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
  }

  /** Builds F, G_1..G_K, D and delta at {@code size} into one graph; returns the graph's ModelGraph and output shapes. */
  private static ModelGraph build(Graph g, RedoConfig c, int size, Map<String, long[]> shapes) {
    ModelGraph m = ModelGraph.create(g, Initializer.ORTHOGONAL, 1);
    Ops tf = m.ops();
    Operand<TFloat32> image = input(tf, "image", -1, size, size, c.channels());
    ModelGraph.Pass f = m.apply(new MaskNetwork(c, size), ModelGraph.Mode.TRAIN, "f", Map.of(MaskNetwork.IMAGE, image));
    shapes.put("F", f.output(MaskNetwork.MASKS).shape().asArray());
    Operand<TFloat32> mask = input(tf, "mask", -1, size, size, 1);
    Operand<TFloat32> z = input(tf, "z", -1, c.nz());
    for (int k = 0; k < c.regions(); k++) {
      ModelGraph.Pass gk = m.apply(new RegionGenerator(c, size, k), ModelGraph.Mode.TRAIN, "g" + k,
          Map.of(RegionGenerator.MASK, mask, RegionGenerator.Z, z));
      shapes.put("G" + (k + 1), gk.output(RegionGenerator.REGION).shape().asArray());
    }
    shapes.put("D", m.apply(ResidualEncoder.discriminator(c, size), ModelGraph.Mode.TRAIN, "d",
        Map.of(ResidualEncoder.IMAGE, image)).output(ResidualEncoder.OUTPUT).shape().asArray());
    shapes.put("delta", m.apply(ResidualEncoder.zEncoder(c, size), ModelGraph.Mode.TRAIN, "delta",
        Map.of(ResidualEncoder.IMAGE, image)).output(ResidualEncoder.OUTPUT).shape().asArray());
    return m;
  }

  @Test
  void parameterCountsAt128MatchTheOriginalCode() {
    // MODELS.md 3.7: F 274,966; G (nf 32, SA) 7,956,895 per region; D (nf 64, SA) 38,424,258; delta 38,483,712
    RedoConfig c = RedoConfig.defaults();
    try (Graph g = new Graph()) {
      Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
      ModelGraph m = build(g, c, 128, shapes);
      assertEquals(274_966, m.parameterCount("F"));
      assertEquals(7_956_895, m.parameterCount("G1"));
      assertEquals(7_956_895, m.parameterCount("G2"));
      assertEquals(38_424_258, m.parameterCount("D"));
      assertEquals(38_483_712, m.parameterCount("delta"));
      assertArrayEquals(new long[] {-1, 128, 128, 2}, shapes.get("F"));
      assertArrayEquals(new long[] {-1, 128, 128, 3}, shapes.get("G1"));
      assertArrayEquals(new long[] {-1, 1}, shapes.get("D"));
      assertArrayEquals(new long[] {-1, 64}, shapes.get("delta"));
    }
    // both regions at nf = 64: 61,867,582
    try (Graph g = new Graph()) {
      ModelGraph m = build(g, c.withFilters(64, 64, 8, 8), 128, new java.util.HashMap<>());
      assertEquals(61_867_582, m.parameterCount("G1") + m.parameterCount("G2"));
    }
  }

  @Test
  void shapesAt64And128AndOneBlockFewerAt64() {
    RedoConfig c = RedoConfig.defaults().withFilters(8, 4, 4, 4);
    java.util.List<Long> fCounts = new java.util.ArrayList<>();
    for (int size : new int[] {64, 128}) {
      try (Graph g = new Graph()) {
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        ModelGraph m = build(g, c, size, shapes);
        assertArrayEquals(new long[] {-1, size, size, 2}, shapes.get("F"), "F at " + size);
        assertArrayEquals(new long[] {-1, size, size, 3}, shapes.get("G1"), "G at " + size);
        assertArrayEquals(new long[] {-1, size, size, 3}, shapes.get("G2"), "G at " + size);
        assertArrayEquals(new long[] {-1, 1}, shapes.get("D"), "D at " + size);
        assertArrayEquals(new long[] {-1, 2 * 32}, shapes.get("delta"), "delta at " + size);
        // the 4x4 bottom of D: width 16nf at 128, 8nf at 64 (one down block fewer)
        long w = (size == 128 ? 16 : 8) * 4;
        assertEquals(3 * 3 * w * w, m.variableSizes().get("D/last/conv1/kernel"), "D's last block at " + size);
        assertEquals(w, m.variableSizes().get("D/last/conv1/sn/u"), "one power-iteration vector per SN conv");
        long g0 = 16 * 4; // G's dense: 4x4x16nf at both sizes (64 drops the 16nf -> 16nf block)
        assertEquals(4 * 4 * g0 * (32 + 1), m.variableSizes().get("G1/dense/kernel") + m.variableSizes().get("G1/dense/bias"));
        fCounts.add(m.parameterCount("F"));
      }
    }
    assertEquals(fCounts.get(0), fCounts.get(1), "F: the same layers at 64 and 128");
    assertEquals(5, new RegionGenerator(c, 128, 0).blocks());
    assertEquals(4, new RegionGenerator(c, 64, 0).blocks());
    assertEquals(4, ResidualEncoder.discriminator(c, 128).downBlocks());
    assertEquals(3, ResidualEncoder.discriminator(c, 64).downBlocks());
    assertEquals(2, new MaskNetwork(c, 128).resolutionSteps());
    assertEquals(1, new MaskNetwork(c, 64).resolutionSteps());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MaskNetwork(c, 96));
    assertTrue(e.getMessage().contains("128") && e.getMessage().contains("96"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RegionGenerator(c, 64, 2));
  }

  @Test
  void masksSumToOneAndAGeneratorIsExactlyZeroWhereItsMaskIsZero() {
    int s = 16;
    RedoConfig c = RedoConfig.defaults().withFilters(8, 4, 4, 4).withNz(4);
    try (Graph g = new Graph()) {
      ModelGraph m = ModelGraph.create(g, Initializer.ORTHOGONAL, 3);
      Ops tf = m.ops();
      Placeholder<TFloat32> image = input(tf, "image", -1, s, s, 3);
      Placeholder<TFloat32> mask = input(tf, "mask", -1, s, s, 1);
      Placeholder<TFloat32> z = input(tf, "z", -1, 4);
      Operand<TFloat32> masks = m.apply(new MaskNetwork(c, s), ModelGraph.Mode.TRAIN, "f",
          Map.of(MaskNetwork.IMAGE, image)).output(MaskNetwork.MASKS);
      Operand<TFloat32> region = m.apply(new RegionGenerator(c, s, 0), ModelGraph.Mode.TRAIN, "g",
          Map.of(RegionGenerator.MASK, mask, RegionGenerator.Z, z)).output(RegionGenerator.REGION);
      SplittableRandom r = new SplittableRandom(5);
      float[] img = new float[2 * s * s * 3];
      for (int i = 0; i < img.length; i++) {
        img[i] = (float) (2 * r.nextDouble() - 1);
      }
      float[] mk = new float[2 * s * s];
      for (int i = 0; i < mk.length; i++) {
        int y = (i / s) % s;
        mk[i] = y < 5 ? 0f : (float) r.nextDouble(); // rows 0..4 outside the region
      }
      float[] zv = new float[2 * 4];
      for (int i = 0; i < zv.length; i++) {
        zv[i] = (float) r.nextGaussian();
      }
      try (Session session = new Session(g)) {
        session.initialize();
        try (TFloat32 ti = TFloat32.tensorOf(Shape.of(2, s, s, 3), DataBuffers.of(img));
            TFloat32 tm = TFloat32.tensorOf(Shape.of(2, s, s, 1), DataBuffers.of(mk));
            TFloat32 tz = TFloat32.tensorOf(Shape.of(2, 4), DataBuffers.of(zv));
            Result res = session.runner().feed(image, ti).feed(mask, tm).feed(z, tz).fetch(masks).fetch(region).run()) {
          float[] mo = new float[2 * s * s * 2];
          ((TFloat32) res.get(0)).copyTo(DataBuffers.of(mo, false, false));
          for (int p = 0; p < 2 * s * s; p++) {
            assertTrue(mo[2 * p] > 0 && mo[2 * p] < 1, "mask in (0, 1)");
            assertEquals(1f, mo[2 * p] + mo[2 * p + 1], 1e-6f, "masks sum to 1");
          }
          float[] out = new float[2 * s * s * 3];
          ((TFloat32) res.get(1)).copyTo(DataBuffers.of(out, false, false));
          int nonZero = 0;
          for (int p = 0; p < 2 * s * s; p++) {
            for (int ch = 0; ch < 3; ch++) {
              float v = out[3 * p + ch];
              if (mk[p] == 0f) {
                assertEquals(0f, v, 0f, "zero where the mask is zero, pixel " + p);
              } else {
                assertTrue(Math.abs(v) <= mk[p] + 1e-6, "|tanh| * m <= m");
                nonZero += v != 0f ? 1 : 0;
              }
            }
          }
          assertTrue(nonZero > 2 * s * 11 * 3 / 2, "drawn inside the mask: " + nonZero);
        }
      }
    }
  }
}
