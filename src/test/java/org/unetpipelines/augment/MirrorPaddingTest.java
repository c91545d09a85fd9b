package org.unetpipelines.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageArray.Depth;

class MirrorPaddingTest {

  static ImageArray img(int h, int w, float... v) {
    return ImageArray.wrap(h, w, 1, Depth.F32, v);
  }

  @Test
  void reflectRowWithPadLargerThanImage() {
    // numpy.pad([1, 2, 3], 4, 'reflect')
    ImageArray out = MirrorPadding.pad(img(1, 3, 1, 2, 3), 0, 0, 4, 4, Boundary.REFLECT);
    assertArrayEquals(new float[] {1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3}, out.data());
  }

  @Test
  void symmetricRowWithPadLargerThanImage() {
    // numpy.pad([1, 2, 3], 4, 'symmetric')
    ImageArray out = MirrorPadding.pad(img(1, 3, 1, 2, 3), 0, 0, 4, 4, Boundary.SYMMETRIC);
    assertArrayEquals(new float[] {3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1}, out.data());
  }

  @Test
  void twoDimensionalUnevenPads() {
    ImageArray a = img(2, 2, 1, 2, 3, 4);
    // numpy.pad(a, ((3, 1), (0, 2)), 'reflect')
    assertArrayEquals(new float[] {3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2},
        MirrorPadding.pad(a, 3, 1, 0, 2, Boundary.REFLECT).data());
    // numpy.pad(a, ((3, 1), (0, 2)), 'symmetric')
    assertArrayEquals(new float[] {3, 4, 4, 3, 3, 4, 4, 3, 1, 2, 2, 1, 1, 2, 2, 1, 3, 4, 4, 3, 3, 4, 4, 3},
        MirrorPadding.pad(a, 3, 1, 0, 2, Boundary.SYMMETRIC).data());
    ImageArray p = MirrorPadding.pad(a, 3, 1, 0, 2, Boundary.REFLECT);
    assertEquals(6, p.height());
    assertEquals(4, p.width());
  }

  @Test
  void multiChannelPixelsMoveTogether() {
    ImageArray rgb = ImageArray.wrap(1, 2, 3, Depth.U8, new float[] {1, 2, 3, 4, 5, 6});
    ImageArray out = MirrorPadding.pad(rgb, 0, 0, 1, 0, Boundary.REFLECT);
    assertArrayEquals(new float[] {4, 5, 6, 1, 2, 3, 4, 5, 6}, out.data());
    assertEquals(Depth.U8, out.depth());
  }

  @Test
  void onePixelAxisReflectsToItself() {
    assertArrayEquals(new float[] {7, 7, 7, 7}, MirrorPadding.pad(img(1, 1, 7), 0, 0, 2, 1, Boundary.REFLECT).data());
    assertEquals(0, Boundary.REFLECT.fold(-5, 1));
  }

  @Test
  void rejectsNegativePads() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MirrorPadding.pad(img(1, 1, 0), 0, -1, 0, 0, Boundary.REFLECT));
    assertTrue(e.getMessage().contains("bottom=-1"), e.getMessage());
  }
}
