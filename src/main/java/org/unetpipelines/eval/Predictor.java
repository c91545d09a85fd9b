package org.unetpipelines.eval;

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

  @Override
  default void close() {}
}
