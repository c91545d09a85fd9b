package org.unetpipelines.eval;

/** How a tile predictor covers a whole image; see {@link TiledInference}. */
public enum InferenceMode {
  /**
   * Chosen from the model: {@link #OVERLAP_TILE} when its output is smaller than its input (valid
   * padding), {@link #SLIDING_WINDOW} otherwise (same padding, where tile borders lack context).
   */
  AUTO,
  /** U-Net overlap-tile: adjacent output tiles, mirrored context; for valid-padding networks. */
  OVERLAP_TILE,
  /** Sliding window with overlap averaging (UNet++: 96x96 patches, 50 % overlap). */
  SLIDING_WINDOW;

  /** The tiler for a predictor; {@code overlap} is used by {@link #SLIDING_WINDOW} only. */
  public TiledInference tiler(Predictor p, double overlap, int batch) {
    TiledInference t = resolve(p) == OVERLAP_TILE ? TiledInference.overlapTile(p) : TiledInference.slidingWindow(p, overlap);
    return t.withBatch(batch);
  }

  /** The concrete mode for a model ({@link #AUTO} resolved). */
  public InferenceMode resolve(Predictor p) {
    if (this != AUTO) {
      return this;
    }
    boolean valid = p.outputHeight() < p.inputHeight() || p.outputWidth() < p.inputWidth();
    return valid ? OVERLAP_TILE : SLIDING_WINDOW;
  }
}
