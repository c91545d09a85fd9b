package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;

class OverlaysTest {
  @Test
  void coloursTruePositivesFalsePositivesAndFalseNegatives() {
    ImageArray img = ImageArray.wrap(1, 4, 1, ImageArray.Depth.U8, new float[] {100, 100, 100, 100});
    float[] p = {0.9f, 0.9f, 0.1f, 0.1f};
    boolean[] truth = {true, false, true, false};
    ImageArray o = Overlays.overlay(img, p, truth, 0.5);
    assertEquals(3, o.channels());
    // TN keeps the gray; FP is 0.2 * gray + 0.8 * red; FN 0.2 * gray + 0.8 * blue; TP 0.75 gray + 0.25 green.
    assertEquals(100f, o.get(0, 3, 0), 1e-4);
    assertEquals(0.2f * 100 + 0.8f * 255, o.get(0, 1, 0), 1e-3);
    assertEquals(0.2f * 100 + 0.8f * 30, o.get(0, 1, 2), 1e-3);
    assertEquals(0.2f * 100 + 0.8f * 255, o.get(0, 2, 2), 1e-3);
    assertEquals(0.75f * 100 + 0.25f * 200, o.get(0, 0, 1), 1e-3);
  }

  @Test
  void probabilityImagesAndSafeNames() {
    ImageArray p = Overlays.probabilityImage(1, 3, new float[] {0f, 0.5f, 1.2f}, ImageArray.Depth.U16);
    assertEquals(0.5f * 65535, p.get(0, 1), 1e-3);
    assertEquals(65535f, p.get(0, 2), 0);
    assertEquals("train_images_slice00.png_0001", Overlays.safeName("train/images/slice00.png#0001"));
    assertEquals("train_slice00", Overlays.stem("train/slice00.png"));
    assertEquals("stack_0003", Overlays.stem("stack.TIF#0003"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Overlays.probabilityImage(1, 1, new float[1], ImageArray.Depth.F32));
    assertTrue(e.getMessage().contains("probability images are 8- or 16-bit, got F32"), e.getMessage());
  }
}
