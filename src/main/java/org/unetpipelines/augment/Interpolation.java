package org.unetpipelines.augment;

/**
 * How a warp samples an image between pixel centres (the {@code order} of scipy.ndimage).
 *
 * <ul>
 *   <li>{@link #NEAREST} (order 0): the nearest pixel's value; label masks keep exactly their values.
 *   <li>{@link #LINEAR} (order 1): bilinear.
 *   <li>{@link #CUBIC} (order 3): cubic B-spline interpolation: the image is first prefiltered into
 *       B-spline coefficients (separable recursive filter, mirror boundary) so the spline passes
 *       through every pixel value, as {@code scipy.ndimage.map_coordinates(order=3, mode='mirror')}.
 * </ul>
 */
public enum Interpolation {
  NEAREST,
  LINEAR,
  CUBIC
}
