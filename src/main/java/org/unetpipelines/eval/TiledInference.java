package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.unetpipelines.augment.Boundary;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.augment.MirrorPadding;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.TileGrid;

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
 * Built on shared blocks: {@link MirrorPadding} with {@link Boundary#REFLECT} for the mirrored border,
 * {@link TileGrid} for tile placement (origins 0, s, 2s, ... plus one flush with the far border) and
 * {@link TileStitcher} for stitching (it averages overlaps in double precision, so identical
 * overlapping outputs stitch exactly). Where the image is smaller than an output tile, one tile
 * covers it and the surplus (mirrored) output is cropped. With test-time augmentation ({@link Tta})
 * each transformed copy of the image is tiled and predicted this way, transformed back, and the maps
 * are averaged.
 */
public final class TiledInference {

  /** Tiles per predictor call by default. */
  public static final int DEFAULT_BATCH = 4;

  private final Predictor predictor;
  private final int strideY;
  private final int strideX;
  private final int batch;
  private final Tta tta;

  private TiledInference(Predictor predictor, int strideY, int strideX, int batch, Tta tta) {
    this.predictor = predictor;
    this.strideY = strideY;
    this.strideX = strideX;
    this.batch = batch;
    this.tta = tta;
  }

  /** Overlap-tile: stride = the predictor's output tile size. */
  public static TiledInference overlapTile(Predictor predictor) {
    checkGeometry(predictor);
    return new TiledInference(predictor, predictor.outputHeight(), predictor.outputWidth(), DEFAULT_BATCH, Tta.NONE);
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
    return new TiledInference(predictor, sy, sx, DEFAULT_BATCH, Tta.NONE);
  }

  /** Tiles per predictor call, at least 1. */
  public TiledInference withBatch(int batch) {
    checkArgument(batch >= 1, "batch must be >= 1, got %s", batch);
    return new TiledInference(predictor, strideY, strideX, batch, tta);
  }

  /** Test-time augmentation (default {@link Tta#NONE}). */
  public TiledInference withTta(Tta tta) {
    checkArgument(tta != null, "tta must be given (none, flips or dihedral)");
    return new TiledInference(predictor, strideY, strideX, batch, tta);
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
   * The probability map of an image, {@code height x width x classes} (classes &lt;= 4, the most an
   * {@link ImageArray} tile holds; classifiers do not tile, see {@link Predictor#classify}).
   *
   * @param image any depth; integer images are scaled to [0, 1] by their depth maximum
   */
  public ProbabilityMap predict(ImageArray image) {
    if (tta == Tta.NONE) {
      return predictOnce(image);
    }
    ImageArray normalized = ImageArray.wrap(image.height(), image.width(), image.channels(), ImageArray.Depth.F32,
        image.normalized());
    double[] sum = null;
    int k = 0;
    for (Tta.Transform t : tta.transforms()) {
      ProbabilityMap p = predictOnce(t.apply(normalized));
      float[] back = t.invert(ImageArray.wrap(p.height(), p.width(), p.classes(), ImageArray.Depth.F32, p.data())).data();
      if (sum == null) {
        sum = new double[back.length];
        k = p.classes();
      }
      for (int i = 0; i < back.length; i++) {
        sum[i] += back[i];
      }
    }
    float[] mean = new float[sum.length];
    int n = tta.transforms().size();
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (float) (sum[i] / n);
    }
    return new ProbabilityMap(image.height(), image.width(), k, mean);
  }

  private ProbabilityMap predictOnce(ImageArray image) {
    checkArgument(image.channels() == predictor.inputChannels(),
        "image has %s channels but the model reads %s", image.channels(), predictor.inputChannels());
    int k = predictor.classes();
    checkArgument(k <= 4, "tiled inference handles up to 4 output classes, the model has %s", k);
    int h = image.height();
    int w = image.width();
    int ih = predictor.inputHeight();
    int iw = predictor.inputWidth();
    int oh = predictor.outputHeight();
    int ow = predictor.outputWidth();
    int top = (ih - oh) / 2;
    int left = (iw - ow) / 2;
    // Output tiles are laid over the image (at least one tile's size); input tile = output tile
    // + context, read from the mirror-padded image, whose pixel (y, x) is image pixel (y - top, x - left).
    int coverH = Math.max(h, oh);
    int coverW = Math.max(w, ow);
    ImageArray normalized = ImageArray.wrap(h, w, image.channels(), ImageArray.Depth.F32, image.normalized());
    ImageArray padded = MirrorPadding.pad(normalized, top, top + coverH - h, left, left + coverW - w, Boundary.REFLECT);
    TileGrid grid = new TileGrid(coverH, coverW, oh, ow, strideY, strideX);
    TileStitcher acc = new TileStitcher(coverH, coverW, k);
    List<TileGrid.Origin> origins = grid.origins();
    for (int from = 0; from < origins.size(); from += batch) {
      List<TileGrid.Origin> part = origins.subList(from, Math.min(origins.size(), from + batch));
      float[][] tiles = new float[part.size()][];
      for (int t = 0; t < tiles.length; t++) {
        TileGrid.Origin o = part.get(t);
        tiles[t] = Crops.crop(padded, new Crops.Window(o.y(), o.x(), ih, iw)).data();
      }
      float[][] out = predictor.predict(tiles);
      checkArgument(out.length == tiles.length, "predictor returned %s tiles for %s inputs", out.length, tiles.length);
      for (int t = 0; t < out.length; t++) {
        checkArgument(out[t].length == oh * ow * k,
            "predictor returned a tile of %s values, expected %sx%sx%s", out[t].length, oh, ow, k);
        acc.add(part.get(t).y(), part.get(t).x(), ImageArray.wrap(oh, ow, k, ImageArray.Depth.F32, out[t]));
      }
    }
    ImageArray stitched = acc.result(ImageArray.Depth.F32);
    if (coverH != h || coverW != w) {
      stitched = Crops.crop(stitched, new Crops.Window(0, 0, h, w));
    }
    return new ProbabilityMap(h, w, k, stitched.data());
  }
}
