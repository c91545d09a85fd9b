package org.unetpipelines.model;

/**
 * How the expanding path doubles the resolution (and halves the channels).
 *
 * <ul>
 *   <li>{@code TRANSPOSE}: 2x2 transposed convolution, stride 2 (the paper's "up-convolution").
 *   <li>{@code BILINEAR} / {@code NEAREST}: resize x2, then a 2x2 SAME convolution.
 *   <li>{@code PIXEL_SHUFFLE}: 1x1 convolution to 4x the channels, then depth-to-space (block 2).
 *   <li>{@code MAX_UNPOOL}: 1x1 convolution to the skip's channels, then max-unpooling: each value
 *       goes back to where the matching contracting step's 2x2 max pool took its maximum, zeros
 *       elsewhere (SegNet; "Understanding U-Net"). The convolutions after the concatenation smooth it.
 * </ul>
 */
public enum Upsampling {
  TRANSPOSE,
  BILINEAR,
  NEAREST,
  PIXEL_SHUFFLE,
  MAX_UNPOOL
}
