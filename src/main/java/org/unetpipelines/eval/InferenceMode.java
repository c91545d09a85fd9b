package org.unetpipelines.eval;

/** How a tile predictor covers a whole image; see {@link TiledInference}. */
public enum InferenceMode {
  /** U-Net overlap-tile: adjacent output tiles, mirrored context; for valid-padding networks. */
  OVERLAP_TILE,
  /** Sliding window with overlap averaging (UNet++: 96x96 patches, 50 % overlap). */
  SLIDING_WINDOW;

  /** The tiler for a predictor; {@code overlap} is used by {@link #SLIDING_WINDOW} only. */
  public TiledInference tiler(Predictor p, double overlap, int batch) {
    TiledInference t = this == OVERLAP_TILE ? TiledInference.overlapTile(p) : TiledInference.slidingWindow(p, overlap);
    return t.withBatch(batch);
  }
}
