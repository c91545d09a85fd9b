package org.unetpipelines.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TileGridTest {
  @Test
  void originsStepByStrideWithOneFlushAtTheFarEdge() {
    TileGrid g = new TileGrid(50, 37, 16, 16, 10, 12);
    // starts: y 0,10,20,30 + 34 flush; x 0,12 + 21 flush
    assertEquals(5 * 3, g.count());
    assertEquals(new TileGrid.Origin(0, 0), g.origins().get(0));
    assertEquals(new TileGrid.Origin(0, 12), g.origins().get(1));
    assertEquals(new TileGrid.Origin(0, 21), g.origins().get(2));
    assertEquals(new TileGrid.Origin(34, 21), g.origins().get(14));
    // exact fit: no extra tile
    assertEquals(List.of(new TileGrid.Origin(0, 0), new TileGrid.Origin(0, 2), new TileGrid.Origin(2, 0),
        new TileGrid.Origin(2, 2)), new TileGrid(4, 4, 2, 2, 2, 2).origins());
  }

  @Test
  void rejectsTilesLargerThanTheImageAndNonPositiveStrides() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TileGrid(4, 4, 5, 2, 1, 1));
    assertTrue(e.getMessage().contains("tile 5x2 is larger than the 4x4 image"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new TileGrid(4, 4, 2, 2, 0, 1));
    assertTrue(e.getMessage().contains("stride must be positive, got 0x1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new TileGrid(0, 4, 2, 2, 1, 1));
    assertTrue(e.getMessage().contains("image size must be positive, got 0x4"), e.getMessage());
  }
}
