package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;

class TiledInferenceTest {

  static float[][] kernel(int size, long seed) {
    Random r = new Random(seed);
    float[][] k = new float[size][size];
    for (float[] row : k) {
      for (int i = 0; i < size; i++) {
        row[i] = (float) r.nextGaussian();
      }
    }
    return k;
  }

  static ImageArray randomImage(int h, int w, long seed) {
    Random r = new Random(seed);
    float[] d = new float[h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextInt(256);
    }
    return ImageArray.wrap(h, w, 1, ImageArray.Depth.U8, d);
  }

  @Test
  void overlapTileEqualsWholeImagePrediction() {
    float[][] k = kernel(5, 1);
    for (int[] size : new int[][] {{37, 23}, {7, 5}, {12, 12}, {50, 13}}) {
      ImageArray image = randomImage(size[0], size[1], size[0] * 100L + size[1]);
      ProbabilityMap tiled = TiledInference.overlapTile(new FilterPredictor(k, 16, 16)).withBatch(3).predict(image);
      ProbabilityMap whole = TiledInference.overlapTile(
          new FilterPredictor(k, size[0] + 4, size[1] + 4)).predict(image);
      assertEquals(size[0], tiled.height());
      assertEquals(size[1], tiled.width());
      assertArrayEquals(whole.data(), tiled.data(), "size " + size[0] + "x" + size[1]);
    }
  }

  @Test
  void overlapTileReadsMirroredContextAtTheBorder() {
    // Independent check of one border pixel: the 5x5 window around (0, 0) reads rows/cols -2..2,
    // i.e. mirrored indices 2 1 0 1 2.
    float[][] k = kernel(5, 2);
    ImageArray image = randomImage(9, 9, 3);
    ProbabilityMap out = TiledInference.overlapTile(new FilterPredictor(k, 8, 8)).predict(image);
    int[] idx = {2, 1, 0, 1, 2};
    double expect = 0;
    for (int ky = 0; ky < 5; ky++) {
      for (int kx = 0; kx < 5; kx++) {
        expect += k[ky][kx] * image.get(idx[ky], idx[kx]) / 255.0;
      }
    }
    assertEquals(expect, out.data()[0], 1e-4);
  }

  /** Same-size predictor whose output tile is the tile's top-left input value everywhere. */
  private static final class TopLeftPredictor implements Predictor {
    @Override public int inputHeight() { return 8; }
    @Override public int inputWidth() { return 8; }
    @Override public int inputChannels() { return 1; }
    @Override public int outputHeight() { return 8; }
    @Override public int outputWidth() { return 8; }
    @Override public int classes() { return 1; }

    @Override
    public float[][] predict(float[][] tiles) {
      float[][] out = new float[tiles.length][64];
      for (int t = 0; t < tiles.length; t++) {
        java.util.Arrays.fill(out[t], tiles[t][0]);
      }
      return out;
    }
  }

  @Test
  void slidingWindowAveragesOverlappingTiles() {
    float[] d = new float[8 * 12];
    d[0] = 0.2f;
    d[4] = 0.6f;
    ImageArray image = ImageArray.wrap(8, 12, 1, ImageArray.Depth.F32, d);
    ProbabilityMap out = TiledInference.slidingWindow(new TopLeftPredictor(), 0.5).predict(image);
    // Tiles at x = 0 (value 0.2) and x = 4 (value 0.6); columns 4..7 are covered by both.
    assertEquals(0.2f, out.data()[3 * 12 + 1], 1e-7);
    assertEquals(0.4f, out.data()[3 * 12 + 5], 1e-7);
    assertEquals(0.6f, out.data()[3 * 12 + 9], 1e-7);
  }

  @Test
  void slidingWindowOfATranslationEquivariantNetMatchesWholeImage() {
    float[][] k = kernel(3, 4);
    ImageArray image = randomImage(30, 41, 5);
    ProbabilityMap slid = TiledInference.slidingWindow(new FilterPredictor(k, 14, 14), 0.5).predict(image);
    ProbabilityMap whole = TiledInference.overlapTile(new FilterPredictor(k, 32, 43)).predict(image);
    for (int i = 0; i < whole.data().length; i++) {
      assertEquals(whole.data()[i], slid.data()[i], 1e-5, "pixel " + i);
    }
  }

  @Test
  void rejectsBadSettings() {
    FilterPredictor p = new FilterPredictor(kernel(3, 1), 10, 10);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TiledInference.slidingWindow(p, 1.0));
    assertTrue(e.getMessage().contains("overlap must be in [0, 1), got 1.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TiledInference.overlapTile(p).withBatch(0));
    assertTrue(e.getMessage().contains("batch must be >= 1, got 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TiledInference.overlapTile(new FilterPredictor(kernel(2, 1), 10, 10)));
    assertTrue(e.getMessage().contains("must exceed its output tile 9x9 by an even margin"), e.getMessage());
    ImageArray rgb = ImageArray.zeros(4, 4, 3, ImageArray.Depth.U8);
    e = assertThrows(IllegalArgumentException.class, () -> TiledInference.overlapTile(p).predict(rgb));
    assertTrue(e.getMessage().contains("image has 3 channels but the model reads 1"), e.getMessage());
  }
}
