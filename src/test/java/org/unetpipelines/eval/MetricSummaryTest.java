package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricSummaryTest {
  @Test
  void meanStdAndStudentTIntervalMatchHandComputedValues() {
    MetricSummary s = MetricSummary.of(1, 2, 3, 4);
    assertEquals(4, s.n());
    assertEquals(2.5, s.mean(), 1e-12);
    assertEquals(Math.sqrt(5.0 / 3), s.std(), 1e-12);
    // t(0.975, 3) = 3.182446305 (tables); half width = t * std / 2.
    double half = 3.182446305284263 * Math.sqrt(5.0 / 3) / 2;
    assertEquals(2.5 - half, s.ciLow(), 1e-9);
    assertEquals(2.5 + half, s.ciHigh(), 1e-9);
  }

  @Test
  void mergeEqualsSequentialAdds() {
    MetricSummary a = MetricSummary.of(0.1, 0.7, 0.3);
    MetricSummary b = MetricSummary.of(0.9, 0.2);
    MetricSummary all = MetricSummary.of(0.1, 0.7, 0.3, 0.9, 0.2);
    a.merge(b);
    assertEquals(all.n(), a.n());
    assertEquals(all.mean(), a.mean(), 1e-12);
    assertEquals(all.std(), a.std(), 1e-12);
    assertEquals(all.mean(), new MetricSummary().merge(all).mean(), 1e-12);
  }

  @Test
  void singleValueHasNoSpreadAndNaNIsRejected() {
    MetricSummary s = MetricSummary.of(0.4);
    assertEquals(0.4, s.mean(), 0);
    assertTrue(Double.isNaN(s.std()));
    assertTrue(Double.isNaN(s.ciLow()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.add(Double.NaN));
    assertTrue(e.getMessage().contains("metric value must not be NaN"), e.getMessage());
  }
}
