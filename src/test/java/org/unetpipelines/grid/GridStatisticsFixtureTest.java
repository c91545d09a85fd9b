package org.unetpipelines.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.unetpipelines.records.GridComparison;

/**
 * Every statistic against scipy.stats / statsmodels, recorded in {@code grid/fixtures.json} by
 * {@code src/test/resources/grid/make_fixtures.py} (versions in the file).
 */
class GridStatisticsFixtureTest {
  private static JsonNode fixtures;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = GridStatisticsFixtureTest.class.getResourceAsStream("/grid/fixtures.json")) {
      fixtures = new ObjectMapper().readTree(in);
    }
  }

  static Stream<String> cases() throws Exception {
    load();
    return StreamSupport.stream(fixtures.get("cases").spliterator(), false).map(c -> c.get("name").asText());
  }

  private static JsonNode caseNamed(String name) {
    for (JsonNode c : fixtures.get("cases")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no fixture case " + name);
  }

  private static double[] arr(JsonNode n) {
    double[] out = new double[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asDouble();
    }
    return out;
  }

  private static void close(double expected, double actual, double relTol, String what) {
    double tol = relTol * Math.max(1.0, Math.abs(expected));
    assertEquals(expected, actual, tol, what);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void summaryMatchesNumpyAndScipy(String name) {
    JsonNode c = caseNamed(name);
    for (String key : List.of("a", "b")) {
      double[] v = arr(c.get(key));
      JsonNode s = c.get("summary_" + key);
      GridStatistics stats = GridStatistics.create().withRanges(m -> MetricRange.UNBOUNDED);
      List<Observation> obs = new ArrayList<>();
      for (int i = 0; i < v.length; i++) {
        obs.add(new Observation("m", "cell", Integer.toString(i), v[i]));
      }
      var summary = stats.summarize(obs).get(0);
      assertEquals(s.get("n").asInt(), summary.getN());
      close(s.get("mean").asDouble(), summary.getMean(), 1e-13, name + " mean");
      close(s.get("std").asDouble(), summary.getStd(), 1e-12, name + " std");
      // unbounded range: always the t interval (scipy.stats.t.interval)
      assertEquals("student_t", summary.getCiMethod());
      // commons-math3's t quantiles agree with scipy's to ~4e-10 (relative) for small df
      close(s.get("t_interval").get(0).asDouble(), summary.getCiLow(), 1e-8, name + " t low");
      close(s.get("t_interval").get(1).asDouble(), summary.getCiHigh(), 1e-8, name + " t high");

      // bootstrap percentile vs scipy.stats.bootstrap(method='percentile', 200000 resamples):
      // Monte Carlo on both sides, so within a tenth of the mean's standard error
      ConfidenceInterval boot = ConfidenceInterval.bootstrapPercentile(v, 0.95, 11, ConfidenceInterval.DEFAULT_RESAMPLES);
      double se = s.get("std").asDouble() / Math.sqrt(v.length);
      assertEquals(s.get("bootstrap").get(0).asDouble(), boot.low(), 0.1 * se, name + " bootstrap low");
      assertEquals(s.get("bootstrap").get(1).asDouble(), boot.high(), 0.1 * se, name + " bootstrap high");
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void testsMatchScipy(String name) {
    JsonNode c = caseNamed(name);
    double[] a = arr(c.get("a"));
    double[] b = arr(c.get("b"));
    PairwiseTests.Result w = PairwiseTests.welch(a, b).orElseThrow();
    close(c.get("welch").get("statistic").asDouble(), w.statistic(), 1e-12, name + " welch t");
    close(c.get("welch").get("p").asDouble(), w.pValue(), 1e-9, name + " welch p");
    close(c.get("cohens_d").asDouble(), PairwiseTests.cohensD(a, b).getAsDouble(), 1e-12, name + " cohen's d");
    if (c.has("paired")) {
      PairwiseTests.Result p = PairwiseTests.pairedT(a, b).orElseThrow();
      close(c.get("paired").get("statistic").asDouble(), p.statistic(), 1e-11, name + " paired t");
      close(c.get("paired").get("p").asDouble(), p.pValue(), 1e-9, name + " paired p");
      JsonNode wx = c.get("wilcoxon");
      PairwiseTests.Result r = PairwiseTests.wilcoxon(a, b).orElseThrow();
      assertEquals(wx.get("exact").asBoolean(), r.exact(), name + " wilcoxon exact");
      assertEquals(wx.get("statistic").asDouble(), r.statistic(), 1e-12, name + " wilcoxon W");
      close(wx.get("p").asDouble(), r.pValue(), 1e-12, name + " wilcoxon p");
    } else {
      assertEquals(name, "unequal_n");
    }
  }

  @Test
  void fixturesCoverExactApproximateAndCappedWilcoxon() {
    List<String> exact = new ArrayList<>();
    List<String> approx = new ArrayList<>();
    for (JsonNode c : fixtures.get("cases")) {
      if (c.has("wilcoxon")) {
        (c.get("wilcoxon").get("exact").asBoolean() ? exact : approx).add(c.get("name").asText());
      }
    }
    assertTrue(exact.containsAll(List.of("three_seeds", "twenty_runs", "centre")), exact.toString());
    assertTrue(approx.containsAll(List.of("twenty_five_runs", "ties_and_zero")), approx.toString());
    assertEquals(1.0, caseNamed("centre").get("wilcoxon").get("p").asDouble());
  }

  @Test
  void intervalNearTheUpperBoundIsBootstrapAndStaysInside() {
    JsonNode c = caseNamed("near_upper_bound");
    double[] a = arr(c.get("a"));
    MetricRange unit = new MetricRange(c.get("range").get(0).asDouble(), c.get("range").get(1).asDouble());
    assertTrue(c.get("summary_a").get("t_interval").get(1).asDouble() > 1, "scipy's t interval leaves [0, 1]");
    ConfidenceInterval ci = ConfidenceInterval.of(a, unit, 0.95, 3, ConfidenceInterval.DEFAULT_RESAMPLES).orElseThrow();
    assertEquals(ConfidenceInterval.Method.BOOTSTRAP_PERCENTILE, ci.method());
    assertTrue(ci.low() >= 0 && ci.high() <= 1, ci.toString());
    double se = c.get("summary_a").get("std").asDouble() / Math.sqrt(a.length);
    assertEquals(c.get("summary_a").get("bootstrap").get(0).asDouble(), ci.low(), 0.1 * se);
    assertEquals(c.get("summary_a").get("bootstrap").get(1).asDouble(), ci.high(), 0.1 * se);
    // the other sample's t interval fits: Student-t
    ConfidenceInterval cb = ConfidenceInterval.of(arr(c.get("b")), unit, 0.95, 3, 1000).orElseThrow();
    assertEquals(ConfidenceInterval.Method.STUDENT_T, cb.method());
    close(c.get("summary_b").get("t_interval").get(1).asDouble(), cb.high(), 1e-8, "t high");
  }

  @Test
  void holmMatchesStatsmodels() {
    double[] adj = Holm.adjust(arr(fixtures.get("holm").get("p")));
    double[] want = arr(fixtures.get("holm").get("adjusted"));
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], adj[i], 1e-15, "holm " + i);
    }
  }

  @Test
  void wholeGridAgainstBaselineMatchesScipy() {
    JsonNode g = fixtures.get("grid");
    List<Observation> obs = new ArrayList<>();
    for (JsonNode o : g.get("observations")) {
      obs.add(new Observation(o.get("metric").asText(), o.get("cell").asText(), o.get("replicate").asText(),
          o.get("value").asDouble()));
    }
    List<String> cells = new ArrayList<>();
    g.get("cells").forEach(n -> cells.add(n.asText()));
    List<GridComparison> rows = GridStatistics.create().withCellOrder(cells)
        .compareWithBaseline(obs, g.get("baseline").asText());
    JsonNode want = g.get("comparisons");
    assertEquals(want.size(), rows.size());
    for (int i = 0; i < rows.size(); i++) {
      GridComparison r = rows.get(i);
      JsonNode w = want.get(i);
      String at = "row " + i + " " + w;
      assertEquals(w.get("metric").asText(), r.getMetric(), at);
      assertEquals(w.get("cell_a").asText(), r.getCellA(), at);
      assertEquals(w.get("cell_b").asText(), r.getCellB(), at);
      assertEquals(w.get("test").asText(), r.getTest(), at);
      assertEquals(w.get("n_a").asInt(), r.getNA(), at);
      assertEquals(w.get("n_b").asInt(), r.getNB(), at);
      close(w.get("mean_a").asDouble(), r.getMeanA(), 1e-13, at);
      close(w.get("mean_b").asDouble(), r.getMeanB(), 1e-13, at);
      close(w.get("diff").asDouble(), r.getDiff(), 1e-13, at);
      assertNotNull(r.getStatistic(), at);
      close(w.get("statistic").asDouble(), r.getStatistic(), 1e-11, at);
      close(w.get("p_value").asDouble(), r.getPValue(), 1e-9, at);
      close(w.get("p_holm").asDouble(), r.getPHolm(), 1e-9, at);
      close(w.get("effect_size").asDouble(), r.getEffectSize(), 1e-12, at);
    }
    assertFalse(rows.stream().anyMatch(r -> r.getCellA().equals("unet")), "the baseline is cell_b");
  }
}
