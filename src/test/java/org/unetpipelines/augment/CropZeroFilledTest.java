package org.unetpipelines.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;

class CropZeroFilledTest {
  // 3x3, 2 channels: (y, x, c) -> 10 (3y + x) + c + 1
  private static ImageArray img() {
    float[] d = new float[18];
    for (int p = 0; p < 9; p++) {
      d[2 * p] = 10 * p + 1;
      d[2 * p + 1] = 10 * p + 2;
    }
    return ImageArray.wrap(3, 3, 2, ImageArray.Depth.U8, d);
  }

  @Test
  void windowsOutsideTheImageAreZero() {
    ImageArray out = Crops.cropZeroFilled(img(), -1, 1, 3, 3);
    assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 11, 12, 21, 22, 0, 0, 41, 42, 51, 52, 0, 0}, out.data(), 0f);
    assertEquals(ImageArray.Depth.U8, out.depth());
    assertArrayEquals(img().data(), Crops.cropZeroFilled(img(), 0, 0, 3, 3).data(), 0f, "inside: a plain crop");
    assertArrayEquals(new float[8], Crops.cropZeroFilled(img(), 5, -7, 2, 2).data(), 0f, "entirely outside");
    float[] padded = Crops.cropZeroFilled(img(), -1, -1, 5, 5).data();
    assertEquals(0f, padded[0]);
    assertEquals(1f, padded[(1 * 5 + 1) * 2]);
    assertEquals(82f, padded[(3 * 5 + 3) * 2 + 1]);
    assertThrows(IllegalArgumentException.class, () -> Crops.cropZeroFilled(img(), 0, 0, 0, 3));
  }
}
