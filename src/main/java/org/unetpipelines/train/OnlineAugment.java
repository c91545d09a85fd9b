package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.unetpipelines.augment.CopyRandom;
import org.unetpipelines.augment.ImageStack;
import org.unetpipelines.augment.SampleLayers;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.records.Sample;

/**
 * Augmentation drawn fresh for every training step (the U-Net paper draws a new deformation for
 * every iteration): a chain of the augmentation stages' own {@link SampleOp}s, applied to each
 * training sample of each batch before the task cuts its window, in the background thread that
 * prepares batches ({@link BatchStream}), so the step does not wait for it.
 *
 * <p>Op {@code j} applied to element {@code index} of step {@code step} (0-based) draws from
 * {@link CopyRandom#forStep CopyRandom.forStep(seed, step, index, j)}: the draws depend on the
 * training seed and the sample's place in the run only, so a run repeats exactly and a resumed run
 * continues the uninterrupted run's curve. Image, mask and weights go through the same op (a
 * deformation moves the border weight map with the same field as image and mask; weights are
 * sampled linearly, masks nearest). Validation samples are never augmented.
 */
public final class OnlineAugment implements Serializable {
  private static final long serialVersionUID = 1L;

  /** No augmentation. */
  public static final OnlineAugment NONE = new OnlineAugment(List.of(), List.of());

  private final List<String> names;
  private final List<SampleOp> ops;

  private OnlineAugment(List<String> names, List<SampleOp> ops) {
    this.names = List.copyOf(names);
    this.ops = List.copyOf(ops);
  }

  /** The chain with {@code op} (named {@code name} in errors and logs, e.g. its stage type) appended. */
  public OnlineAugment then(String name, SampleOp op) {
    checkArgument(name != null && !name.isBlank(), "an augmentation step needs a name");
    checkNotNull(op, "op of augmentation step %s", name);
    List<String> n = new ArrayList<>(names);
    List<SampleOp> o = new ArrayList<>(ops);
    n.add(name);
    o.add(op);
    return new OnlineAugment(n, o);
  }

  public boolean isEmpty() {
    return ops.isEmpty();
  }

  /** The steps' names, in order. */
  public List<String> names() {
    return names;
  }

  /** The layers after every op of the chain, for element {@code index} of step {@code step}. */
  public ImageStack apply(ImageStack in, long seed, long step, int index) {
    ImageStack x = in;
    for (int j = 0; j < ops.size(); j++) {
      List<SampleOp.Outcome> out = ops.get(j).apply(x, CopyRandom.forStep(seed, step, index, j));
      checkArgument(out.size() == 1, "augmentation step %s (%s) gave %s results; online augmentation takes "
          + "one-in, one-out steps", j, names.get(j), out.size());
      x = out.get(0).layers();
    }
    return x;
  }

  /**
   * The sample with its layers augmented (id, source and the rest kept; integer images rounded to
   * their depth as the stages' shards are); the sample itself when the chain is empty.
   *
   * @throws IllegalArgumentException naming the sample, step and step of the chain that rejected it
   */
  public Sample apply(Sample s, long seed, long step, int index) {
    if (ops.isEmpty()) {
      return s;
    }
    ImageStack out;
    try {
      out = apply(SampleLayers.of(s), seed, step, index);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("online augmentation " + names + " of sample " + s.getId() + " at step "
          + (step + 1) + ": " + e.getMessage(), e);
    }
    return SampleLayers.set(Sample.newBuilder(s), out).build();
  }

  @Override
  public String toString() {
    return ops.isEmpty() ? "none" : String.join(" -> ", names);
  }
}
