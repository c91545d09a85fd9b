package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import org.unetpipelines.image.ImageArray;

/**
 * A segmentation network as inference sees it: a function from fixed-size input tiles to
 * probability tiles. Valid-padding networks (the U-Net paper's) return smaller tiles than they
 * read; same-padding networks return tiles of the input size. {@link TiledInference} turns a
 * predictor into a whole-image probability map for any image size.
 *
 * <p>Tiles are float arrays in {@code [height, width, channels]} order: inputs hold
 * {@code inputHeight x inputWidth x inputChannels} values in [0, 1], outputs
 * {@code outputHeight x outputWidth x classes} probabilities. The output tile is centred in the
 * input tile: (inputHeight - outputHeight) / 2 rows of context are read above and below it.
 * Implementations must be safe for concurrent {@link #predict} calls.
 */
public interface Predictor extends AutoCloseable {

  int inputHeight();

  int inputWidth();

  int inputChannels();

  int outputHeight();

  int outputWidth();

  /** Output channels: 1 for a sigmoid foreground probability, else one per class (softmax). */
  int classes();

  /** Predicts a batch of input tiles; returns one output tile per input, in order. */
  float[][] predict(float[][] tiles);

  /**
   * Class probabilities of a classifier for one image, which must have the model's input size: the
   * model's output averaged over its output pixels (1x1 for a plain classifier).
   */
  default float[] classify(ImageArray image) {
    checkArgument(image.height() == inputHeight() && image.width() == inputWidth()
            && image.channels() == inputChannels(),
        "classifier input must be %sx%sx%s, got %s", inputHeight(), inputWidth(), inputChannels(),
        image.shapeString());
    float[] out = predict(new float[][] {image.normalized()})[0];
    int k = classes();
    int pixels = out.length / k;
    float[] probs = new float[k];
    for (int i = 0; i < pixels; i++) {
      for (int c = 0; c < k; c++) {
        probs[c] += out[i * k + c] / pixels;
      }
    }
    return probs;
  }

  @Override
  default void close() {}
}
