package org.unetpipelines.image;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense image held as floats in {@code [height, width, channels]} (row-major, channels last) order.
 *
 * <p>Values keep the scale of their {@link Depth}: 0..255 for {@link Depth#U8}, 0..65535 for
 * {@link Depth#U16}, anything for {@link Depth#F32}. Array math on images (the {@code augment} and
 * {@code eval} rooms) works on this type and knows nothing of Beam or of file formats.
 *
 * <p>Instances are mutable only through {@link #set} for the code that builds them; treat an image
 * handed to you as read-only and {@link #copy()} it before changing it.
 */
public final class ImageArray {

  /** The value range an image's samples come from, and the range they are written back in. */
  public enum Depth {
    U8(255f),
    U16(65535f),
    F32(Float.NaN);

    private final float max;

    Depth(float max) {
      this.max = max;
    }

    /** The largest integer value, or NaN for floats. */
    public float max() {
      return max;
    }

    public boolean isInteger() {
      return this != F32;
    }
  }

  private final int height;
  private final int width;
  private final int channels;
  private final Depth depth;
  private final float[] data;

  private ImageArray(int height, int width, int channels, Depth depth, float[] data) {
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.depth = depth;
    this.data = data;
  }

  /** A zero-filled image. */
  public static ImageArray zeros(int height, int width, int channels, Depth depth) {
    checkShape(height, width, channels);
    return new ImageArray(height, width, channels, Objects.requireNonNull(depth), new float[height * width * channels]);
  }

  /** Wraps (does not copy) {@code data}, which must hold {@code height*width*channels} values. */
  public static ImageArray wrap(int height, int width, int channels, Depth depth, float[] data) {
    checkShape(height, width, channels);
    checkArgument(
        data.length == height * width * channels,
        "data has %s values, expected %s*%s*%s = %s",
        data.length, height, width, channels, height * width * channels);
    return new ImageArray(height, width, channels, Objects.requireNonNull(depth), data);
  }

  private static void checkShape(int height, int width, int channels) {
    checkArgument(height > 0 && width > 0, "image size must be positive, got %sx%s", height, width);
    checkArgument(channels >= 1 && channels <= 4, "channels must be 1..4, got %s", channels);
    checkArgument(ImageLimits.fits(height, width, channels),
        "image %sx%sx%s has more than %s values, the most one image can hold", height, width, channels,
        ImageLimits.MAX_VALUES);
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int channels() {
    return channels;
  }

  public Depth depth() {
    return depth;
  }

  /** The backing array, {@code [height, width, channels]} order. Not copied. */
  public float[] data() {
    return data;
  }

  public float get(int y, int x, int c) {
    return data[(y * width + x) * channels + c];
  }

  public float get(int y, int x) {
    return data[(y * width + x) * channels];
  }

  public void set(int y, int x, int c, float v) {
    data[(y * width + x) * channels + c] = v;
  }

  public ImageArray copy() {
    return new ImageArray(height, width, channels, depth, data.clone());
  }

  /** The same values relabelled with another depth (no rescaling). */
  public ImageArray withDepth(Depth newDepth) {
    return new ImageArray(height, width, channels, newDepth, data);
  }

  /** One channel as a single-channel image. */
  public ImageArray channel(int c) {
    checkArgument(c >= 0 && c < channels, "channel %s out of range 0..%s", c, channels - 1);
    if (channels == 1) {
      return this;
    }
    float[] out = new float[height * width];
    for (int i = 0; i < out.length; i++) {
      out[i] = data[i * channels + c];
    }
    return new ImageArray(height, width, 1, depth, out);
  }

  /** Values scaled to [0, 1] by the depth's maximum (floats are returned unchanged). */
  public float[] normalized() {
    if (!depth.isInteger()) {
      return data.clone();
    }
    float[] out = new float[data.length];
    float max = depth.max();
    for (int i = 0; i < out.length; i++) {
      out[i] = data[i] / max; // true division: 51/255 must equal 0.2f exactly, as thresholds expect
    }
    return out;
  }

  public boolean sameSize(ImageArray other) {
    return height == other.height && width == other.width;
  }

  public String shapeString() {
    return height + "x" + width + "x" + channels + " " + depth;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ImageArray)) {
      return false;
    }
    ImageArray that = (ImageArray) o;
    return height == that.height && width == that.width && channels == that.channels
        && depth == that.depth && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(height, width, channels, depth, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "ImageArray[" + shapeString() + "]";
  }
}
