package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import org.unetpipelines.image.ImageArray;

/**
 * Inference settings shared by evaluation and prediction: how tiles cover the image, how many
 * tiles go to the model at once, and the foreground threshold.
 *
 * @param mode overlap-tile or sliding-window
 * @param overlap fraction of a tile shared with its neighbour in sliding-window mode, [0, 1)
 * @param batch tiles per model call, &gt;= 1
 * @param threshold foreground threshold (p &gt; t), [0, 1]
 * @param tile input tile side for models that accept any size (e.g. 96 for UNet++'s patches); 0 =
 *     the size in model.json
 */
public record Inference(InferenceMode mode, double overlap, int batch, double threshold, int tile)
    implements Serializable {
  public static final Inference DEFAULT = new Inference(InferenceMode.AUTO, 0.5, TiledInference.DEFAULT_BATCH,
      SegmentationMetrics.DEFAULT_THRESHOLD, 0);

  public Inference {
    checkArgument(mode != null, "inference mode must be given (auto, overlap_tile or sliding_window)");
    checkArgument(overlap >= 0 && overlap < 1, "overlap must be in [0, 1), got %s", overlap);
    checkArgument(batch >= 1, "batch must be >= 1, got %s", batch);
    checkArgument(threshold >= 0 && threshold <= 1, "threshold must be in [0, 1], got %s", threshold);
    checkArgument(tile >= 0, "tile must be >= 0 (0 = the model's own size), got %s", tile);
  }

  /** The model as run: its own tile size, or {@code tile x tile} input with the same margins. */
  public ModelSpec spec(ModelSpec model) {
    return tile == 0 ? model : model.withTile(tile, tile);
  }

  public ProbabilityMap predict(Predictor p, ImageArray image) {
    return mode.tiler(p, overlap, batch).predict(image);
  }

  /**
   * Class probabilities of a classifier for one image, which must have the model's input size:
   * the model's output averaged over its output pixels (1x1 for a plain classifier).
   */
  public static float[] classify(Predictor p, ImageArray image) {
    checkArgument(image.height() == p.inputHeight() && image.width() == p.inputWidth()
            && image.channels() == p.inputChannels(),
        "classifier input must be %sx%sx%s, got %s", p.inputHeight(), p.inputWidth(), p.inputChannels(),
        image.shapeString());
    float[] out = p.predict(new float[][] {image.normalized()})[0];
    int k = p.classes();
    int pixels = out.length / k;
    float[] probs = new float[k];
    for (int i = 0; i < pixels; i++) {
      for (int c = 0; c < k; c++) {
        probs[c] += out[i * k + c] / pixels;
      }
    }
    return probs;
  }
}
