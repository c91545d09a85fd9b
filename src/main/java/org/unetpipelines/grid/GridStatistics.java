package org.unetpipelines.grid;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.commons.math3.stat.StatUtils;
import org.unetpipelines.augment.CopyRandom;
import org.unetpipelines.records.GridComparison;
import org.unetpipelines.records.GridSummary;

/**
 * The statistics of an experiment grid: per cell and metric the mean, standard deviation, n and a
 * 95 % confidence interval inside the metric's range ({@link ConfidenceInterval}); and pairwise
 * comparisons of cells ({@link PairwiseTests}), against a baseline cell or between all pairs.
 *
 * <p>Per pair of cells and metric the comparison rows are, in this order:
 * <ul>
 *   <li>{@code welch_t} on all runs of both cells;
 *   <li>when the runs are paired (at least 2 replicates, i.e. seeds, that both cells ran):
 *       {@code paired_t} and {@code wilcoxon} on those pairs. Their n_a = n_b = the pairs, and
 *       mean_a, mean_b, diff and effect_size are over the paired runs only.
 * </ul>
 * {@code effect_size} is Cohen's d (pooled standard deviation) of the runs the row's test used.
 * {@code p_holm} adjusts the p-values of one family: the rows of the same metric and test. With a
 * baseline, {@code cell_a} is the other cell and {@code cell_b} the baseline, so {@code diff} is the
 * change from the baseline; for all pairs, {@code cell_a} comes before {@code cell_b} in the cell order.
 *
 * <p>Results are sorted (metric, then cell order) and do not depend on the order of the observations.
 * The bootstrap stream of a (metric, cell) is seeded from (seed, cell, metric).
 */
public final class GridStatistics {
  public static final double CONFIDENCE = 0.95;
  public static final String WELCH = "welch_t";
  public static final String PAIRED = "paired_t";
  public static final String WILCOXON = "wilcoxon";

  private final long seed;
  private final int resamples;
  private final Function<String, MetricRange> ranges;
  private final List<String> cellOrder;

  private GridStatistics(long seed, int resamples, Function<String, MetricRange> ranges, List<String> cellOrder) {
    this.seed = seed;
    this.resamples = resamples;
    this.ranges = ranges;
    this.cellOrder = cellOrder;
  }

  /** Seed 0, {@link ConfidenceInterval#DEFAULT_RESAMPLES}, ranges by {@link MetricRange#forMetric}, cells by name. */
  public static GridStatistics create() {
    return new GridStatistics(0, ConfidenceInterval.DEFAULT_RESAMPLES, MetricRange::forMetric, List.of());
  }

  public GridStatistics withSeed(long seed) {
    return new GridStatistics(seed, resamples, ranges, cellOrder);
  }

  public GridStatistics withResamples(int resamples) {
    checkArgument(resamples >= 100, "bootstrap resamples must be >= 100, got %s", resamples);
    return new GridStatistics(seed, resamples, ranges, cellOrder);
  }

  /** Where metric ranges come from (default {@link MetricRange#forMetric}). */
  public GridStatistics withRanges(Function<String, MetricRange> ranges) {
    checkNotNull(ranges, "ranges");
    return new GridStatistics(seed, resamples, ranges, cellOrder);
  }

  /** The order of cells in the results (the grid's order); cells not listed follow by name. */
  public GridStatistics withCellOrder(List<String> cells) {
    checkArgument(cells != null && cells.stream().distinct().count() == cells.size(),
        "cell order must list each cell once, got %s", cells);
    return new GridStatistics(seed, resamples, ranges, List.copyOf(cells));
  }

  /** One summary per (metric, cell). */
  public List<GridSummary> summarize(Collection<Observation> observations) {
    List<GridSummary> out = new ArrayList<>();
    grouped(observations).forEach((metric, cells) -> cells.forEach((cell, runs) -> {
      double[] v = values(runs);
      GridSummary.Builder b = GridSummary.newBuilder().setMetric(metric).setCell(cell).setN(v.length)
          .setMean(StatUtils.mean(v)).setStd(null).setCiLow(null).setCiHigh(null).setCiMethod(null);
      if (v.length >= 2) {
        b.setStd(Math.sqrt(StatUtils.variance(v)));
      }
      ConfidenceInterval.of(v, range(metric), CONFIDENCE, CopyRandom.seedFor(seed, cell, 0, "grid-bootstrap/" + metric),
          resamples).ifPresent(ci -> b.setCiLow(ci.low()).setCiHigh(ci.high()).setCiMethod(ci.method().label()));
      out.add(b.build());
    }));
    return out;
  }

  /** Every cell against {@code baseline}, per metric that the baseline has. */
  public List<GridComparison> compareWithBaseline(Collection<Observation> observations, String baseline) {
    checkArgument(observations.stream().anyMatch(o -> o.cell().equals(baseline)),
        "baseline cell '%s' has no results; cells: %s", baseline,
        new TreeSet<>(observations.stream().map(Observation::cell).toList()));
    return compare(observations, baseline);
  }

  /** Every pair of cells, per metric. */
  public List<GridComparison> compareAllPairs(Collection<Observation> observations) {
    return compare(observations, null);
  }

  private List<GridComparison> compare(Collection<Observation> observations, String baseline) {
    List<GridComparison.Builder> rows = new ArrayList<>();
    grouped(observations).forEach((metric, cells) -> {
      List<String> names = new ArrayList<>(cells.keySet());
      if (baseline != null) {
        if (!cells.containsKey(baseline)) {
          return;
        }
        for (String c : names) {
          if (!c.equals(baseline)) {
            rows.addAll(pair(metric, c, cells.get(c), baseline, cells.get(baseline)));
          }
        }
      } else {
        for (int i = 0; i < names.size(); i++) {
          for (int j = i + 1; j < names.size(); j++) {
            rows.addAll(pair(metric, names.get(i), cells.get(names.get(i)), names.get(j), cells.get(names.get(j))));
          }
        }
      }
    });
    // Holm per family (metric, test).
    Map<String, List<GridComparison.Builder>> families = new LinkedHashMap<>();
    rows.forEach(r -> families.computeIfAbsent(r.getMetric() + "\u0000" + r.getTest(), k -> new ArrayList<>()).add(r));
    for (List<GridComparison.Builder> fam : families.values()) {
      double[] p = fam.stream().mapToDouble(r -> r.getPValue() == null ? Double.NaN : r.getPValue()).toArray();
      double[] adj = Holm.adjust(p);
      for (int i = 0; i < adj.length; i++) {
        fam.get(i).setPHolm(Double.isNaN(adj[i]) ? null : adj[i]);
      }
    }
    return rows.stream().map(GridComparison.Builder::build).toList();
  }

  private List<GridComparison.Builder> pair(String metric, String a, List<Observation> runsA, String b,
      List<Observation> runsB) {
    List<GridComparison.Builder> out = new ArrayList<>();
    double[] va = values(runsA);
    double[] vb = values(runsB);
    out.add(row(metric, a, b, va, vb, WELCH, PairwiseTests.welch(va, vb)));
    Map<String, Double> ra = byReplicate(runsA);
    Map<String, Double> rb = byReplicate(runsB);
    List<String> common = ra.keySet().stream().filter(rb::containsKey).toList(); // sorted: TreeMap keys
    if (common.size() >= 2) {
      double[] pa = common.stream().mapToDouble(ra::get).toArray();
      double[] pb = common.stream().mapToDouble(rb::get).toArray();
      out.add(row(metric, a, b, pa, pb, PAIRED, PairwiseTests.pairedT(pa, pb)));
      out.add(row(metric, a, b, pa, pb, WILCOXON, PairwiseTests.wilcoxon(pa, pb)));
    }
    return out;
  }

  private static GridComparison.Builder row(String metric, String a, String b, double[] va, double[] vb, String test,
      Optional<PairwiseTests.Result> r) {
    double ma = StatUtils.mean(va);
    double mb = StatUtils.mean(vb);
    OptionalDouble d = PairwiseTests.cohensD(va, vb);
    return GridComparison.newBuilder().setMetric(metric).setCellA(a).setCellB(b).setNA(va.length).setNB(vb.length)
        .setMeanA(ma).setMeanB(mb).setDiff(ma - mb).setTest(test)
        .setStatistic(r.map(PairwiseTests.Result::statistic).filter(Double::isFinite).orElse(null))
        .setPValue(r.map(PairwiseTests.Result::pValue).filter(p -> !p.isNaN()).orElse(null))
        .setPHolm(null)
        .setEffectSize(d.isPresent() && Double.isFinite(d.getAsDouble()) ? d.getAsDouble() : null);
  }

  private MetricRange range(String metric) {
    MetricRange r = ranges.apply(metric);
    return r == null ? MetricRange.UNBOUNDED : r;
  }

  /** metric (by name) -> cell (in cell order) -> runs (sorted by replicate, then value). */
  private Map<String, Map<String, List<Observation>>> grouped(Collection<Observation> observations) {
    Map<String, Map<String, List<Observation>>> byMetric = new TreeMap<>();
    Comparator<String> cells = cellComparator();
    for (Observation o : observations) {
      byMetric.computeIfAbsent(o.metric(), k -> new TreeMap<>(cells))
          .computeIfAbsent(o.cell(), k -> new ArrayList<>()).add(o);
    }
    Comparator<Observation> runOrder = Comparator
        .comparing((Observation o) -> o.replicate() == null ? "" : o.replicate())
        .thenComparingDouble(Observation::value);
    byMetric.forEach((metric, m) -> m.forEach((cell, runs) -> {
      runs.sort(runOrder);
      MetricRange range = range(metric);
      for (Observation o : runs) {
        checkArgument(range.contains(o.value()), "metric %s of cell %s (replicate %s) is %s, outside its range %s",
            metric, cell, o.replicate(), o.value(), range);
      }
      for (int i = 1; i < runs.size(); i++) {
        checkArgument(runs.get(i).replicate() == null || !runs.get(i).replicate().equals(runs.get(i - 1).replicate()),
            "metric %s of cell %s has two results for replicate %s", metric, cell, runs.get(i).replicate());
      }
    }));
    return byMetric;
  }

  private Comparator<String> cellComparator() {
    Map<String, Integer> idx = new LinkedHashMap<>();
    for (int i = 0; i < cellOrder.size(); i++) {
      idx.put(cellOrder.get(i), i);
    }
    return Comparator.comparing((String c) -> idx.getOrDefault(c, Integer.MAX_VALUE)).thenComparing(c -> c);
  }

  private static double[] values(List<Observation> runs) {
    return runs.stream().mapToDouble(Observation::value).toArray();
  }

  private static Map<String, Double> byReplicate(List<Observation> runs) {
    Map<String, Double> m = new TreeMap<>();
    runs.stream().filter(o -> o.replicate() != null).forEach(o -> m.put(o.replicate(), o.value()));
    return m;
  }
}
