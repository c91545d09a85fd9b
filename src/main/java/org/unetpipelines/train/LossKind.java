package org.unetpipelines.train;

/**
 * The training loss. Cross-entropy is pixel-wise (sigmoid for 1 class, softmax over classes
 * otherwise) and weighted by the sample's border weight map when it carries one.
 */
public enum LossKind {
  /** Pixel-wise (weighted) cross-entropy: mean over pixels of w(x) * CE(x). */
  CROSS_ENTROPY,
  /** Soft Dice: 1 - (2 sum(p*y) + 1) / (sum p + sum y + 1), averaged over the foreground classes. */
  DICE,
  /** Hybrid: (weighted) cross-entropy + soft Dice (UNet++). */
  BCE_DICE,
  /**
   * UNet++'s hybrid loss as its code computes it ({@code bce_dice_loss}): 0.5 * (weighted)
   * cross-entropy - soft Dice, one global Dice over the whole batch, smooth 1 (minimum -1).
   */
  HYBRID,
  /** As {@link #HYBRID}, but Dice per image, averaged over the batch (the paper's formula). */
  HYBRID_PER_IMAGE
}
