package org.unetpipelines.augment;

import org.unetpipelines.image.ImageArray;

/** Mirror flips: horizontal (left-right, {@code numpy.fliplr}) and vertical (up-down, {@code numpy.flipud}). */
public final class Flips {
  private Flips() {}

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
