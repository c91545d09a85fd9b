package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.SplittableRandom;
import org.unetpipelines.image.ImageArray;

/** Rectangular crops: a window at a given, centred or random position. */
public final class Crops {
  private Crops() {}

  /** Where a crop's window goes. */
  public enum Mode {
    CENTER,
    RANDOM
  }

  /**
   * Crops as a {@link SampleOp}: the centred window, or a uniformly random one ({@link Window#random}:
   * two draws). Parameters: {@code crop_y}, {@code crop_x}.
   */
  public static SampleOp op(Mode mode, int height, int width) {
    checkNotNull(mode, "mode");
    checkArgument(height > 0 && width > 0, "crop size must be positive, got %sx%s", height, width);
    return (in, rng) -> {
      Window win = mode == Mode.CENTER
          ? Window.centered(in.height(), in.width(), height, width)
          : Window.random(in.height(), in.width(), height, width, rng);
      return List.of(SampleOp.Outcome.of(crop(in, win), "crop_y", win.y(), "crop_x", win.x()));
    };
  }

  /** A window of an image: top-left {@code (y, x)} and size {@code height x width}. */
  public record Window(int y, int x, int height, int width) {
    public Window {
      checkArgument(y >= 0 && x >= 0, "window origin must be >= 0, got (%s, %s)", y, x);
      checkArgument(height > 0 && width > 0, "window size must be positive, got %sx%s", height, width);
    }

    /** The centred window (offsets rounded down, as {@code (H - h) // 2}). */
    public static Window centered(int imageH, int imageW, int h, int w) {
      checkFits(imageH, imageW, h, w);
      return new Window((imageH - h) / 2, (imageW - w) / 2, h, w);
    }

    /** A uniformly random window position. */
    public static Window random(int imageH, int imageW, int h, int w, SplittableRandom rng) {
      checkFits(imageH, imageW, h, w);
      return new Window(rng.nextInt(imageH - h + 1), rng.nextInt(imageW - w + 1), h, w);
    }

    private static void checkFits(int imageH, int imageW, int h, int w) {
      checkArgument(h > 0 && w > 0, "crop size must be positive, got %sx%s", h, w);
      checkArgument(h <= imageH && w <= imageW,
          "crop %sx%s is larger than the %sx%s image (pad it first, e.g. with MirrorPad)", h, w, imageH, imageW);
    }
  }

  public static ImageArray crop(ImageArray img, Window win) {
    checkArgument(win.y() + win.height() <= img.height() && win.x() + win.width() <= img.width(),
        "window %s does not fit in the %sx%s image", win, img.height(), img.width());
    int c = img.channels();
    int w = img.width();
    float[] src = img.data();
    float[] out = new float[win.height() * win.width() * c];
    int rowLen = win.width() * c;
    for (int y = 0; y < win.height(); y++) {
      System.arraycopy(src, ((win.y() + y) * w + win.x()) * c, out, y * rowLen, rowLen);
    }
    return ImageArray.wrap(win.height(), win.width(), c, img.depth(), out);
  }

  /**
   * A {@code height x width} window whose top-left corner {@code (y, x)} may lie outside the image
   * (negative, or reaching past the bottom / right): pixels outside the image are zero. This is a
   * crop of the zero-padded image (torchvision's {@code RandomCrop(size, padding)}) without making
   * the padded copy.
   */
  public static ImageArray cropZeroFilled(ImageArray img, int y, int x, int height, int width) {
    checkArgument(height > 0 && width > 0, "window size must be positive, got %sx%s", height, width);
    int c = img.channels();
    int w = img.width();
    float[] src = img.data();
    float[] out = new float[height * width * c];
    int x0 = Math.max(0, x);
    int x1 = Math.min(w, x + width);
    for (int r = 0; r < height; r++) {
      int sy = y + r;
      if (sy < 0 || sy >= img.height() || x1 <= x0) {
        continue;
      }
      System.arraycopy(src, (sy * w + x0) * c, out, (r * width + x0 - x) * c, (x1 - x0) * c);
    }
    return ImageArray.wrap(height, width, c, img.depth(), out);
  }

  public static ImageStack crop(ImageStack in, Window win) {
    return in.map(img -> crop(img, win));
  }
}
