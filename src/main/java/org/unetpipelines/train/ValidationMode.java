package org.unetpipelines.train;

/** What the trainer's validation scores. */
public enum ValidationMode {
  /**
   * The task's validation on one input window per sample (segmentation: the centre tile): loss and
   * the task's metrics (segmentation: foreground IoU).
   */
  CENTER_TILE,
  /**
   * Segmentation: the centre-tile loss as above, and every validation image predicted whole with the
   * evaluation's tiled inference ({@link org.unetpipelines.eval.TiledInference}: overlap-tile for
   * valid-padding networks, 50 % sliding window otherwise) and scored as {@code Evaluate} scores it:
   * the ISBI challenge's stack scores {@code v_rand}, {@code v_info}, {@code rand_error_2012},
   * {@code pixel_error}, {@code warping_error} and the mean per-image {@code iou} and {@code dice}
   * (threshold 0.5).
   */
  WHOLE_IMAGE
}
