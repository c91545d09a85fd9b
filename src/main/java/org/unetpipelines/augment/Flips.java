package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.unetpipelines.image.ImageArray;

/** Mirror flips: horizontal (left-right, {@code numpy.fliplr}) and vertical (up-down, {@code numpy.flipud}). */
public final class Flips {
  private Flips() {}

  /**
   * Random flips as a {@link SampleOp}: left-right with probability {@code horizontal}, up-down with
   * probability {@code vertical}; always two draws (so the stream position does not depend on the
   * probabilities). Parameters: {@code flip_horizontal}, {@code flip_vertical} (0 or 1).
   */
  public static SampleOp op(double horizontal, double vertical) {
    checkArgument(horizontal >= 0 && horizontal <= 1, "horizontal probability must be in [0, 1], got %s", horizontal);
    checkArgument(vertical >= 0 && vertical <= 1, "vertical probability must be in [0, 1], got %s", vertical);
    return (in, rng) -> {
      boolean h = rng.nextDouble() < horizontal;
      boolean v = rng.nextDouble() < vertical;
      return List.of(SampleOp.Outcome.of(flip(in, h, v), "flip_horizontal", h ? 1 : 0, "flip_vertical", v ? 1 : 0));
    };
  }

  public static ImageStack flip(ImageStack in, boolean horizontal, boolean vertical) {
    if (!horizontal && !vertical) {
      return in;
    }
    return in.map(img -> flip(img, horizontal, vertical));
  }

  public static ImageArray flip(ImageArray img, boolean horizontal, boolean vertical) {
    int h = img.height();
    int w = img.width();
    int c = img.channels();
    float[] src = img.data();
    float[] out = new float[src.length];
    for (int y = 0; y < h; y++) {
      int sy = vertical ? h - 1 - y : y;
      for (int x = 0; x < w; x++) {
        int sx = horizontal ? w - 1 - x : x;
        System.arraycopy(src, (sy * w + sx) * c, out, (y * w + x) * c, c);
      }
    }
    return ImageArray.wrap(h, w, c, img.depth(), out);
  }
}
