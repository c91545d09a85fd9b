package org.unetpipelines.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageGridTest {
  @Test
  void cellsSitBetweenWhiteGapsGreyOnAllChannels() {
    ImageArray grey = ImageArray.wrap(2, 2, 1, ImageArray.Depth.F32, new float[] {0, 0.5f, 1, 2});
    ImageArray rgb = ImageArray.wrap(2, 2, 3, ImageArray.Depth.F32,
        new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1, -1, 0.2f, 0.4f});
    ImageArray g = ImageGrid.render(List.of(List.of(grey, rgb), List.of(rgb)));
    int gap = ImageGrid.GAP;
    assertEquals(2 * (2 + gap) + gap, g.height());
    assertEquals(2 * (2 + gap) + gap, g.width());
    assertEquals(3, g.channels());
    assertEquals(ImageArray.Depth.U8, g.depth());
    assertEquals(255f, g.get(0, 0, 0), "frame");
    for (int c = 0; c < 3; c++) {
      assertEquals(0f, g.get(gap, gap, c));
      assertEquals(128f, g.get(gap, gap + 1, c), "0.5 -> round(127.5)");
      assertEquals(255f, g.get(gap + 1, gap + 1, c), "clamped to 1");
    }
    int x0 = gap + 2 + gap;
    assertEquals(255f, g.get(gap, x0, 0));
    assertEquals(0f, g.get(gap, x0, 1));
    assertEquals(0f, g.get(gap + 1, x0 + 1, 0), "clamped to 0");
    assertEquals(51f, g.get(gap + 1, x0 + 1, 1));
    assertEquals(102f, g.get(gap + 1, x0 + 1, 2));
    assertEquals(255f, g.get(gap + 2 + gap, x0, 0), "the short second row leaves its end white");
  }

  @Test
  void rejectsEmptyGridsMixedSizesAndTwoChannels() {
    ImageArray a = ImageArray.zeros(2, 2, 1, ImageArray.Depth.F32);
    assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(List.of()));
    assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(List.of(List.of())));
    assertThrows(IllegalArgumentException.class,
        () -> ImageGrid.render(List.of(List.of(a, ImageArray.zeros(3, 2, 1, ImageArray.Depth.F32)))));
    assertThrows(IllegalArgumentException.class,
        () -> ImageGrid.render(List.of(List.of(ImageArray.zeros(2, 2, 2, ImageArray.Depth.F32)))));
  }
}
