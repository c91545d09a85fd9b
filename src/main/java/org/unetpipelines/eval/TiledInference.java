package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.unetpipelines.image.ImageArray;

/**
 * Whole-image inference from a tile {@link Predictor}, for images of any size.
 *
 * <ul>
 *   <li><b>Overlap-tile</b> (U-Net paper, Fig. 2): output tiles of the network's output size are laid
 *       next to each other ({@code stride = output size}); each reads its input tile with
 *       (input - output) / 2 pixels of context, taken from the mirrored image where it falls outside
 *       the border. A valid-padding network's tiles then stitch seamlessly: the result equals what
 *       the network would output for the whole mirror-padded image.</li>
 *   <li><b>Sliding window with overlap averaging</b> (UNet++: 96x96 patches, 50 % overlap):
 *       {@code stride < output size}; every pixel is the mean of all tiles covering it.</li>
 * </ul>
 * Tile origins along an axis are 0, s, 2s, ... and a last tile flush with the far border, so no
 * tile starts outside the image; where the image is smaller than a tile, the tile covers it and
 * the surplus (mirrored) output is cropped. In overlap-tile mode a pixel that the flush last tile
 * covers twice keeps the first tile's value (no averaging, so stitching is exact).
 */
public final class TiledInference {

  /** Tiles per predictor call by default. */
  public static final int DEFAULT_BATCH = 4;

  private final Predictor predictor;
  private final int strideY;
  private final int strideX;
  private final int batch;
  private final boolean average;

  private TiledInference(Predictor predictor, int strideY, int strideX, int batch, boolean average) {
    this.predictor = predictor;
    this.strideY = strideY;
    this.strideX = strideX;
    this.batch = batch;
    this.average = average;
  }

  /** Overlap-tile: stride = the predictor's output tile size. */
  public static TiledInference overlapTile(Predictor predictor) {
    checkGeometry(predictor);
    return new TiledInference(predictor, predictor.outputHeight(), predictor.outputWidth(), DEFAULT_BATCH, false);
  }

  /**
   * Sliding window with overlap averaging; {@code overlap} is the fraction of the output tile shared
   * by neighbours (0.5 for UNet++'s 50 %), in [0, 1).
   */
  public static TiledInference slidingWindow(Predictor predictor, double overlap) {
    checkGeometry(predictor);
    checkArgument(overlap >= 0 && overlap < 1, "overlap must be in [0, 1), got %s", overlap);
    int sy = Math.max(1, (int) Math.round(predictor.outputHeight() * (1 - overlap)));
    int sx = Math.max(1, (int) Math.round(predictor.outputWidth() * (1 - overlap)));
    return new TiledInference(predictor, sy, sx, DEFAULT_BATCH, true);
  }

  /** Tiles per predictor call, at least 1. */
  public TiledInference withBatch(int batch) {
    checkArgument(batch >= 1, "batch must be >= 1, got %s", batch);
    return new TiledInference(predictor, strideY, strideX, batch, average);
  }

  private static void checkGeometry(Predictor p) {
    checkArgument(p.outputHeight() > 0 && p.outputWidth() > 0,
        "predictor output tile must be positive, got %sx%s", p.outputHeight(), p.outputWidth());
    int dy = p.inputHeight() - p.outputHeight();
    int dx = p.inputWidth() - p.outputWidth();
    checkArgument(dy >= 0 && dx >= 0 && dy % 2 == 0 && dx % 2 == 0,
        "predictor input tile %sx%s must exceed its output tile %sx%s by an even margin (centred output)",
        p.inputHeight(), p.inputWidth(), p.outputHeight(), p.outputWidth());
  }

  /**
   * The probability map of an image, {@code height x width x classes}.
   *
   * @param image any depth; integer images are scaled to [0, 1] by their depth maximum
   */
  public ProbabilityMap predict(ImageArray image) {
    checkArgument(image.channels() == predictor.inputChannels(),
        "image has %s channels but the model reads %s", image.channels(), predictor.inputChannels());
    int h = image.height();
    int w = image.width();
    int c = image.channels();
    int ih = predictor.inputHeight();
    int iw = predictor.inputWidth();
    int oh = predictor.outputHeight();
    int ow = predictor.outputWidth();
    int k = predictor.classes();
    int top = (ih - oh) / 2;
    int left = (iw - ow) / 2;
    float[] src = image.normalized();
    int[] ys = origins(h, oh, strideY);
    int[] xs = origins(w, ow, strideX);

    float[] sum = new float[h * w * k];
    int[] count = new int[h * w];
    List<int[]> pending = new ArrayList<>();
    List<float[]> tiles = new ArrayList<>();
    for (int y0 : ys) {
      for (int x0 : xs) {
        float[] tile = new float[ih * iw * c];
        for (int ty = 0; ty < ih; ty++) {
          int sy = reflect(y0 - top + ty, h);
          for (int tx = 0; tx < iw; tx++) {
            int sx = reflect(x0 - left + tx, w);
            System.arraycopy(src, (sy * w + sx) * c, tile, (ty * iw + tx) * c, c);
          }
        }
        tiles.add(tile);
        pending.add(new int[] {y0, x0});
        if (tiles.size() == batch) {
          flush(tiles, pending, sum, count, h, w, oh, ow, k);
        }
      }
    }
    flush(tiles, pending, sum, count, h, w, oh, ow, k);
    for (int i = 0; i < h * w; i++) {
      for (int j = 0; j < k; j++) {
        sum[i * k + j] /= count[i];
      }
    }
    return new ProbabilityMap(h, w, k, sum);
  }

  private void flush(List<float[]> tiles, List<int[]> at, float[] sum, int[] count,
      int h, int w, int oh, int ow, int k) {
    if (tiles.isEmpty()) {
      return;
    }
    float[][] out = predictor.predict(tiles.toArray(new float[0][]));
    checkArgument(out.length == tiles.size(), "predictor returned %s tiles for %s inputs", out.length, tiles.size());
    for (int t = 0; t < out.length; t++) {
      checkArgument(out[t].length == oh * ow * k,
          "predictor returned a tile of %s values, expected %sx%sx%s", out[t].length, oh, ow, k);
      int y0 = at.get(t)[0];
      int x0 = at.get(t)[1];
      for (int ty = 0; ty < oh && y0 + ty < h; ty++) {
        for (int tx = 0; tx < ow && x0 + tx < w; tx++) {
          int p = (y0 + ty) * w + (x0 + tx);
          if (!average && count[p] > 0) {
            continue; // overlap-tile: the first tile covering a pixel gives it (later ones agree)
          }
          count[p]++;
          for (int j = 0; j < k; j++) {
            sum[p * k + j] += out[t][(ty * ow + tx) * k + j];
          }
        }
      }
    }
    tiles.clear();
    at.clear();
  }

  /** Tile origins 0, s, 2s, ... below size - tile, then size - tile; just 0 when the tile covers all. */
  static int[] origins(int size, int tile, int stride) {
    if (size <= tile) {
      return new int[] {0};
    }
    List<Integer> out = new ArrayList<>();
    for (int o = 0; o < size - tile; o += stride) {
      out.add(o);
    }
    out.add(size - tile);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Mirror index without repeating the edge (numpy "reflect", TF MirrorPad REFLECT), extended
   * periodically so any offset maps into [0, n): for n = 4, ... 2 1 | 0 1 2 3 | 2 1 0 1 ...
   */
  public static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }
}
