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
}
