package org.unetpipelines.eval;

import java.util.ArrayList;
import java.util.List;
import org.unetpipelines.augment.Flips;
import org.unetpipelines.augment.Rotation;
import org.unetpipelines.image.ImageArray;

/**
 * Test-time augmentation: the prediction is the mean of the predictions of transformed copies of
 * the image, each transformed back before averaging (the U-Net paper averaged over rotated
 * versions of the input). The transforms form a group, so the average does not depend on the
 * image's orientation: an equivariant model gives the same map with or without it.
 */
public enum Tta {
  /** The image as it is (1 prediction). */
  NONE(List.of(new Transform(0, false))),
  /** The identity, left-right flip, up-down flip and both (4 predictions). */
  FLIPS(List.of(new Transform(0, false), new Transform(0, true), new Transform(2, true), new Transform(2, false))),
  /** The 8 symmetries of the square: 4 quarter turns, each with and without a left-right flip. */
  DIHEDRAL(dihedral());

  private final List<Transform> transforms;

  Tta(List<Transform> transforms) {
    this.transforms = List.copyOf(transforms);
  }

  private static List<Transform> dihedral() {
    List<Transform> t = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      t.add(new Transform(k, false));
      t.add(new Transform(k, true));
    }
    return t;
  }

  /** The transforms whose predictions are averaged, the identity first. */
  public List<Transform> transforms() {
    return transforms;
  }

  /**
   * A symmetry of the square: first a left-right flip (if {@code flip}), then {@code quarterTurns}
   * counter-clockwise quarter turns ({@code numpy.rot90(numpy.fliplr(x), k)}). An up-down flip is
   * {@code (2, true)}. Non-square images change shape under odd quarter turns.
   */
  public record Transform(int quarterTurns, boolean flip) {
    public ImageArray apply(ImageArray img) {
      ImageArray f = flip ? Flips.flip(img, true, false) : img;
      return quarterTurns == 0 ? f : Rotation.quarterTurns(f, quarterTurns);
    }

    /** The inverse: {@code invert(apply(x)) == x}. */
    public ImageArray invert(ImageArray img) {
      ImageArray r = quarterTurns == 0 ? img : Rotation.quarterTurns(img, -quarterTurns);
      return flip ? Flips.flip(r, true, false) : r;
    }
  }
}
