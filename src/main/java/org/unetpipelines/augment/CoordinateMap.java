package org.unetpipelines.augment;

/**
 * A backward geometric map: for each output pixel, the source position (fractional pixel
 * coordinates, pixel centres at integers) to sample. Filled a row segment at a time so warps need
 * no per-pixel calls or allocation.
 */
@FunctionalInterface
public interface CoordinateMap {
  /**
   * Writes the source coordinates of output pixels {@code (y, x0..x0+n-1)} into {@code sy[0..n-1]}
   * and {@code sx[0..n-1]}.
   */
  void row(int y, int x0, int n, float[] sy, float[] sx);
}
