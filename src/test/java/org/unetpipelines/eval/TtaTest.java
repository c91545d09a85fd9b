package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.augment.Boundary;
import org.unetpipelines.image.ImageArray;

class TtaTest {
  @TempDir Path tmp;

  /** 3x3 kernel reading only the left neighbour of the output pixel's centre. */
  private static final float[][] LEFT = {{0, 0, 0}, {1, 0, 0}, {0, 0, 0}};

  @Test
  void transformsAreTheGroupAndInvertExactly() {
    assertEquals(1, Tta.NONE.transforms().size());
    assertEquals(4, Tta.FLIPS.transforms().size());
    assertEquals(8, Tta.DIHEDRAL.transforms().size());
    ImageArray img = TiledInferenceTest.randomImage(5, 7, 1);
    for (Tta tta : Tta.values()) {
      Set<String> distinct = new HashSet<>();
      for (Tta.Transform t : tta.transforms()) {
        ImageArray a = t.apply(img);
        distinct.add(a.height() + "x" + a.width() + java.util.Arrays.toString(a.data()));
        assertArrayEquals(img.data(), t.invert(a).data(), tta + " " + t);
        assertEquals(5, t.invert(a).height());
      }
      assertEquals(tta.transforms().size(), distinct.size(), tta + ": the transforms must differ");
    }
    // left-right flip then a quarter turn, as numpy.rot90(numpy.fliplr(x), 1): 1x2 [a b] -> fliplr [b a] -> rot90 [[a], [b]]
    ImageArray ab = ImageArray.wrap(1, 2, 1, ImageArray.Depth.F32, new float[] {1, 2});
    ImageArray r = new Tta.Transform(1, true).apply(ab);
    assertEquals(2, r.height());
    assertArrayEquals(new float[] {1, 2}, r.data());
  }

  /** Mirror-padded (margin 1) normalised image value at (y, x), which may lie outside by one pixel. */
  private static double at(ImageArray img, float[] norm, int y, int x) {
    return norm[Boundary.REFLECT.fold(y, img.height()) * img.width() + Boundary.REFLECT.fold(x, img.width())];
  }

  @Test
  void averagesTheInverseTransformedPredictions() {
    // The model outputs each pixel's left neighbour. Transformed back, the 8 symmetries turn "left"
    // into left, up, right and down twice each: dihedral TTA gives the mean of the 4 neighbours;
    // the flips (identity, left-right, up-down, both) give the mean of left and right.
    ImageArray img = TiledInferenceTest.randomImage(11, 9, 3);
    float[] n = img.normalized();
    FilterPredictor left = new FilterPredictor(LEFT, 7, 6);
    ProbabilityMap none = TiledInference.overlapTile(left).predict(img);
    ProbabilityMap dihedral = TiledInference.overlapTile(left).withTta(Tta.DIHEDRAL).predict(img);
    ProbabilityMap flips = TiledInference.overlapTile(left).withTta(Tta.FLIPS).withBatch(2).predict(img);
    for (int y = 0; y < 11; y++) {
      for (int x = 0; x < 9; x++) {
        int i = y * 9 + x;
        assertEquals(at(img, n, y, x - 1), none.data()[i], 1e-6, "none " + y + "," + x);
        double four = (at(img, n, y, x - 1) + at(img, n, y, x + 1) + at(img, n, y - 1, x) + at(img, n, y + 1, x)) / 4;
        assertEquals(four, dihedral.data()[i], 1e-6, "dihedral " + y + "," + x);
        double two = (at(img, n, y, x - 1) + at(img, n, y, x + 1)) / 2;
        assertEquals(two, flips.data()[i], 1e-6, "flips " + y + "," + x);
      }
    }
  }

  @Test
  void anEquivariantModelGivesTheSameMapAndDihedralRunsEightTimes() {
    float[][] symmetric = {{0.05f, 0.1f, 0.05f}, {0.1f, 0.4f, 0.1f}, {0.05f, 0.1f, 0.05f}};
    AtomicInteger tiles = new AtomicInteger();
    FilterPredictor f = new FilterPredictor(symmetric, 10, 10);
    Predictor counting = new Predictor() {
      @Override public int inputHeight() { return 10; }
      @Override public int inputWidth() { return 10; }
      @Override public int inputChannels() { return 1; }
      @Override public int outputHeight() { return 8; }
      @Override public int outputWidth() { return 8; }
      @Override public int classes() { return 1; }

      @Override
      public float[][] predict(float[][] t) {
        tiles.addAndGet(t.length);
        return f.predict(t);
      }
    };
    ImageArray img = TiledInferenceTest.randomImage(20, 20, 5);
    ProbabilityMap plain = TiledInference.overlapTile(counting).predict(img);
    int once = tiles.getAndSet(0);
    ProbabilityMap tta = TiledInference.overlapTile(counting).withTta(Tta.DIHEDRAL).predict(img);
    assertEquals(8 * once, tiles.get());
    for (int i = 0; i < plain.data().length; i++) {
      assertEquals(plain.data()[i], tta.data()[i], 1e-6, "pixel " + i);
    }
    // a model that is not equivariant does change
    ProbabilityMap leftTta = TiledInference.overlapTile(new FilterPredictor(LEFT, 10, 10)).withTta(Tta.DIHEDRAL).predict(img);
    ProbabilityMap leftPlain = TiledInference.overlapTile(new FilterPredictor(LEFT, 10, 10)).predict(img);
    assertNotEquals(leftPlain.data()[45], leftTta.data()[45]);
  }

  @Test
  void probabilitiesStayInTheUnitIntervalWithARealModel() throws Exception {
    ModelSpec spec = TinySavedModel.export(tmp.resolve("model"));
    ImageArray img = TiledInferenceTest.randomImage(17, 23, 7);
    try (TfPredictor p = TfPredictor.load(spec)) {
      for (Tta tta : List.of(Tta.FLIPS, Tta.DIHEDRAL)) {
        for (InferenceMode mode : List.of(InferenceMode.OVERLAP_TILE, InferenceMode.SLIDING_WINDOW)) {
          ProbabilityMap m = mode.tiler(p, 0.5, 4).withTta(tta).predict(img);
          assertEquals(17, m.height());
          assertEquals(23, m.width());
          for (float v : m.data()) {
            assertTrue(v >= 0 && v <= 1, tta + " " + mode + ": " + v);
          }
        }
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TiledInference.overlapTile(new FilterPredictor(LEFT, 7, 6)).withTta(null));
    assertTrue(e.getMessage().contains("tta must be given (none, flips or dihedral)"), e.getMessage());
  }
}
