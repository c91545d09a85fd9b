package org.unetpipelines.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageArray.Depth;

class GeometryTest {

  static ImageArray range(int h, int w) {
    float[] v = new float[h * w];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    return ImageArray.wrap(h, w, 1, Depth.F32, v);
  }

  @Test
  void quarterTurnsMatchNumpyRot90() {
    ImageArray a = range(2, 3); // [[0,1,2],[3,4,5]]
    ImageArray r1 = Rotation.rotate(ImageStack.of(a), 90, Interpolation.CUBIC).image();
    assertEquals(3, r1.height());
    assertEquals(2, r1.width());
    assertArrayEquals(new float[] {2, 5, 1, 4, 0, 3}, r1.data()); // numpy.rot90(a, 1)
    assertArrayEquals(new float[] {5, 4, 3, 2, 1, 0}, Rotation.rotate(ImageStack.of(a), 180, Interpolation.CUBIC).image().data());
    assertArrayEquals(new float[] {3, 0, 4, 1, 5, 2}, Rotation.rotate(ImageStack.of(a), -90, Interpolation.CUBIC).image().data());
    assertArrayEquals(a.data(), Rotation.rotate(ImageStack.of(a), 720, Interpolation.CUBIC).image().data());
  }

  @Test
  void sampledRotationAgreesWithExactQuarterTurn() {
    ImageArray img = ElasticWarpTest.randomImage(31, 31, 1, Depth.U8, 4);
    ImageArray mask = ElasticWarpTest.labelMask(31, 31, new float[] {0, 255}, 4);
    ImageStack exact = Rotation.rotate(new ImageStack(img, mask, null), 90, Interpolation.CUBIC);
    ImageStack sampled = Rotation.interpolated(new ImageStack(img, mask, null), 90, Interpolation.CUBIC);
    for (int i = 0; i < img.data().length; i++) {
      assertEquals(exact.image().data()[i], sampled.image().data()[i], 0.05);
    }
    assertArrayEquals(exact.mask().data(), sampled.mask().data());
  }

  @Test
  void anyAngleKeepsSizeAndLabels() {
    ImageArray mask = ElasticWarpTest.labelMask(40, 50, new float[] {0, 1, 2}, 1);
    ImageStack out = Rotation.rotate(new ImageStack(ElasticWarpTest.randomImage(40, 50, 1, Depth.U8, 2), mask, null),
        33.3, Interpolation.LINEAR);
    assertEquals(40, out.height());
    assertEquals(50, out.width());
    for (float v : out.mask().data()) {
      assertTrue(v == 0 || v == 1 || v == 2, "label " + v);
    }
    // the centre pixel of an odd-sized image stays put
    ImageArray odd = ElasticWarpTest.randomImage(21, 21, 1, Depth.F32, 2);
    assertEquals(odd.get(10, 10), Rotation.rotate(ImageStack.of(odd), 17, Interpolation.CUBIC).image().get(10, 10), 1e-4);
  }

  @Test
  void flipsAreNumpyFlips() {
    ImageArray a = range(2, 3);
    assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3}, Flips.flip(a, true, false).data());
    assertArrayEquals(new float[] {3, 4, 5, 0, 1, 2}, Flips.flip(a, false, true).data());
    assertArrayEquals(new float[] {5, 4, 3, 2, 1, 0}, Flips.flip(a, true, true).data());
  }

  @Test
  void cropsCenterAndRandom() {
    ImageArray a = range(5, 6);
    Crops.Window c = Crops.Window.centered(5, 6, 3, 3);
    assertEquals(new Crops.Window(1, 1, 3, 3), c);
    assertArrayEquals(new float[] {7, 8, 9, 13, 14, 15, 19, 20, 21}, Crops.crop(a, c).data());
    SplittableRandom r = new SplittableRandom(1);
    boolean[] seenY = new boolean[3];
    for (int i = 0; i < 200; i++) {
      Crops.Window w = Crops.Window.random(5, 6, 3, 3, r);
      assertTrue(w.y() + 3 <= 5 && w.x() + 3 <= 6);
      seenY[w.y()] = true;
    }
    assertTrue(seenY[0] && seenY[1] && seenY[2]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Crops.Window.centered(5, 6, 6, 3));
    assertTrue(e.getMessage().contains("crop 6x3 is larger than the 5x6 image"), e.getMessage());
  }

  @Test
  void tileThenStitchIsIdentity() {
    ImageArray img = ElasticWarpTest.randomImage(50, 37, 2, Depth.F32, 8);
    Tiler tiler = new Tiler(50, 37, 16, 16, 10, 12);
    // starts: y 0,10,20,30 + 34 flush; x 0,12 + 21 flush
    assertEquals(5 * 3, tiler.count());
    assertEquals(new Crops.Window(34, 21, 16, 16), tiler.windows().get(14));
    List<ImageStack> tiles = tiler.tiles(ImageStack.of(img));
    Tiler.Accumulator acc = tiler.accumulator(2);
    for (int i = 0; i < tiles.size(); i++) {
      Crops.Window w = tiler.windows().get(i);
      acc.add(w.y(), w.x(), tiles.get(i).image());
    }
    assertArrayEquals(img.data(), acc.result(Depth.F32).data());
  }

  @Test
  void stitchAveragesOverlaps() {
    Tiler tiler = new Tiler(1, 3, 1, 2, 1, 1);
    Tiler.Accumulator acc = tiler.accumulator(1);
    acc.add(0, 0, ImageArray.wrap(1, 2, 1, Depth.F32, new float[] {1, 2}));
    acc.add(0, 1, ImageArray.wrap(1, 2, 1, Depth.F32, new float[] {4, 6}));
    assertArrayEquals(new float[] {1, 3, 6}, acc.result(Depth.F32).data());
  }

  @Test
  void stitchRejectsUncoveredPixelsAndBadTiles() {
    Tiler tiler = new Tiler(4, 4, 2, 2, 2, 2);
    Tiler.Accumulator acc = tiler.accumulator(1);
    acc.add(0, 0, ImageArray.zeros(2, 2, 1, Depth.F32));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> acc.result(Depth.F32));
    assertTrue(e.getMessage().contains("pixel (0, 2) is covered by no tile"), e.getMessage());
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
        () -> acc.add(3, 3, ImageArray.zeros(2, 2, 1, Depth.F32)));
    assertTrue(e2.getMessage().contains("does not fit in the 4x4 image"), e2.getMessage());
    IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class, () -> new Tiler(4, 4, 5, 2, 1, 1));
    assertTrue(e3.getMessage().contains("tile 5x2 is larger than the 4x4 image"), e3.getMessage());
    IllegalArgumentException e4 = assertThrows(IllegalArgumentException.class, () -> new Tiler(4, 4, 2, 2, 0, 1));
    assertTrue(e4.getMessage().contains("stride must be positive, got 0x1"), e4.getMessage());
  }
}
