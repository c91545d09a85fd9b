package org.unetpipelines.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.unetpipelines.records.GridComparison;
import org.unetpipelines.records.GridSummary;

class GridStatisticsTest {

  private static List<Observation> grid() {
    List<Observation> obs = new ArrayList<>();
    double[][] iou = {{0.80, 0.82, 0.79, 0.81}, {0.84, 0.85, 0.83, 0.86}, {0.99, 0.93, 0.999, 0.90}};
    String[] cells = {"family=unet", "family=unetpp", "family=wide"};
    for (int c = 0; c < 3; c++) {
      for (int s = 0; s < 4; s++) {
        obs.add(new Observation("iou", cells[c], Integer.toString(s + 1), iou[c][s]));
        obs.add(new Observation("loss", cells[c], Integer.toString(s + 1), 0.3 - iou[c][s] / 10));
      }
    }
    return obs;
  }

  @Test
  void resultsDoNotDependOnObservationOrder() {
    GridStatistics stats = GridStatistics.create().withSeed(5);
    List<Observation> obs = grid();
    List<GridSummary> s1 = stats.summarize(obs);
    List<GridComparison> c1 = stats.compareAllPairs(obs);
    List<Observation> shuffled = new ArrayList<>(obs);
    Collections.shuffle(shuffled, new Random(3));
    assertEquals(s1, stats.summarize(shuffled));
    assertEquals(c1, stats.compareAllPairs(shuffled));
    // a bootstrap interval was involved (wide's iou t interval leaves [0, 1])
    GridSummary wide = s1.stream().filter(s -> s.getMetric().equals("iou") && s.getCell().equals("family=wide"))
        .findFirst().orElseThrow();
    assertEquals("bootstrap_percentile", wide.getCiMethod());
    assertTrue(wide.getCiLow() >= 0.90 && wide.getCiHigh() <= 0.999, wide.toString());
    // the seed is the bootstrap's only input besides the values
    List<GridSummary> s2 = GridStatistics.create().withSeed(6).summarize(obs);
    for (int i = 0; i < s1.size(); i++) {
      if (!"bootstrap_percentile".equals(s1.get(i).getCiMethod())) {
        assertEquals(s1.get(i), s2.get(i));
      }
    }
  }

  @Test
  void bootstrapIsSeeded() {
    double[] v = {0.91, 0.95, 0.97, 0.99, 0.93, 0.96, 0.999, 0.94, 0.92, 0.98, 0.955, 0.965};
    ConfidenceInterval a = ConfidenceInterval.bootstrapPercentile(v, 0.95, 1, 2000);
    assertEquals(a, ConfidenceInterval.bootstrapPercentile(v, 0.95, 1, 2000));
    double[] reversed = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      reversed[i] = v[v.length - 1 - i];
    }
    assertEquals(a, ConfidenceInterval.bootstrapPercentile(reversed, 0.95, 1, 2000));
    assertNotEquals(a, ConfidenceInterval.bootstrapPercentile(v, 0.95, 2, 2000));
  }

  @Test
  void everyIntervalStaysInsideItsMetricsRange() {
    Random r = new Random(1);
    for (int trial = 0; trial < 200; trial++) {
      int n = 2 + r.nextInt(6);
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = Math.min(1, Math.max(0, 0.97 + 0.05 * r.nextGaussian()));
      }
      ConfidenceInterval ci = ConfidenceInterval.of(v, MetricRange.UNIT, 0.95, trial, 1000).orElseThrow();
      assertTrue(ci.low() >= 0 && ci.high() <= 1 && ci.low() <= ci.high(), ci + " for " + java.util.Arrays.toString(v));
    }
  }

  @Test
  void summaryRowsAreSortedByMetricThenCellOrder() {
    List<String> order = List.of("family=wide", "family=unet", "family=unetpp");
    List<GridSummary> s = GridStatistics.create().withCellOrder(order).summarize(grid());
    assertEquals(List.of("iou", "iou", "iou", "loss", "loss", "loss"), s.stream().map(GridSummary::getMetric).toList());
    assertEquals(order, s.subList(0, 3).stream().map(GridSummary::getCell).toList());
    assertEquals(4, s.get(0).getN());
  }

  @Test
  void allPairsFollowCellOrderWithThreeTestsWhenPaired() {
    List<GridComparison> c = GridStatistics.create().compareAllPairs(grid());
    // 2 metrics x 3 pairs x (welch, paired, wilcoxon)
    assertEquals(18, c.size());
    assertEquals(List.of("welch_t", "paired_t", "wilcoxon"), c.subList(0, 3).stream().map(GridComparison::getTest).toList());
    assertEquals("family=unet", c.get(0).getCellA());
    assertEquals("family=unetpp", c.get(0).getCellB());
    assertEquals(c.get(0).getMeanA() - c.get(0).getMeanB(), c.get(0).getDiff(), 0);
    // Holm over the 3 welch rows of iou: each adjusted p >= its raw p, <= 1
    for (GridComparison r : c) {
      assertTrue(r.getPHolm() >= r.getPValue() && r.getPHolm() <= 1, r.toString());
    }
  }

  @Test
  void unpairedRunsGetOnlyWelch() {
    List<Observation> obs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      obs.add(new Observation("iou", "a", null, 0.5 + i / 100.0));
      obs.add(new Observation("iou", "b", null, 0.6 + i / 50.0));
    }
    List<GridComparison> c = GridStatistics.create().compareAllPairs(obs);
    assertEquals(1, c.size());
    assertEquals("welch_t", c.get(0).getTest());
  }

  @Test
  void pairsUseOnlyTheSeedsBothCellsRan() {
    List<Observation> obs = new ArrayList<>();
    for (int s = 1; s <= 5; s++) {
      obs.add(new Observation("iou", "base", Integer.toString(s), 0.5 + s / 100.0));
      if (s != 2) {
        obs.add(new Observation("iou", "new", Integer.toString(s), 0.6 + s / 50.0 + (s % 2) / 1000.0));
      }
    }
    List<GridComparison> c = GridStatistics.create().compareWithBaseline(obs, "base");
    assertEquals(3, c.size());
    assertEquals(4, c.get(0).getNA());
    assertEquals(5, c.get(0).getNB());
    assertEquals(4, c.get(1).getNA());
    assertEquals(4, c.get(1).getNB());
    assertEquals((0.51 + 0.53 + 0.54 + 0.55) / 4, c.get(1).getMeanB(), 1e-15);
    assertEquals("new", c.get(1).getCellA());
  }

  @Test
  void undefinedValuesAreNull() {
    List<Observation> obs = List.of(
        new Observation("iou", "one", "1", 0.5),
        new Observation("iou", "flat", "1", 0.7), new Observation("iou", "flat", "2", 0.7),
        new Observation("iou", "flat2", "1", 0.8), new Observation("iou", "flat2", "2", 0.8));
    GridSummary one = GridStatistics.create().summarize(obs).stream().filter(s -> s.getCell().equals("one"))
        .findFirst().orElseThrow();
    assertEquals(1, one.getN());
    assertEquals(0.5, one.getMean());
    assertNull(one.getStd());
    assertNull(one.getCiLow());
    assertNull(one.getCiMethod());
    GridSummary flat = GridStatistics.create().summarize(obs).stream().filter(s -> s.getCell().equals("flat"))
        .findFirst().orElseThrow();
    assertEquals(0.0, flat.getStd());
    assertEquals(0.7, flat.getCiLow(), 1e-15);
    assertEquals(0.7, flat.getCiHigh(), 1e-15);
    // flat vs flat2: zero variance everywhere -> no t statistic, p or effect size; Wilcoxon is defined
    List<GridComparison> c = GridStatistics.create().compareWithBaseline(obs, "flat");
    GridComparison welch = c.stream().filter(r -> r.getCellA().equals("flat2") && r.getTest().equals("welch_t"))
        .findFirst().orElseThrow();
    assertNull(welch.getStatistic());
    assertNull(welch.getPValue());
    assertNull(welch.getPHolm());
    assertNull(welch.getEffectSize());
    GridComparison wx = c.stream().filter(r -> r.getCellA().equals("flat2") && r.getTest().equals("wilcoxon"))
        .findFirst().orElseThrow();
    // two equal differences (a tie): normal approximation, T = 0, mean 1.5, variance (2*3*5 - (2^3 - 2)/2) / 24,
    // z = (0 - 1.5 + 0.5) / sqrt(27 / 24) = -0.9428, p = 2 Phi(z) = 0.345779 (scipy: 0.34577858615116)
    assertEquals(0.0, wx.getStatistic());
    assertEquals(0.34577858615116, wx.getPValue(), 1e-12);
    // one vs flat: n = 1 -> Welch undefined; the single pair (seed 1) is no paired test
    assertEquals(1, c.stream().filter(r -> r.getCellA().equals("one")).count());
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> new Observation("iou", "a", "1", Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new Observation("iou", "", "1", 0.5));
    assertThrows(IllegalArgumentException.class, () -> new Observation("", "a", "1", 0.5));
    assertThrows(IllegalArgumentException.class, () -> new MetricRange(1, 0));
    assertThrows(IllegalArgumentException.class, () -> new MetricRange(Double.NaN, 1));
    List<Observation> dup = List.of(new Observation("iou", "a", "1", 0.5), new Observation("iou", "a", "1", 0.6));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GridStatistics.create().summarize(dup));
    assertTrue(e.getMessage().contains("two results for replicate 1"), e.getMessage());
    List<Observation> outside = List.of(new Observation("iou", "a", "1", 1.5));
    e = assertThrows(IllegalArgumentException.class, () -> GridStatistics.create().summarize(outside));
    assertTrue(e.getMessage().contains("outside its range"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GridStatistics.create().compareWithBaseline(grid(), "family=x"));
    assertTrue(e.getMessage().contains("baseline cell 'family=x' has no results"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GridStatistics.create().withResamples(10));
    assertThrows(IllegalArgumentException.class, () -> GridStatistics.create().withCellOrder(List.of("a", "a")));
    assertThrows(IllegalArgumentException.class, () -> ConfidenceInterval.studentT(new double[] {1}, 0.95));
    assertThrows(IllegalArgumentException.class, () -> ConfidenceInterval.studentT(new double[] {1, 2}, 1.0));
    assertThrows(IllegalArgumentException.class,
        () -> ConfidenceInterval.of(new double[] {0.5, 2}, MetricRange.UNIT, 0.95, 1, 1000));
    assertThrows(IllegalArgumentException.class, () -> PairwiseTests.pairedT(new double[] {1, 2}, new double[] {1}));
    assertThrows(IllegalArgumentException.class, () -> PairwiseTests.wilcoxon(new double[] {1, 2}, new double[] {1}));
  }

  @Test
  void knownMetricRanges() {
    assertEquals(MetricRange.UNIT, MetricRange.forMetric("iou"));
    assertEquals(MetricRange.UNIT, MetricRange.forMetric("val_dice"));
    assertEquals(MetricRange.NON_NEGATIVE, MetricRange.forMetric("vi_split"));
    assertEquals(MetricRange.UNBOUNDED, MetricRange.forMetric("something_else"));
  }
}
