package org.unetpipelines.train.task;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.SplittableRandom;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.augment.Flips;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.augment.ImageStack;
import org.unetpipelines.augment.Rotation;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.train.FlipMode;

/**
 * How a classification sample becomes its {@code height x width} input, with the on-the-fly
 * training augmentation of the CIFAR ResNets and the Stacked U-Net write-up, drawn from the
 * sample's key only (so a run and its resumed copy see the same images):
 *
 * <ol>
 *   <li>rotation by an angle uniform in [-rotation, rotation] degrees ({@link Rotation}, linear
 *       interpolation, corners filled by mirror reflection);</li>
 *   <li>left-right / up-down flips, each with probability 0.5 ({@link Flips});</li>
 *   <li>a {@code height x width} window of the image zero-padded by {@code cropPadding} on every
 *       side, at a uniformly random position ({@link Crops#cropZeroFilled}).</li>
 * </ol>
 *
 * Validation inputs are the centre window, unaugmented. Random draws, in this order: angle (when
 * rotation > 0), horizontal flip, vertical flip (when allowed), window row, window column.
 *
 * @param height input height (samples must be at least this tall: pad them in the pipeline, e.g. MirrorPad)
 * @param width input width
 * @param cropPadding zeros added on every side before the random window (0: random windows only
 *     when the sample is larger than the input)
 */
public record ClassificationInput(int height, int width, int cropPadding, FlipMode flip, double rotation)
    implements java.io.Serializable {

  public ClassificationInput {
    checkArgument(height > 0 && width > 0, "input size must be positive, got %sx%s", height, width);
    checkArgument(cropPadding >= 0, "crop padding must be >= 0, got %s", cropPadding);
    checkArgument(flip != null, "flip mode must be set");
    checkArgument(rotation >= 0 && rotation <= 180, "rotation must be in [0, 180] degrees, got %s", rotation);
  }

  /** Whether training draws anything at all. */
  public boolean augments() {
    return cropPadding > 0 || flip != FlipMode.NONE || rotation > 0;
  }

  /**
   * The sample's input window (same depth as the image; normalise afterwards).
   *
   * @param id the sample id, for error messages
   */
  public ImageArray apply(ImageArray img, String id, long key, boolean training) {
    checkArgument(img.height() >= height && img.width() >= width,
        "sample %s is %sx%s, smaller than the %sx%s input; pad the images in the pipeline (e.g. a MirrorPad stage) "
            + "or train at their size", id, img.height(), img.width(), height, width);
    if (!training) {
      return Crops.cropZeroFilled(img, (img.height() - height) / 2, (img.width() - width) / 2, height, width);
    }
    SplittableRandom r = new SplittableRandom(key);
    ImageArray x = img;
    if (rotation > 0) {
      double angle = (2 * r.nextDouble() - 1) * rotation;
      x = Rotation.rotate(ImageStack.of(x), angle, Interpolation.LINEAR).image();
    }
    boolean h = flip.horizontal() && r.nextBoolean();
    boolean v = flip.vertical() && r.nextBoolean();
    x = Flips.flip(x, h, v);
    int y0 = r.nextInt(x.height() + 2 * cropPadding - height + 1) - cropPadding;
    int x0 = r.nextInt(x.width() + 2 * cropPadding - width + 1) - cropPadding;
    return Crops.cropZeroFilled(x, y0, x0, height, width);
  }
}
