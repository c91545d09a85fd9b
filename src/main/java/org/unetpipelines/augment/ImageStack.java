package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.unetpipelines.image.ImageArray;

/**
 * The images of one sample that a geometric augmentation must move together: the image, its label
 * mask (optional) and its loss weight map (optional), all the same height and width. Geometric ops
 * sample the image with the requested order, the mask with {@link Interpolation#NEAREST} (labels
 * keep exactly their values) and the weights with {@link Interpolation#LINEAR}.
 */
public record ImageStack(ImageArray image, ImageArray mask, ImageArray weights) {
  public ImageStack {
    checkNotNull(image, "image");
    checkArgument(mask == null || mask.sameSize(image),
        "mask is %s but image is %s: they must have the same height and width",
        mask == null ? "" : mask.shapeString(), image.shapeString());
    checkArgument(weights == null || weights.sameSize(image),
        "weights are %s but image is %s: they must have the same height and width",
        weights == null ? "" : weights.shapeString(), image.shapeString());
  }

  public static ImageStack of(ImageArray image) {
    return new ImageStack(image, null, null);
  }

  public int height() {
    return image.height();
  }

  public int width() {
    return image.width();
  }

  /** Applies {@code f} to every present layer. */
  public ImageStack map(java.util.function.Function<ImageArray, ImageArray> f) {
    return new ImageStack(f.apply(image), mask == null ? null : f.apply(mask), weights == null ? null : f.apply(weights));
  }
}
