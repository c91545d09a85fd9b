package org.unetpipelines.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The max-unpool plumbing of {@link Blocks}: down keeps the pool positions, up needs them. */
class BlocksTest {

  @Test
  void maxUnpoolNeedsThePoolPositions() {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(
        new long[] {1, 4, 4, 2}, Initializer.ONES, (l, x) -> java.util.Map.of("y",
            Blocks.up(l, l.maxPool2x2("pool", x), x, 2, Upsampling.MAX_UNPOOL, Padding.SAME, false))));
    assertTrue(missing.getMessage().contains("max_unpool upsampling needs the positions of the matching pool"),
        missing.getMessage());
    IllegalArgumentException extra = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(
        new long[] {1, 4, 4, 2}, Initializer.ONES, (l, x) -> {
          Blocks.Down d = Blocks.down(l.sub("down"), x, 2, Padding.SAME, false, Upsampling.MAX_UNPOOL);
          return java.util.Map.of("y", Blocks.up(l.sub("up"), d.output(), x, d.positions(), 2, Upsampling.TRANSPOSE,
              Padding.SAME, false));
        }));
    assertTrue(extra.getMessage().contains("only used by max_unpool upsampling, not transpose"), extra.getMessage());
  }

  /** Blocks.down keeps positions only for max-unpool, and the pooled values are the same either way. */
  @Test
  void downKeepsPositionsOnlyForMaxUnpool() {
    try (LayerHarness h = new LayerHarness(new long[] {1, 4, 4, 1}, Initializer.ONES, (l, x) -> {
      Blocks.Down plain = Blocks.down(l.sub("a"), x, 1, Padding.SAME, false, Upsampling.BILINEAR);
      Blocks.Down kept = Blocks.down(l.sub("b"), x, 1, Padding.SAME, false, Upsampling.MAX_UNPOOL);
      assertTrue(plain.positions() == null);
      return java.util.Map.of("plain", plain.output(), "kept", kept.output(), "positions", kept.positions());
    })) {
      float[] x = new float[16];
      for (int i = 0; i < 16; i++) {
        x[i] = (i * 5) % 16; // 0 5 10 15 / 4 9 14 3 / 8 13 2 7 / 12 1 6 11
      }
      assertArrayEquals(h.run("plain", x), h.run("kept", x), 0f);
      // window maxima: 9 at (1,1), 15 at (0,3), 13 at (2,1), 11 at (3,3)
      assertArrayEquals(new float[] {0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, h.run("positions", x), 0f);
    }
  }
}
