package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ISBI 2012 EM segmentation challenge's own scores of a cell-probability map against a truth
 * mask (cell = 1, membrane = 0), per slice and for a stack of slices, computed the way the
 * challenge's evaluation (Fiji's {@code trainableSegmentation.metrics}, Arganda-Carreras et al.,
 * "Crowdsourcing the creation of image segmentation algorithms for connectomics", Front. Neuroanat.
 * 9:142, 2015; brainiac2.mit.edu/isbi_challenge/evaluation) computes them. Definitions and the
 * conventions that move results: {@code ../shared/MODELS.md} §4.3.
 *
 * <p>For every threshold t of {@link #THRESHOLDS} the truth's segments are the 4-connected
 * components of its foreground and the proposal's foreground is {@code p > t}. Only truth-foreground
 * pixels count (n of them); p_ij = |truth segment i ∩ proposal segment j| / n, a_i = Σ_j p_ij,
 * b_j = Σ_i p_ij. Proposal pixels labelled 0 are each their own one-pixel segment: they add
 * Σ_i p_i0 / n to Σ b_j² and Σ p_ij², and their entropy terms to H(B) and H(A, B).
 * <ul>
 *   <li>{@code v_rand} (current leaderboard, sorted by it): the proposal's background is first
 *       thinned to one-pixel lines ({@link BorderThinning}, label 0); V_rand = 2 Σ p_ij² /
 *       (Σ a_i² + Σ b_j²), the F-score of Rand split and merge scores Σp²/Σa² and Σp²/Σb². Higher is
 *       better; 1 = perfect.</li>
 *   <li>{@code v_info}: on the same thinned table, the F-score of I(A;B)/H(A) and I(A;B)/H(B)
 *       (natural logs), i.e. 2 I / (H(A) + H(B)); 0 when H(truth) = 0 or H(proposal) = 0 (one
 *       segment) as in Fiji.</li>
 *   <li>{@code rand_error_2012} (2012-2015 leaderboard, what the U-Net paper reports as "Rand error",
 *       0.0382): 1 - the F-score of the foreground-restricted Rand index, the proposal's segments
 *       being the 4-connected components of {@code p > t} (no thinning; its background pixels are
 *       singletons).</li>
 *   <li>{@code warping_error}: {@link WarpingError} of the truth warped toward {@code p > t},
 *       mismatches / pixels.</li>
 * </ul>
 * Per slice, each score is the best over the thresholds (max; min for the warping error), a new best
 * replacing the old one only when strictly better. For a stack ({@link Stack}), as the challenge's
 * script does: V_rand, V_info and the warping error are averaged over slices per threshold, then the
 * best threshold is taken (V_rand and V_info choose theirs independently); the 2012 Rand error and
 * the pixel error sum the pair / pixel counts (tp, fp, fn) over slices before the F-score.
 *
 * <p>F-scores follow Fiji's {@code ClassificationStatistics}: precision = 1 when fp = 0, recall = 1
 * when fn = 0, F = 2PR / (P + R), 0 when P + R = 0. A truth without foreground gives V_rand = V_info
 * = 0 and a 2012 Rand error of 1. Where Fiji's V_info is 0/0 (mutual information exactly 0 with two
 * non-trivial partitions) it is 0 here (Fiji: NaN, which then never wins a threshold).
 */
public final class ChallengeMetrics {

  /**
   * The challenge's thresholds, accumulated as Fiji does ({@code t = 0.0; t <= 1.0; t += 0.1}): 11
   * values, 0.30000000000000004 ... 0.9999999999999999, compared with the float probability as
   * {@code (double) p > t}.
   */
  public static final double[] THRESHOLDS = thresholds();

  /** The per-slice names {@link Slice#values()} returns, in order. */
  public static final List<String> NAMES = List.of("v_rand", "v_info", "rand_error_2012", "warping_error");

  /**
   * Metrics whose aggregate over images is the challenge's stack score ({@link Stack}) rather than
   * the mean of the per-image values: the four above and the ISBI pixel error.
   */
  public static final List<String> STACK_SCORED = List.of("v_rand", "v_info", "rand_error_2012", "pixel_error",
      "warping_error");

  private ChallengeMetrics() {}

  private static double[] thresholds() {
    List<Double> t = new ArrayList<>();
    for (double v = 0.0; v <= 1.0; v += 0.1) {
      t.add(v);
    }
    return t.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * The per-threshold statistics of one slice.
   *
   * @param prob cell probability per pixel, row-major {@code height x width}, in [0, 1]
   * @param truth true cell (foreground) per pixel
   */
  public static Slice score(float[] prob, boolean[] truth, int height, int width) {
    checkArgument(prob.length == height * width && truth.length == height * width,
        "prediction has %s pixels and truth %s, expected %sx%s = %s",
        prob.length, truth.length, height, width, height * width);
    int[] truthSegments = Segments.label4(truth, height, width);
    int k = THRESHOLDS.length;
    double[] vRand = new double[k];
    double[] vInfo = new double[k];
    double[][] rand2012 = new double[k][];
    long[] warping = new long[k];
    boolean[] fg = new boolean[prob.length];
    for (int t = 0; t < k; t++) {
      double th = THRESHOLDS[t];
      for (int i = 0; i < prob.length; i++) {
        fg[i] = prob[i] > th;
      }
      Table thinned = Table.of(truthSegments, BorderThinning.thin(fg, height, width));
      vRand[t] = thinned.vRand();
      vInfo[t] = thinned.vInfo();
      rand2012[t] = Table.of(truthSegments, Segments.label4(fg, height, width)).randCounts();
      warping[t] = WarpingError.mismatches(prob, truth, height, width, th);
    }
    // The pixel error keeps SegmentationMetrics' definition (float thresholds 0.0f ... 1.0f).
    long[][] pixel = new long[SegmentationMetrics.ISBI_THRESHOLDS.length][];
    for (int t = 0; t < pixel.length; t++) {
      Confusion c = Confusion.of(prob, truth, SegmentationMetrics.ISBI_THRESHOLDS[t]);
      pixel[t] = new long[] {c.tp(), c.fp(), c.fn()};
    }
    return new Slice(vRand, vInfo, rand2012, warping, (long) height * width, pixel);
  }

  /**
   * One slice's statistics per threshold.
   *
   * @param vRand V_rand per threshold of {@link #THRESHOLDS}
   * @param vInfo V_info per threshold
   * @param rand2012 foreground-restricted Rand pair counts {tp, fp, fn} per threshold, in n² units
   * @param warpingMismatches warping mismatches per threshold
   * @param pixels pixels of the slice
   * @param pixelCounts pixel counts {tp, fp, fn} per threshold of {@link SegmentationMetrics#ISBI_THRESHOLDS}
   */
  public record Slice(double[] vRand, double[] vInfo, double[][] rand2012, long[] warpingMismatches, long pixels,
      long[][] pixelCounts) {

    /** The slice for a Beam coder ({@link #read} reads it back); every array has its length first. */
    public void write(DataOutput out) throws IOException {
      writeDoubles(out, vRand);
      writeDoubles(out, vInfo);
      out.writeInt(rand2012.length);
      for (double[] row : rand2012) {
        writeDoubles(out, row);
      }
      writeLongs(out, warpingMismatches);
      out.writeLong(pixels);
      out.writeInt(pixelCounts.length);
      for (long[] row : pixelCounts) {
        writeLongs(out, row);
      }
    }

    public static Slice read(DataInput in) throws IOException {
      double[] vRand = readDoubles(in);
      double[] vInfo = readDoubles(in);
      double[][] rand2012 = new double[in.readInt()][];
      for (int t = 0; t < rand2012.length; t++) {
        rand2012[t] = readDoubles(in);
      }
      long[] warping = readLongs(in);
      long pixels = in.readLong();
      long[][] counts = new long[in.readInt()][];
      for (int t = 0; t < counts.length; t++) {
        counts[t] = readLongs(in);
      }
      return new Slice(vRand, vInfo, rand2012, warping, pixels, counts);
    }

    private static void writeDoubles(DataOutput out, double[] v) throws IOException {
      out.writeInt(v.length);
      for (double x : v) {
        out.writeDouble(x);
      }
    }

    private static double[] readDoubles(DataInput in) throws IOException {
      double[] v = new double[in.readInt()];
      for (int i = 0; i < v.length; i++) {
        v[i] = in.readDouble();
      }
      return v;
    }

    private static void writeLongs(DataOutput out, long[] v) throws IOException {
      out.writeInt(v.length);
      for (long x : v) {
        out.writeLong(x);
      }
    }

    private static long[] readLongs(DataInput in) throws IOException {
      long[] v = new long[in.readInt()];
      for (int i = 0; i < v.length; i++) {
        v[i] = in.readLong();
      }
      return v;
    }

    /** The slice's scores under {@link #NAMES}: best over the thresholds. */
    public Map<String, Double> values() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("v_rand", vRand[bestMax(vRand)]);
      m.put("v_info", vInfo[bestMax(vInfo)]);
      double[] f = new double[rand2012.length];
      for (int t = 0; t < f.length; t++) {
        f[t] = fScore(rand2012[t][0], rand2012[t][1], rand2012[t][2]);
      }
      m.put("rand_error_2012", 1 - f[bestMax(f)]);
      double[] w = warpingErrors();
      m.put("warping_error", w[bestMin(w)]);
      return m;
    }

    double[] warpingErrors() {
      double[] w = new double[warpingMismatches.length];
      for (int t = 0; t < w.length; t++) {
        w[t] = (double) warpingMismatches[t] / pixels;
      }
      return w;
    }
  }

  /** Index of the first strict maximum (a later value must be larger to win), from a best of 0. */
  static int bestMax(double[] v) {
    int best = 0;
    double bestValue = 0;
    for (int t = 0; t < v.length; t++) {
      if (v[t] > bestValue) {
        bestValue = v[t];
        best = t;
      }
    }
    return best;
  }

  /** Index of the first strict minimum. */
  static int bestMin(double[] v) {
    int best = 0;
    for (int t = 1; t < v.length; t++) {
      if (v[t] < v[best]) {
        best = t;
      }
    }
    return best;
  }

  /** Fiji's F-score of counts: precision 1 when fp = 0, recall 1 when fn = 0, 0 when P + R = 0. */
  static double fScore(double tp, double fp, double fn) {
    double precision = fp == 0 ? 1 : tp / (tp + fp);
    double recall = fn == 0 ? 1 : tp / (tp + fn);
    return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
  }

  /**
   * The foreground-restricted contingency table of truth segments (label &gt; 0; 0 = background,
   * ignored) against proposal segments (label 0 = one-pixel singletons), as the sums the scores need.
   *
   * @param n truth-foreground pixels
   * @param sumA2 Σ a_i²
   * @param sumB2 Σ_{j&gt;0} b_j² + Σ p_i0 / n
   * @param sumAB2 Σ_{i,j&gt;0} p_ij² + Σ p_i0 / n
   * @param entA Σ a_i ln a_i
   * @param entB Σ_{j&gt;0} b_j ln b_j - Σ p_i0 ln n
   * @param entAB Σ_{i,j&gt;0} p_ij ln p_ij - Σ p_i0 ln n
   */
  record Table(double n, double sumA2, double sumB2, double sumAB2, double entA, double entB, double entAB) {

    static Table of(int[] truth, int[] proposal) {
      int maxA = 0;
      int maxB = 0;
      long count = 0;
      for (int i = 0; i < truth.length; i++) {
        if (truth[i] > 0) {
          count++;
          maxA = Math.max(maxA, truth[i]);
          maxB = Math.max(maxB, proposal[i]);
        }
      }
      double n = count;
      long[] a = new long[maxA + 1];
      long[] b = new long[maxB + 1];
      long[] keys = new long[(int) count];
      int k = 0;
      long zero = 0;
      for (int i = 0; i < truth.length; i++) {
        if (truth[i] > 0) {
          a[truth[i]]++;
          if (proposal[i] == 0) {
            zero++;
          } else {
            b[proposal[i]]++;
            keys[k++] = (long) truth[i] * (maxB + 1L) + proposal[i];
          }
        }
      }
      Arrays.sort(keys, 0, k);
      double sumAB2 = 0;
      double entAB = 0;
      for (int s = 0; s < k; ) {
        int e = s;
        while (e < k && keys[e] == keys[s]) {
          e++;
        }
        double p = (e - s) / n;
        sumAB2 += p * p;
        entAB += p * Math.log(p);
        s = e;
      }
      double sumA2 = 0;
      double entA = 0;
      for (long c : a) {
        if (c > 0) {
          double p = c / n;
          sumA2 += p * p;
          entA += p * Math.log(p);
        }
      }
      double sumB2 = 0;
      double entB = 0;
      for (long c : b) {
        if (c > 0) {
          double p = c / n;
          sumB2 += p * p;
          entB += p * Math.log(p);
        }
      }
      double aux = zero / n;
      return new Table(n, sumA2, sumB2 + aux / n, sumAB2 + aux / n, entA, entB - aux * Math.log(n),
          entAB - aux * Math.log(n));
    }

    /** Rand pair counts {tp, fp, fn} in n² units: tp = n² Σp², fp = n² Σb² - tp, fn = n² Σa² - tp. */
    double[] randCounts() {
      double n2 = n * n;
      double tp = n2 * sumAB2;
      return new double[] {tp, n2 * sumB2 - tp, n2 * sumA2 - tp};
    }

    double vRand() {
      if (n == 0) {
        return 0;
      }
      double[] c = randCounts();
      return fScore(c[0], c[1], c[2]);
    }

    double vInfo() {
      if (n == 0) {
        return 0;
      }
      double ha = -entA;
      double hb = -entB;
      double hab = entB - entAB; // H(A|B)
      double hba = entA - entAB; // H(B|A)
      double precision = (ha - hab) / ha;
      double recall = (hb - hba) / hb;
      if (ha == 0) {
        precision = 0;
        recall = 1;
      }
      if (hb == 0) {
        precision = 1;
        recall = 0;
      }
      double f = 2 * precision * recall / (precision + recall);
      return Double.isNaN(f) ? 0 : f;
    }
  }

  /**
   * The challenge's score of a stack of slices, accumulated slice by slice and mergeable (a Beam
   * combiner's accumulator).
   */
  public static final class Stack {
    private final ExactMoments[] vRand = moments(THRESHOLDS.length);
    private final ExactMoments[] vInfo = moments(THRESHOLDS.length);
    private final ExactMoments[] warping = moments(THRESHOLDS.length);
    /** Pooled Rand pair counts {tp, fp, fn} per threshold, summed exactly (merge order cannot change a bit). */
    private final BigDecimal[][] rand2012 = new BigDecimal[THRESHOLDS.length][3];
    private final long[][] pixel = new long[SegmentationMetrics.ISBI_THRESHOLDS.length][3];
    private long slices;

    public Stack() {
      for (BigDecimal[] row : rand2012) {
        Arrays.fill(row, BigDecimal.ZERO);
      }
    }

    private static ExactMoments[] moments(int k) {
      ExactMoments[] s = new ExactMoments[k];
      for (int i = 0; i < k; i++) {
        s[i] = new ExactMoments();
      }
      return s;
    }

    public Stack add(Slice s) {
      double[] w = s.warpingErrors();
      for (int t = 0; t < THRESHOLDS.length; t++) {
        vRand[t].add(s.vRand()[t]);
        vInfo[t].add(s.vInfo()[t]);
        warping[t].add(w[t]);
        for (int c = 0; c < 3; c++) {
          rand2012[t][c] = rand2012[t][c].add(new BigDecimal(s.rand2012()[t][c]));
        }
      }
      for (int t = 0; t < pixel.length; t++) {
        for (int c = 0; c < 3; c++) {
          pixel[t][c] += s.pixelCounts()[t][c];
        }
      }
      slices++;
      return this;
    }

    public Stack merge(Stack o) {
      for (int t = 0; t < THRESHOLDS.length; t++) {
        vRand[t].merge(o.vRand[t]);
        vInfo[t].merge(o.vInfo[t]);
        warping[t].merge(o.warping[t]);
        for (int c = 0; c < 3; c++) {
          rand2012[t][c] = rand2012[t][c].add(o.rand2012[t][c]);
        }
      }
      for (int t = 0; t < pixel.length; t++) {
        for (int c = 0; c < 3; c++) {
          pixel[t][c] += o.pixel[t][c];
        }
      }
      slices += o.slices;
      return this;
    }

    /** The accumulator exactly, for a Beam coder ({@link #read} reads it back). */
    public void write(DataOutput out) throws IOException {
      out.writeLong(slices);
      for (int t = 0; t < THRESHOLDS.length; t++) {
        vRand[t].write(out);
        vInfo[t].write(out);
        warping[t].write(out);
        for (BigDecimal d : rand2012[t]) {
          ExactMoments.writeDecimal(out, d);
        }
      }
      for (long[] row : pixel) {
        for (long v : row) {
          out.writeLong(v);
        }
      }
    }

    public static Stack read(DataInput in) throws IOException {
      Stack s = new Stack();
      s.slices = in.readLong();
      for (int t = 0; t < THRESHOLDS.length; t++) {
        s.vRand[t] = ExactMoments.read(in);
        s.vInfo[t] = ExactMoments.read(in);
        s.warping[t] = ExactMoments.read(in);
        for (int c = 0; c < 3; c++) {
          s.rand2012[t][c] = ExactMoments.readDecimal(in);
        }
      }
      for (long[] row : s.pixel) {
        for (int c = 0; c < 3; c++) {
          row[c] = in.readLong();
        }
      }
      return s;
    }

    public long slices() {
      return slices;
    }

    /**
     * The stack scores of {@link #STACK_SCORED}. V_rand, V_info and the warping error are means over
     * slices at the best threshold, with the spread of the per-slice values at that threshold; the
     * 2012 Rand error and the pixel error come from counts pooled over slices (no spread).
     */
    public Map<String, Score> scores() {
      checkArgument(slices > 0, "no slices were scored");
      Map<String, Score> m = new LinkedHashMap<>();
      m.put("v_rand", mean(vRand, true));
      m.put("v_info", mean(vInfo, true));
      double[][] pairs = new double[rand2012.length][3];
      for (int t = 0; t < pairs.length; t++) {
        for (int c = 0; c < 3; c++) {
          pairs[t][c] = rand2012[t][c].doubleValue();
        }
      }
      m.put("rand_error_2012", pooled(pairs, THRESHOLDS));
      double[][] px = new double[pixel.length][3];
      for (int t = 0; t < px.length; t++) {
        for (int c = 0; c < 3; c++) {
          px[t][c] = pixel[t][c];
        }
      }
      m.put("pixel_error", pooled(px, SegmentationMetrics.ISBI_THRESHOLDS));
      m.put("warping_error", mean(warping, false));
      return m;
    }

    private Score mean(ExactMoments[] perThreshold, boolean max) {
      MetricSummary[] summaries = Arrays.stream(perThreshold).map(ExactMoments::summary).toArray(MetricSummary[]::new);
      double[] means = Arrays.stream(summaries).mapToDouble(MetricSummary::mean).toArray();
      int t = max ? bestMax(means) : bestMin(means);
      MetricSummary s = summaries[t];
      return new Score(s.mean(), slices, s.std(), s.ciLow(), s.ciHigh(), THRESHOLDS[t]);
    }

    private Score pooled(double[][] counts, double[] thresholds) {
      double[] f = new double[counts.length];
      for (int t = 0; t < f.length; t++) {
        f[t] = fScore(counts[t][0], counts[t][1], counts[t][2]);
      }
      int t = bestMax(f);
      return new Score(1 - f[t], slices, Double.NaN, Double.NaN, Double.NaN, thresholds[t]);
    }
  }

  /**
   * A stack score.
   *
   * @param value the score
   * @param n slices
   * @param std sample std of the per-slice values at the chosen threshold (NaN for pooled scores or
   *     one slice)
   * @param ciLow 95 % Student-t interval of their mean (NaN likewise)
   * @param ciHigh upper end
   * @param threshold the chosen threshold
   */
  public record Score(double value, long n, double std, double ciLow, double ciHigh, double threshold)
      implements Serializable {}
}
