package org.unetpipelines.image;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.List;

/**
 * Pictures side by side: rows of equally sized cells (grey or RGB, values in [0, 1], clamped),
 * separated and framed by white gaps of {@link #GAP} pixels, as one 8-bit RGB image. A grey cell is
 * shown in grey on all three channels; a row shorter than the longest leaves its end white.
 */
public final class ImageGrid {
  /** White pixels between and around the cells. */
  public static final int GAP = 2;

  private ImageGrid() {}

  /** @param rows rows of cells, each cell [height, width, 1 or 3] with values in [0, 1] */
  public static ImageArray render(List<List<ImageArray>> rows) {
    checkArgument(!rows.isEmpty() && rows.stream().noneMatch(List::isEmpty), "a grid needs rows with cells");
    ImageArray first = rows.get(0).get(0);
    int h = first.height();
    int w = first.width();
    int cols = rows.stream().mapToInt(List::size).max().orElseThrow();
    int outH = rows.size() * (h + GAP) + GAP;
    int outW = cols * (w + GAP) + GAP;
    float[] out = new float[outH * outW * 3];
    Arrays.fill(out, 255f);
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < rows.get(r).size(); c++) {
        ImageArray cell = rows.get(r).get(c);
        checkArgument(cell.height() == h && cell.width() == w, "cell (%s, %s) is %s, the grid's cells are %sx%s",
            r, c, cell.shapeString(), h, w);
        checkArgument(cell.channels() == 1 || cell.channels() == 3, "cell (%s, %s) has %s channels; 1 or 3 are shown",
            r, c, cell.channels());
        int y0 = GAP + r * (h + GAP);
        int x0 = GAP + c * (w + GAP);
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int o = ((y0 + y) * outW + x0 + x) * 3;
            for (int ch = 0; ch < 3; ch++) {
              float v = cell.get(y, x, cell.channels() == 1 ? 0 : ch);
              out[o + ch] = Math.round(255 * Math.max(0f, Math.min(1f, v)));
            }
          }
        }
      }
    }
    return ImageArray.wrap(outH, outW, 3, ImageArray.Depth.U8, out);
  }
}
