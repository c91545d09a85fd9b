package org.unetpipelines.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CopyRandomTest {

  @Test
  void sameFieldsSameStream() {
    SplittableRandom a = CopyRandom.forCopy(42, "slice01.png", 3, "ElasticDeform");
    SplittableRandom b = CopyRandom.forCopy(42, "slice01.png", 3, "ElasticDeform");
    for (int i = 0; i < 100; i++) {
      assertEquals(a.nextLong(), b.nextLong());
    }
  }

  @Test
  void everyFieldChangesTheSeed() {
    long base = CopyRandom.seedFor(42, "a", 0, "S");
    assertNotEquals(base, CopyRandom.seedFor(43, "a", 0, "S"));
    assertNotEquals(base, CopyRandom.seedFor(42, "b", 0, "S"));
    assertNotEquals(base, CopyRandom.seedFor(42, "a", 1, "S"));
    assertNotEquals(base, CopyRandom.seedFor(42, "a", 0, "T"));
    // length prefixes keep the id / stage boundary unambiguous
    assertNotEquals(CopyRandom.seedFor(1, "ab", 0, "c"), CopyRandom.seedFor(1, "a", 0, "bc"));
    Set<Long> seeds = new HashSet<>();
    for (int c = 0; c < 10_000; c++) {
      seeds.add(CopyRandom.seedFor(7, "x", c, "S"));
    }
    assertEquals(10_000, seeds.size());
  }

  @Test
  void seedIsAStableFunction() {
    // the documented layout: seed, length-prefixed id, copy, length-prefixed stage name
    assertEquals(com.google.common.hash.Hashing.murmur3_128().newHasher()
            .putLong(42).putInt(2).putBytes(new byte[] {'i', 'd'}).putInt(1).putInt(1).putBytes(new byte[] {'E'})
            .hash().asLong(),
        CopyRandom.seedFor(42, "id", 1, "E"));
  }

  @Test
  void gaussianHasUnitMoments() {
    SplittableRandom r = CopyRandom.forCopy(1, "g", 0, "test");
    int n = 200_000;
    double s = 0;
    double s2 = 0;
    for (int i = 0; i < n; i++) {
      double g = CopyRandom.gaussian(r);
      s += g;
      s2 += g * g;
    }
    double mean = s / n;
    double var = s2 / n - mean * mean;
    assertEquals(0, mean, 0.01);
    assertEquals(1, var, 0.015);
  }
}
