package org.unetpipelines.stages.augment;

import java.util.List;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.engine.ConfigChoices;

/**
 * One step of {@code Train}'s online augmentation chain, written as the augmentation stage it
 * mirrors: {@code {type: ElasticDeform, grid: 3, sigma: 10.0}}. The step's keys ARE the stage's
 * config record (the stage types ElasticDeform, Rotate, Flip, Crop, MirrorPad and BorderWeightMap
 * register their {@code Config} as a choice of this interface, {@link AugmentChoice}), and the
 * step runs the very {@link SampleOp} the stage applies to each copy, built and checked by the
 * stage's own provider. {@code copies} must stay 1: every training step draws a fresh one instead.
 */
public interface AugmentStep {

  /** The op the stage would apply to each copy, built from this config as the stage builds it. */
  default SampleOp op() {
    return AugmentChoice.of(this).op(this);
  }

  /** What the stage's check reports for this config (empty when it is fine). */
  default List<String> problems() {
    return AugmentChoice.of(this).check(this);
  }

  /** Copies per input of the stage's config; 1 where the stage has no {@code copies} key. */
  default int copies() {
    return 1;
  }

  /** The stage type this step is written as (its {@code type:} value). */
  default String type() {
    for (ConfigChoice c : ConfigChoices.of(AugmentStep.class)) {
      if (c.config() == getClass()) {
        return c.name();
      }
    }
    return getClass().getSimpleName();
  }
}
