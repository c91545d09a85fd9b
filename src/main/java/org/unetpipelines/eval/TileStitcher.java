package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageArray.Depth;

/**
 * Stitches predicted tiles back into a whole {@code height x width x channels} image, averaging
 * where tiles overlap (in double precision, so identical overlapping tiles stitch exactly). Tiles
 * may be smaller than the input tiles they came from (valid convolutions, the U-Net overlap-tile
 * strategy): add them at their output origin. Tiles and the result are float images.
 */
public final class TileStitcher {
  private final int height;
  private final int width;
  private final int channels;
  private final double[] sum;
  private final int[] count;

  public TileStitcher(int height, int width, int channels) {
    checkArgument(height > 0 && width > 0 && channels > 0,
        "stitched image must be positive, got %sx%sx%s", height, width, channels);
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.sum = new double[height * width * channels];
    this.count = new int[height * width];
  }

  /** Adds a tile whose top-left pixel lands at {@code (y, x)} of the whole image. */
  public TileStitcher add(int y, int x, ImageArray tile) {
    checkNotNull(tile, "tile");
    checkArgument(tile.channels() == channels, "tile has %s channels, expected %s", tile.channels(), channels);
    checkArgument(y >= 0 && x >= 0 && y + tile.height() <= height && x + tile.width() <= width,
        "tile %sx%s at (%s, %s) does not fit in the %sx%s image", tile.height(), tile.width(), y, x, height, width);
    float[] t = tile.data();
    int tw = tile.width();
    for (int ty = 0; ty < tile.height(); ty++) {
      for (int tx = 0; tx < tw; tx++) {
        int p = (y + ty) * width + x + tx;
        count[p]++;
        for (int c = 0; c < channels; c++) {
          sum[p * channels + c] += t[(ty * tw + tx) * channels + c];
        }
      }
    }
    return this;
  }

  /** The averaged image; fails if any pixel was never covered. */
  public ImageArray result(Depth depth) {
    float[] out = new float[sum.length];
    for (int p = 0; p < count.length; p++) {
      checkState(count[p] > 0, "pixel (%s, %s) is covered by no tile", p / width, p % width);
      for (int c = 0; c < channels; c++) {
        out[p * channels + c] = (float) (sum[p * channels + c] / count[p]);
      }
    }
    return ImageArray.wrap(height, width, channels, depth, out);
  }
}
