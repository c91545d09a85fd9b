package org.unetpipelines.stages.augment;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.unetpipelines.augment.ImageStack;

/**
 * A pure augmentation as the stages run it: one sample's layers and its copy's random stream in,
 * one or more results out (more than one only for fan-out ops such as tiling). Implementations
 * call the array functions of {@code org.unetpipelines.augment} and hold only serializable
 * parameters. Throw {@link IllegalArgumentException} for a sample the op cannot take (it becomes a
 * dead letter with the message).
 */
@FunctionalInterface
interface SampleOp extends Serializable {
  List<Outcome> apply(ImageStack in, SplittableRandom rng);

  /** One result: the new layers and the parameters drawn or applied, in order (recorded in the sample). */
  record Outcome(ImageStack layers, Map<String, Double> params) {
    static Outcome of(ImageStack layers, Object... nameValuePairs) {
      Map<String, Double> p = new LinkedHashMap<>();
      for (int i = 0; i < nameValuePairs.length; i += 2) {
        p.put((String) nameValuePairs[i], ((Number) nameValuePairs[i + 1]).doubleValue());
      }
      return new Outcome(layers, p);
    }
  }
}
