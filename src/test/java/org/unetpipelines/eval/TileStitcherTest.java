package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageArray.Depth;
import org.unetpipelines.image.TileGrid;

class TileStitcherTest {
  @Test
  void cuttingAlongTheGridThenStitchingIsIdentity() {
    java.util.Random r = new java.util.Random(8);
    float[] d = new float[50 * 37 * 2];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextFloat();
    }
    ImageArray img = ImageArray.wrap(50, 37, 2, Depth.F32, d);
    TileGrid grid = new TileGrid(50, 37, 16, 16, 10, 12);
    TileStitcher acc = new TileStitcher(50, 37, 2);
    for (TileGrid.Origin o : grid.origins()) {
      acc.add(o.y(), o.x(), Crops.crop(img, new Crops.Window(o.y(), o.x(), 16, 16)));
    }
    assertArrayEquals(img.data(), acc.result(Depth.F32).data());
  }

  @Test
  void averagesOverlaps() {
    TileStitcher acc = new TileStitcher(1, 3, 1);
    acc.add(0, 0, ImageArray.wrap(1, 2, 1, Depth.F32, new float[] {1, 2}));
    acc.add(0, 1, ImageArray.wrap(1, 2, 1, Depth.F32, new float[] {4, 6}));
    assertArrayEquals(new float[] {1, 3, 6}, acc.result(Depth.F32).data());
  }

  @Test
  void rejectsUncoveredPixelsAndBadTiles() {
    TileStitcher acc = new TileStitcher(4, 4, 1);
    acc.add(0, 0, ImageArray.zeros(2, 2, 1, Depth.F32));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> acc.result(Depth.F32));
    assertTrue(e.getMessage().contains("pixel (0, 2) is covered by no tile"), e.getMessage());
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
        () -> acc.add(3, 3, ImageArray.zeros(2, 2, 1, Depth.F32)));
    assertTrue(e2.getMessage().contains("does not fit in the 4x4 image"), e2.getMessage());
    IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
        () -> acc.add(0, 0, ImageArray.zeros(2, 2, 3, Depth.F32)));
    assertTrue(e3.getMessage().contains("tile has 3 channels, expected 1"), e3.getMessage());
  }
}
