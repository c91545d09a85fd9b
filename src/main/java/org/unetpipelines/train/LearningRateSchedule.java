package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Locale;

/**
 * Learning-rate schedules. {@code CONSTANT}: the base rate. {@code EXPONENTIAL}: base *
 * decayRate^(step / decaySteps) (continuous). {@code STEP}: base * decayRate^floor(step /
 * decaySteps) (TensorFlow's staircase exponential decay, PyTorch's {@code StepLR}). {@code MULTI_STEP}:
 * base * decayRate^k where k is the number of boundaries at or below the (0-based) step (PyTorch's
 * {@code MultiStepLR} in steps: He et al.'s ResNet divides by 10 at 32k and 48k). {@code PLATEAU}: the rate is multiplied by
 * {@code factor} when the monitored value (validation loss, or the epoch's training loss without a
 * validation set) has not improved by more than {@code minDelta} for {@code patience} epochs, never
 * below {@code minRate}.
 *
 * <p>Mutable only through {@link #onEpochEnd}; its state is saved with checkpoints ({@link #state()},
 * {@link #restore}) so a resumed run follows the same rates.
 */
public final class LearningRateSchedule {

  public enum Kind {
    CONSTANT,
    EXPONENTIAL,
    STEP,
    MULTI_STEP,
    PLATEAU
  }

  /** Plateau state: current rate multiplier, best monitored value, epochs without improvement. */
  public record State(double scale, double best, int epochsWithoutImprovement) {}

  private final Kind kind;
  private final double base;
  private final double decayRate;
  private final long decaySteps;
  private final double factor;
  private final int patience;
  private final double minDelta;
  private final double minRate;
  private final long[] boundaries;
  private double scale = 1.0;
  private double best = Double.POSITIVE_INFINITY;
  private int wait;

  private LearningRateSchedule(Kind kind, double base, double decayRate, long decaySteps, double factor, int patience,
      double minDelta, double minRate) {
    this(kind, base, decayRate, decaySteps, factor, patience, minDelta, minRate, new long[0]);
  }

  private LearningRateSchedule(Kind kind, double base, double decayRate, long decaySteps, double factor, int patience,
      double minDelta, double minRate, long[] boundaries) {
    checkArgument(base > 0, "learning rate must be > 0, got %s", base);
    this.boundaries = boundaries.clone();
    this.kind = kind;
    this.base = base;
    this.decayRate = decayRate;
    this.decaySteps = decaySteps;
    this.factor = factor;
    this.patience = patience;
    this.minDelta = minDelta;
    this.minRate = minRate;
  }

  public static LearningRateSchedule constant(double rate) {
    return new LearningRateSchedule(Kind.CONSTANT, rate, 1, 1, 1, 0, 0, 0);
  }

  public static LearningRateSchedule exponential(double rate, double decayRate, long decaySteps) {
    checkArgument(decayRate > 0 && decayRate <= 1, "decay rate must be in (0, 1], got %s", decayRate);
    checkArgument(decaySteps >= 1, "decay steps must be >= 1, got %s", decaySteps);
    return new LearningRateSchedule(Kind.EXPONENTIAL, rate, decayRate, decaySteps, 1, 0, 0, 0);
  }

  /** base * decayRate^floor(step / decaySteps). */
  public static LearningRateSchedule step(double rate, double decayRate, long decaySteps) {
    checkArgument(decayRate > 0 && decayRate <= 1, "decay rate must be in (0, 1], got %s", decayRate);
    checkArgument(decaySteps >= 1, "decay steps must be >= 1, got %s", decaySteps);
    return new LearningRateSchedule(Kind.STEP, rate, decayRate, decaySteps, 1, 0, 0, 0);
  }

  /** base * decayRate^(number of boundaries <= step); boundaries strictly increasing, >= 1. */
  public static LearningRateSchedule multiStep(double rate, double decayRate, List<Long> boundaries) {
    checkArgument(decayRate > 0 && decayRate <= 1, "decay rate must be in (0, 1], got %s", decayRate);
    checkArgument(boundaries != null && !boundaries.isEmpty(),
        "the multi_step schedule needs 'boundaries': the steps at which the rate is multiplied by decay_rate");
    long[] b = new long[boundaries.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = boundaries.get(i);
      checkArgument(b[i] >= 1 && (i == 0 || b[i] > b[i - 1]),
          "boundaries must be strictly increasing steps >= 1, got %s", boundaries);
    }
    return new LearningRateSchedule(Kind.MULTI_STEP, rate, decayRate, 1, 1, 0, 0, 0, b);
  }

  public static LearningRateSchedule plateau(double rate, double factor, int patience, double minDelta, double minRate) {
    checkArgument(factor > 0 && factor < 1, "plateau factor must be in (0, 1), got %s", factor);
    checkArgument(patience >= 1, "plateau patience must be >= 1 epoch, got %s", patience);
    checkArgument(minDelta >= 0, "plateau min delta must be >= 0, got %s", minDelta);
    checkArgument(minRate >= 0 && minRate < rate, "plateau min rate must be in [0, %s), got %s", rate, minRate);
    return new LearningRateSchedule(Kind.PLATEAU, rate, 1, 1, factor, patience, minDelta, minRate);
  }

  public Kind kind() {
    return kind;
  }

  /** The rate for training step {@code step} (0-based). */
  public double rate(long step) {
    switch (kind) {
      case EXPONENTIAL:
        return base * Math.pow(decayRate, (double) step / decaySteps);
      case STEP:
        return base * Math.pow(decayRate, (double) (step / decaySteps));
      case MULTI_STEP: {
        int passed = 0;
        while (passed < boundaries.length && boundaries[passed] <= step) {
          passed++;
        }
        return base * Math.pow(decayRate, passed);
      }
      case PLATEAU:
        return Math.max(minRate, base * scale);
      default:
        return base;
    }
  }

  /** Tells the schedule an epoch ended with this monitored value (lower is better). */
  public void onEpochEnd(double monitored) {
    if (kind != Kind.PLATEAU || Double.isNaN(monitored)) {
      return;
    }
    if (monitored < best - minDelta) {
      best = monitored;
      wait = 0;
    } else if (++wait >= patience) {
      scale *= factor;
      wait = 0;
    }
  }

  public State state() {
    return new State(scale, best, wait);
  }

  public void restore(State s) {
    this.scale = s.scale();
    this.best = s.best();
    this.wait = s.epochsWithoutImprovement();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s(base=%g)", kind.name().toLowerCase(Locale.ROOT), base);
  }
}
