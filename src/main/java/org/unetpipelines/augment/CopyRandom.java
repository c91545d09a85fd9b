package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The one source of augmentation randomness: a copy's random stream is a pure function of
 * (pipeline seed, sample id, copy index, stage name) and nothing else, so a pipeline gives the same
 * samples on every runner, thread count, bundle split and retry.
 *
 * <p>The four fields are hashed with Guava's {@code murmur3_128} (seed 0) in the order seed (8 bytes
 * little-endian), sample id (length-prefixed UTF-8), copy (4 bytes), stage name (length-prefixed
 * UTF-8); the first 8 bytes of the hash seed a {@link SplittableRandom}. Length prefixes keep
 * {@code ("ab", "c")} and {@code ("a", "bc")} apart. Gaussian draws use Box-Muller with
 * {@link StrictMath} so they are bit-identical on every JVM ({@code Random.nextGaussian} may use
 * platform intrinsics).
 */
public final class CopyRandom {
  private CopyRandom() {}

  /** The seed of a copy's stream. */
  public static long seedFor(long pipelineSeed, String sampleId, int copy, String stageName) {
    checkNotNull(sampleId, "sampleId");
    checkNotNull(stageName, "stageName");
    Hasher h = Hashing.murmur3_128().newHasher();
    h.putLong(pipelineSeed);
    byte[] id = sampleId.getBytes(StandardCharsets.UTF_8);
    h.putInt(id.length).putBytes(id);
    h.putInt(copy);
    byte[] stage = stageName.getBytes(StandardCharsets.UTF_8);
    h.putInt(stage.length).putBytes(stage);
    return h.hash().asLong();
  }

  /** A fresh random stream for a copy. */
  public static SplittableRandom forCopy(long pipelineSeed, String sampleId, int copy, String stageName) {
    return new SplittableRandom(seedFor(pipelineSeed, sampleId, copy, stageName));
  }

  /**
   * The stream of op {@code op} of an online augmentation chain for element {@code index} of
   * training step {@code step} (0-based): a pure function of (training seed, step, index, op), so
   * a run repeats exactly and a resumed run draws what the uninterrupted one would have. Hashed
   * like {@link #seedFor} with {@code murmur3_128}: seed (8 bytes), the tag -1 (4 bytes; where
   * {@link #seedFor} has the id's length, which is never negative, so the two never share a
   * stream), step (8 bytes), index (4 bytes), op (4 bytes).
   */
  public static SplittableRandom forStep(long seed, long step, int index, int op) {
    Hasher h = Hashing.murmur3_128().newHasher();
    h.putLong(seed).putInt(-1).putLong(step).putInt(index).putInt(op);
    return new SplittableRandom(h.hash().asLong());
  }

  /** A standard normal draw (Box-Muller, one value per call, StrictMath). */
  public static double gaussian(SplittableRandom rng) {
    double u1;
    do {
      u1 = rng.nextDouble();
    } while (u1 == 0.0);
    double u2 = rng.nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
  }
}
