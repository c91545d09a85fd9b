package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageArray.Depth;

/**
 * A sliding-window tiling of an {@code height x width} image, and its inverse. Tiles start at
 * {@code 0, stride, 2·stride, ...}; if the last one does not reach the far edge, one more tile is
 * placed flush with it, so every pixel is covered. Tiles are ordered row-major by their origin.
 *
 * <p>Tiled inference uses the same class: {@link #tiles} cuts an image, the model maps each tile to a
 * prediction, and an {@link Accumulator} stitches the predictions back, averaging where tiles overlap.
 * Predictions may be smaller than their input tile (valid convolutions, the U-Net overlap-tile
 * strategy): add them at {@code origin + offset}.
 */
public final class Tiler {
  private final int height;
  private final int width;
  private final int tileH;
  private final int tileW;
  private final int strideY;
  private final int strideX;
  private final List<Crops.Window> windows;

  public Tiler(int height, int width, int tileH, int tileW, int strideY, int strideX) {
    checkArgument(height > 0 && width > 0, "image size must be positive, got %sx%s", height, width);
    checkArgument(tileH > 0 && tileW > 0, "tile size must be positive, got %sx%s", tileH, tileW);
    checkArgument(tileH <= height && tileW <= width,
        "tile %sx%s is larger than the %sx%s image (pad it first, e.g. with MirrorPad)", tileH, tileW, height, width);
    checkArgument(strideY > 0 && strideX > 0, "stride must be positive, got %sx%s", strideY, strideX);
    this.height = height;
    this.width = width;
    this.tileH = tileH;
    this.tileW = tileW;
    this.strideY = strideY;
    this.strideX = strideX;
    List<Crops.Window> w = new ArrayList<>();
    for (int y : starts(height, tileH, strideY)) {
      for (int x : starts(width, tileW, strideX)) {
        w.add(new Crops.Window(y, x, tileH, tileW));
      }
    }
    this.windows = Collections.unmodifiableList(w);
  }

  private static List<Integer> starts(int n, int tile, int stride) {
    List<Integer> s = new ArrayList<>();
    int p = 0;
    for (; p + tile <= n; p += stride) {
      s.add(p);
    }
    int last = s.get(s.size() - 1);
    if (last + tile < n) {
      s.add(n - tile);
    }
    return s;
  }

  /** The tile windows, row-major. */
  public List<Crops.Window> windows() {
    return windows;
  }

  public int count() {
    return windows.size();
  }

  /** Cuts every tile of the layers (all layers alike), in {@link #windows()} order. */
  public List<ImageStack> tiles(ImageStack in) {
    checkArgument(in.height() == height && in.width() == width,
        "image is %sx%s but the tiler was made for %sx%s", in.height(), in.width(), height, width);
    List<ImageStack> out = new ArrayList<>(windows.size());
    for (Crops.Window win : windows) {
      out.add(Crops.crop(in, win));
    }
    return out;
  }

  public Accumulator accumulator(int channels) {
    return new Accumulator(height, width, channels);
  }

  /** Stitches tiles back into the whole image, averaging overlaps. Tiles and the result are F32. */
  public static final class Accumulator {
    private final int height;
    private final int width;
    private final int channels;
    private final double[] sum;
    private final int[] count;

    Accumulator(int height, int width, int channels) {
      this.height = height;
      this.width = width;
      this.channels = channels;
      this.sum = new double[height * width * channels];
      this.count = new int[height * width];
    }

    /** Adds a tile whose top-left pixel lands at {@code (y, x)} of the whole image. */
    public Accumulator add(int y, int x, ImageArray tile) {
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

  @Override
  public String toString() {
    return "Tiler[" + height + "x" + width + " tile " + tileH + "x" + tileW + " stride " + strideY + "x" + strideX
        + ", " + windows.size() + " tiles]";
  }
}
