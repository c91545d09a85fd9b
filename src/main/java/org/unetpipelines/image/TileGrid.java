package org.unetpipelines.image;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where the tiles of a sliding-window tiling of a {@code height x width} image lie. Tiles start at
 * {@code 0, stride, 2·stride, ...}; if the last one does not reach the far edge, one more tile is
 * placed flush with it, so every pixel is covered. Origins are ordered row-major.
 *
 * <p>The one tiling geometry of the project: the {@code Tile} augmentation stage cuts samples along
 * it, and tiled inference ({@code eval.TiledInference}) places its output tiles along it and stitches
 * them back with {@code eval.TileStitcher}.
 */
public final class TileGrid {
  private final int height;
  private final int width;
  private final int tileHeight;
  private final int tileWidth;
  private final int strideY;
  private final int strideX;
  private final List<Origin> origins;

  /** The top-left pixel of one tile. */
  public record Origin(int y, int x) {}

  public TileGrid(int height, int width, int tileHeight, int tileWidth, int strideY, int strideX) {
    checkArgument(height > 0 && width > 0, "image size must be positive, got %sx%s", height, width);
    checkArgument(tileHeight > 0 && tileWidth > 0, "tile size must be positive, got %sx%s", tileHeight, tileWidth);
    checkArgument(tileHeight <= height && tileWidth <= width,
        "tile %sx%s is larger than the %sx%s image (pad it first, e.g. with MirrorPad)", tileHeight, tileWidth,
        height, width);
    checkArgument(strideY > 0 && strideX > 0, "stride must be positive, got %sx%s", strideY, strideX);
    this.height = height;
    this.width = width;
    this.tileHeight = tileHeight;
    this.tileWidth = tileWidth;
    this.strideY = strideY;
    this.strideX = strideX;
    List<Origin> o = new ArrayList<>();
    for (int y : starts(height, tileHeight, strideY)) {
      for (int x : starts(width, tileWidth, strideX)) {
        o.add(new Origin(y, x));
      }
    }
    this.origins = Collections.unmodifiableList(o);
  }

  private static List<Integer> starts(int n, int tile, int stride) {
    List<Integer> s = new ArrayList<>();
    for (int p = 0; p + tile <= n; p += stride) {
      s.add(p);
    }
    int last = s.get(s.size() - 1);
    if (last + tile < n) {
      s.add(n - tile);
    }
    return s;
  }

  /** The tile origins, row-major. */
  public List<Origin> origins() {
    return origins;
  }

  public int count() {
    return origins.size();
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int tileHeight() {
    return tileHeight;
  }

  public int tileWidth() {
    return tileWidth;
  }

  @Override
  public String toString() {
    return "TileGrid[" + height + "x" + width + " tile " + tileHeight + "x" + tileWidth + " stride " + strideY + "x"
        + strideX + ", " + origins.size() + " tiles]";
  }
}
