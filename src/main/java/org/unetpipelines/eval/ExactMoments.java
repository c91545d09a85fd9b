package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * Count, sum and sum of squares of metric values, held exactly (every double is a finite decimal, and
 * BigDecimal sums do not round), so merging partial sums in any order gives the same bits: a metric's
 * mean over 10,000 images is then the same on the DirectRunner and on a Flink cluster, whose bundles
 * and merges differ. {@link #summary()} rounds once, at the end.
 */
public final class ExactMoments {
  /** Precision of the one division in {@link #summary()} (far beyond a double's 17 digits). */
  private static final MathContext DIVISION = new MathContext(60);

  private long n;
  private BigDecimal sum = BigDecimal.ZERO;
  private BigDecimal sumOfSquares = BigDecimal.ZERO;

  public ExactMoments add(double x) {
    checkArgument(Double.isFinite(x), "metric value must be finite, got %s", x);
    BigDecimal v = new BigDecimal(x);
    n++;
    sum = sum.add(v);
    sumOfSquares = sumOfSquares.add(v.multiply(v));
    return this;
  }

  public ExactMoments merge(ExactMoments o) {
    n += o.n;
    sum = sum.add(o.sum);
    sumOfSquares = sumOfSquares.add(o.sumOfSquares);
    return this;
  }

  public long n() {
    return n;
  }

  public BigDecimal sum() {
    return sum;
  }

  public BigDecimal sumOfSquares() {
    return sumOfSquares;
  }

  /** From stored parts (a coder's). */
  public static ExactMoments of(long n, BigDecimal sum, BigDecimal sumOfSquares) {
    checkArgument(n >= 0, "n must be >= 0, got %s", n);
    ExactMoments m = new ExactMoments();
    m.n = n;
    m.sum = sum;
    m.sumOfSquares = sumOfSquares;
    return m;
  }

  /** Writes n, sum and sum of squares exactly (a Beam coder's wire form; {@link #read} reads it back). */
  public void write(DataOutput out) throws IOException {
    out.writeLong(n);
    writeDecimal(out, sum);
    writeDecimal(out, sumOfSquares);
  }

  public static ExactMoments read(DataInput in) throws IOException {
    long count = in.readLong();
    BigDecimal s = readDecimal(in);
    return of(count, s, readDecimal(in));
  }

  /** A BigDecimal exactly: scale, then the unscaled value's two's-complement bytes. */
  public static void writeDecimal(DataOutput out, BigDecimal d) throws IOException {
    byte[] unscaled = d.unscaledValue().toByteArray();
    out.writeInt(d.scale());
    out.writeInt(unscaled.length);
    out.write(unscaled);
  }

  public static BigDecimal readDecimal(DataInput in) throws IOException {
    int scale = in.readInt();
    byte[] unscaled = new byte[in.readInt()];
    in.readFully(unscaled);
    return new BigDecimal(new BigInteger(unscaled), scale);
  }

  /** The mean / std / interval view: mean = sum / n, M2 = sum of squares - sum^2 / n, each rounded once. */
  public MetricSummary summary() {
    if (n == 0) {
      return new MetricSummary();
    }
    BigDecimal count = BigDecimal.valueOf(n);
    BigDecimal mean = sum.divide(count, DIVISION);
    BigDecimal m2 = sumOfSquares.subtract(sum.multiply(mean));
    return MetricSummary.ofMoments(n, mean.doubleValue(), Math.max(0, m2.doubleValue()));
  }
}
