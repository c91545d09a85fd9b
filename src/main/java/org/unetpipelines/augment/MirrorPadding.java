package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageLimits;

/**
 * Mirror padding (the U-Net paper's overlap-tile border): extends an image on each side by
 * reflecting it, with either {@link Boundary} convention. Pads larger than the image are allowed;
 * they are filled by repeated reflection (e.g. a 2-pixel row {@code a b} padded by 3 on the left
 * under {@link Boundary#REFLECT} gives {@code b a b | a b}).
 */
public final class MirrorPadding {
  private MirrorPadding() {}

  /**
   * Mirror padding of every layer as a {@link SampleOp} (draws nothing). Parameters: {@code pad_top},
   * {@code pad_bottom}, {@code pad_left}, {@code pad_right}. A sample that would grow past
   * {@link ImageLimits#MAX_VALUES} is rejected.
   */
  public static SampleOp op(int top, int bottom, int left, int right, Boundary boundary) {
    checkNotNull(boundary, "boundary");
    checkArgument(top >= 0 && bottom >= 0 && left >= 0 && right >= 0,
        "pads must be >= 0, got top=%s bottom=%s left=%s right=%s", top, bottom, left, right);
    return (in, rng) -> {
      long h = (long) in.height() + top + bottom;
      long w = (long) in.width() + left + right;
      checkArgument(ImageLimits.fits(h, w, in.image().channels()),
          "padded to %sx%s the sample would hold more than %s values, the most one image can hold", h, w,
          ImageLimits.MAX_VALUES);
      return List.of(SampleOp.Outcome.of(in.map(img -> pad(img, top, bottom, left, right, boundary)),
          "pad_top", top, "pad_bottom", bottom, "pad_left", left, "pad_right", right));
    };
  }

  /** Pads {@code top, bottom, left, right} pixels (each {@code >= 0}) by mirroring. */
  public static ImageArray pad(ImageArray image, int top, int bottom, int left, int right, Boundary boundary) {
    checkNotNull(image, "image");
    checkNotNull(boundary, "boundary");
    checkArgument(top >= 0 && bottom >= 0 && left >= 0 && right >= 0,
        "pads must be >= 0, got top=%s bottom=%s left=%s right=%s", top, bottom, left, right);
    int h = image.height();
    int w = image.width();
    int c = image.channels();
    int oh = h + top + bottom;
    int ow = w + left + right;
    int[] colMap = new int[ow];
    for (int x = 0; x < ow; x++) {
      colMap[x] = boundary.fold(x - left, w);
    }
    float[] src = image.data();
    float[] out = new float[oh * ow * c];
    for (int y = 0; y < oh; y++) {
      int sy = boundary.fold(y - top, h);
      int srow = sy * w * c;
      int orow = y * ow * c;
      if (c == 1) {
        for (int x = 0; x < left; x++) {
          out[orow + x] = src[srow + colMap[x]];
        }
        System.arraycopy(src, srow, out, orow + left, w);
        for (int x = left + w; x < ow; x++) {
          out[orow + x] = src[srow + colMap[x]];
        }
      } else {
        for (int x = 0; x < ow; x++) {
          System.arraycopy(src, srow + colMap[x] * c, out, orow + x * c, c);
        }
      }
    }
    return ImageArray.wrap(oh, ow, c, image.depth(), out);
  }

  /** The same pad on every side. */
  public static ImageArray pad(ImageArray image, int pad, Boundary boundary) {
    return pad(image, pad, pad, pad, pad, boundary);
  }
}
