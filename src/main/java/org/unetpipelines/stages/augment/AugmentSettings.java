package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;

/**
 * What every augmentation stage needs besides its own parameters: its name (used in output ids,
 * recorded parameters, dead letters, counters and — with the pipeline seed — the random streams),
 * the pipeline seed and the number of copies per input.
 */
record AugmentSettings(String stageName, long seed, int copies) implements Serializable {
  static final int MAX_COPIES = 100_000;

  AugmentSettings {
    checkArgument(stageName != null && !stageName.isBlank(), "stage name must not be empty");
    checkArgument(!stageName.contains("/") && !stageName.contains("#"),
        "stage name must not contain '/' or '#' (they delimit sample ids), got '%s'", stageName);
    checkArgument(copies >= 1 && copies <= MAX_COPIES, "copies must be 1..%s, got %s", MAX_COPIES, copies);
  }

  static AugmentSettings defaults(String type) {
    return new AugmentSettings(type, 0L, 1);
  }

  AugmentSettings withStageName(String name) {
    return new AugmentSettings(name, seed, copies);
  }

  AugmentSettings withSeed(long s) {
    return new AugmentSettings(stageName, s, copies);
  }

  AugmentSettings withCopies(int n) {
    return new AugmentSettings(stageName, seed, n);
  }
}
