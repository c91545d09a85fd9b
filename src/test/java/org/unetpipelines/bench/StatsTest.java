package org.unetpipelines.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void linearInterpolationLikeNumpy() {
    double[] v = {40, 10, 30, 20}; // sorted 10 20 30 40; positions p/100 * (n-1)
    assertEquals(25.0, Stats.median(v), 1e-12);            // np.percentile(v, 50) = 25
    assertEquals(37.0, Stats.percentile(v, 90), 1e-12);    // pos 2.7 -> 30 + 0.7*10
    assertEquals(13.0, Stats.percentile(v, 10), 1e-12);    // pos 0.3 -> 10 + 0.3*10
    assertEquals(30.0, Stats.median(new double[] {50, 30, 10}), 1e-12);
    assertArrayEquals(new double[] {40, 10, 30, 20}, v, "input is not modified");
  }
}
