package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.augment.Flips;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/**
 * Flips samples left-right with probability {@code horizontal} and up-down with probability
 * {@code vertical} (1 = always, 0 = never); the outcome is recorded as the params
 * {@code flip_horizontal} and {@code flip_vertical} (0 or 1).
 *
 * <pre>{@code samples.apply(Flip.random(0.5, 0.5).withCopies(2).withSeed(42)).samples()}</pre>
 */
public final class Flip extends PTransform<PCollection<Sample>, SampleResult>
    implements AugmentStage.OpTransform {
  private final double horizontal;
  private final double vertical;
  private final AugmentSettings settings;

  private Flip(double horizontal, double vertical, AugmentSettings settings) {
    this.horizontal = horizontal;
    this.vertical = vertical;
    this.settings = settings;
  }

  /** Flip with these probabilities, each in [0, 1]. */
  public static Flip random(double horizontal, double vertical) {
    checkArgument(horizontal >= 0 && horizontal <= 1, "horizontal probability must be in [0, 1], got %s", horizontal);
    checkArgument(vertical >= 0 && vertical <= 1, "vertical probability must be in [0, 1], got %s", vertical);
    checkArgument(horizontal > 0 || vertical > 0, "horizontal and vertical are both 0: nothing would ever flip");
    return new Flip(horizontal, vertical, AugmentSettings.defaults("Flip"));
  }

  public Flip withCopies(int n) {
    return new Flip(horizontal, vertical, settings.withCopies(n));
  }

  public Flip withSeed(long seed) {
    return new Flip(horizontal, vertical, settings.withSeed(seed));
  }

  public Flip withStageName(String name) {
    return new Flip(horizontal, vertical, settings.withStageName(name));
  }

  @Override
  public SampleResult expand(PCollection<Sample> input) {
    return input.apply("Flip", AugmentSamples.of(settings, op()));
  }

  /** What every copy goes through ({@link Flips#op}); also Train's online step. */
  @Override
  public SampleOp op() {
    return Flips.op(horizontal, vertical);
  }

  /** YAML config of {@code Flip}. */
  public record Config(
      @Param(doc = "probability of a left-right flip, 0..1", def = "0.5", min = 0, max = 1) double horizontal,
      @Param(doc = "probability of an up-down flip, 0..1", def = "0.5", min = 0, max = 1) double vertical,
      @Param(doc = "flipped copies per input sample, 1..100000", def = "1", min = 1, max = AugmentSettings.MAX_COPIES)
          int copies) implements AugmentStep {
  }

  /** {@code Flip} as a step of Train's online {@code augment:} chain. */
  @AutoService(ConfigChoice.class)
  public static final class Step extends AugmentChoice {
    public Step() {
      super(new Provider());
    }
  }

  /** The {@code Flip} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends AugmentStage<Config, Flip> {
    public Provider() {
      super("Flip",
          "Random left-right / up-down flips with given probabilities",
          Config.class);
    }

    @Override
    Flip build(Config c, long seed, String stageName) {
      return Flip.random(c.horizontal(), c.vertical()).withCopies(c.copies()).withSeed(seed)
          .withStageName(stageName);
    }
  }
}
