package org.unetpipelines.image;

/**
 * How large an image may be, in one place: what decoding accepts by default, the longest side a
 * config may ask for, and what one {@link ImageArray} can hold at all. Inputs beyond these are
 * refused with the limit named (as dead letters, or as config errors before anything runs) instead
 * of overflowing an int or exhausting memory.
 */
public final class ImageLimits {
  /**
   * Default most pixels decoded from one image file (all pages of a stack together): 100 million,
   * e.g. 10000 x 10000 (Pillow's decompression-bomb check errs above about 179 million).
   */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

  /** Longest side, in pixels, that a size in a stage config (crop, tile, synthetic image) may have. */
  public static final int MAX_SIDE = 65_536;

  /** Most values (height x width x channels) one ImageArray holds: the JVM's largest float[]. */
  public static final long MAX_VALUES = Integer.MAX_VALUE - 8;

  private ImageLimits() {}

  /** Whether an image of this shape fits in one ImageArray. */
  public static boolean fits(long height, long width, long channels) {
    return height > 0 && width > 0 && channels > 0 && height * width <= MAX_VALUES / channels;
  }
}
