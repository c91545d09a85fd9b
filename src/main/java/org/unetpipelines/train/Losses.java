package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Segmentation losses as graph ops over logits {@code [N, H, W, K]}.
 *
 * <p>Targets are fed as floats: {@code [N, H, W, 1]} in {0, 1} for K = 1 (sigmoid), one-hot
 * {@code [N, H, W, K]} for K >= 2 (softmax; the sparse softmax cross-entropy has no gradient in
 * TensorFlow Java). Weights {@code [N, H, W, 1]}: the per-pixel border weight map, ones when a sample
 * carries none.
 */
public final class Losses {
  /** Dice smoothing term (added to numerator and denominator). */
  public static final float DICE_SMOOTH = 1f;

  private Losses() {}

  /** A built loss and the placeholders it reads. */
  public record Loss(Placeholder<TFloat32> target, Placeholder<TFloat32> weights, Operand<TFloat32> value) {}

  /** Builds {@code kind} over {@code logits} (static H, W, K) in its own sub-scope {@code name}. */
  public static Loss build(Ops ops, String name, Operand<TFloat32> logits, LossKind kind) {
    long[] d = logits.shape().asArray();
    checkArgument(d.length == 4 && d[1] > 0 && d[2] > 0 && d[3] > 0, "logits must be [N, H, W, K], got %s", logits.shape());
    Ops tf = ops.withSubScope(name);
    int k = (int) d[3];
    Placeholder<TFloat32> target = tf.withName("target").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, d[1], d[2], k)));
    Placeholder<TFloat32> weights = tf.withName("weights").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, d[1], d[2], 1)));
    return new Loss(target, weights, tf.withName("value").identity(value(tf, logits, target, weights, kind)));
  }

  /**
   * The loss {@code kind} of {@code logits} against {@code target} ({@code [N, H, W, K]}) and
   * {@code weights} ({@code [N, H, W, 1]}); a scalar.
   */
  public static Operand<TFloat32> value(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target,
      Operand<TFloat32> weights, LossKind kind) {
    switch (kind) {
      case CROSS_ENTROPY:
        return crossEntropy(tf, logits, target, weights);
      case DICE:
        return dice(tf, logits, target);
      case HYBRID:
        return hybrid(tf, logits, target, weights, false);
      case HYBRID_PER_IMAGE:
        return hybrid(tf, logits, target, weights, true);
      default:
        return tf.math.add(crossEntropy(tf, logits, target, weights), dice(tf, logits, target));
    }
  }

  /**
   * Mean over all pixels of w * CE. Sigmoid CE in the stable form max(z, 0) - z*y + log(1 + e^-|z|);
   * softmax CE with one-hot labels.
   */
  public static Operand<TFloat32> crossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target,
      Operand<TFloat32> weights) {
    long k = logits.shape().get(3);
    Operand<TFloat32> perPixel; // [N, H, W, 1] or [N*H*W]
    if (k == 1) {
      perPixel = tf.math.add(
          tf.math.sub(tf.math.maximum(logits, tf.constant(0f)), tf.math.mul(logits, target)),
          tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
    } else {
      Operand<TInt32> flat = tf.constant(new int[] {-1, (int) k});
      Operand<TFloat32> ce = tf.nn.softmaxCrossEntropyWithLogits(tf.reshape(logits, flat), tf.reshape(target, flat)).loss();
      perPixel = tf.reshape(ce, tf.shape(weights));
    }
    return tf.math.mean(tf.math.mul(perPixel, weights), allAxes(tf, 4));
  }

  /** Soft Dice loss averaged over foreground channels (the sigmoid channel, or softmax classes 1..K-1). */
  public static Operand<TFloat32> dice(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target) {
    long k = logits.shape().get(3);
    Operand<TFloat32> p = k == 1 ? tf.math.sigmoid(logits) : tf.nn.softmax(logits);
    Operand<TInt32> nhw = tf.constant(new int[] {0, 1, 2});
    Operand<TFloat32> inter = tf.sum(tf.math.mul(p, target), nhw); // [K]
    Operand<TFloat32> denom = tf.math.add(tf.sum(p, nhw), tf.sum(target, nhw));
    Operand<TFloat32> smooth = tf.constant(DICE_SMOOTH);
    Operand<TFloat32> score = tf.math.div(tf.math.add(tf.math.mul(tf.constant(2f), inter), smooth),
        tf.math.add(denom, smooth)); // [K]
    if (k > 1) { // foreground classes only
      score = tf.slice(score, tf.constant(new int[] {1}), tf.constant(new int[] {(int) k - 1}));
    }
    return tf.math.sub(tf.constant(1f), tf.math.mean(score, tf.constant(0)));
  }

  /**
   * UNet++'s hybrid loss as its code computes it ({@code bce_dice_loss}):
   * {@code 0.5 * CE - Dice}, Dice = (2 sum(y*p) + 1) / (sum y + sum p + 1) over every element of the
   * batch (all pixels and channels: Keras' {@code K.flatten}), or with {@code perImage} one Dice per
   * image (sums over H, W, K), averaged over the batch. CE is {@link #crossEntropy} (mean over pixels,
   * weighted by the border weight map; ones give the code's plain mean BCE, computed from logits
   * without Keras' 1e-7 probability clipping). The value can be negative; its minimum is -1 (CE = 0,
   * Dice = 1).
   */
  public static Operand<TFloat32> hybrid(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target,
      Operand<TFloat32> weights, boolean perImage) {
    long k = logits.shape().get(3);
    Operand<TFloat32> p = k == 1 ? tf.math.sigmoid(logits) : tf.nn.softmax(logits);
    Operand<TInt32> axes = perImage ? tf.constant(new int[] {1, 2, 3}) : allAxes(tf, 4);
    Operand<TFloat32> inter = tf.sum(tf.math.mul(p, target), axes); // [] or [N]
    Operand<TFloat32> denom = tf.math.add(tf.sum(p, axes), tf.sum(target, axes));
    Operand<TFloat32> smooth = tf.constant(DICE_SMOOTH);
    Operand<TFloat32> dice = tf.math.div(tf.math.add(tf.math.mul(tf.constant(2f), inter), smooth),
        tf.math.add(denom, smooth));
    if (perImage) {
      dice = tf.math.mean(dice, tf.constant(0));
    }
    return tf.math.sub(tf.math.mul(tf.constant(0.5f), crossEntropy(tf, logits, target, weights)), dice);
  }

  private static Operand<TInt32> allAxes(Ops tf, int rank) {
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      axes.add(i);
    }
    return tf.constant(axes.stream().mapToInt(Integer::intValue).toArray());
  }
}
