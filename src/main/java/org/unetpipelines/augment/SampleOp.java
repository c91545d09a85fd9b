package org.unetpipelines.augment;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A pure augmentation of one sample: its layers and a random stream in, one or more results out
 * (more than one only for fan-out ops such as tiling). The augmentation stages apply ops to every
 * copy of every sample (stream of (seed, sample id, copy, stage)); {@code Train}'s online chain
 * applies them to every training sample of every step (stream of (seed, step, index, op)). Ops
 * hold only serializable parameters and draw all randomness from the stream they are given.
 * Throw {@link IllegalArgumentException} for a sample the op cannot take (the stages make it a dead
 * letter with the message; training fails with it).
 */
@FunctionalInterface
public interface SampleOp extends Serializable {
  List<Outcome> apply(ImageStack in, SplittableRandom rng);

  /** One result: the new layers and the parameters drawn or applied, in order (recorded in the sample). */
  record Outcome(ImageStack layers, Map<String, Double> params) {
    /** An outcome with parameters given as name, value, name, value, ... */
    public static Outcome of(ImageStack layers, Object... nameValuePairs) {
      Map<String, Double> p = new LinkedHashMap<>();
      for (int i = 0; i < nameValuePairs.length; i += 2) {
        p.put((String) nameValuePairs[i], ((Number) nameValuePairs[i + 1]).doubleValue());
      }
      return new Outcome(layers, p);
    }
  }
}
