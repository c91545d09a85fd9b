package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.service.AutoService;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.augment.Rotation;
import org.unetpipelines.augment.Rotation.Mode;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/**
 * Rotates samples about their centre ({@link Rotation}): by a fixed angle, by a uniform random angle
 * in {@code [-angle, angle]}, or by a random multiple of 90 degrees. Multiples of 90 are exact
 * permutations (90/270 swap height and width); other angles keep the size, sample the image with
 * the given order, the mask with nearest and fill corners by mirroring. The angle is recorded as
 * the {@code angle} param (degrees, counter-clockwise).
 *
 * <pre>{@code samples.apply(Rotate.uniform(15).withCopies(4).withSeed(42)).samples()}</pre>
 */
public final class Rotate extends PTransform<PCollection<Sample>, SampleResult>
    implements AugmentStage.OpTransform {
  private final Mode mode;
  private final double angle;
  private final Interpolation order;
  private final AugmentSettings settings;

  private Rotate(Mode mode, double angle, Interpolation order, AugmentSettings settings) {
    this.mode = mode;
    this.angle = angle;
    this.order = order;
    this.settings = settings;
  }

  public static Rotate fixed(double degrees) {
    return of(Mode.FIXED, degrees);
  }

  public static Rotate uniform(double maxDegrees) {
    return of(Mode.UNIFORM, maxDegrees);
  }

  public static Rotate rightAngles() {
    return of(Mode.RIGHT, 0);
  }

  public static Rotate of(Mode mode, double degrees) {
    Rotation.op(mode, degrees, Interpolation.CUBIC); // checks mode and angle
    return new Rotate(mode, degrees, Interpolation.CUBIC, AugmentSettings.defaults("Rotate"));
  }

  /** Image interpolation for non-right angles: cubic (default), linear or nearest. */
  public Rotate withOrder(Interpolation o) {
    return new Rotate(mode, angle, checkNotNull(o, "order"), settings);
  }

  public Rotate withCopies(int n) {
    return new Rotate(mode, angle, order, settings.withCopies(n));
  }

  public Rotate withSeed(long seed) {
    return new Rotate(mode, angle, order, settings.withSeed(seed));
  }

  public Rotate withStageName(String name) {
    return new Rotate(mode, angle, order, settings.withStageName(name));
  }

  @Override
  public SampleResult expand(PCollection<Sample> input) {
    return input.apply("Rotate", AugmentSamples.of(settings, op()));
  }

  /** What every copy goes through ({@link Rotation#op}); also Train's online step. */
  @Override
  public SampleOp op() {
    return Rotation.op(mode, angle, order);
  }

  /** YAML config of {@code Rotate}. */
  public record Config(
      @Param(doc = "fixed: rotate by angle; uniform: by a random angle in [-angle, angle]; right: by 0/90/180/270",
          def = "uniform") Mode mode,
      @Param(doc = "degrees counter-clockwise (fixed) or the largest |angle| (uniform, 0 < angle <= 180)",
          def = "15.0", min = -360, max = 360) double angle,
      @Param(doc = "image interpolation for non-right angles: cubic, linear or nearest (masks: nearest)",
          def = "cubic") Interpolation order,
      @Param(doc = "rotated copies per input sample, 1..100000", def = "1", min = 1, max = AugmentSettings.MAX_COPIES)
          int copies) implements AugmentStep {
  }

  /** {@code Rotate} as a step of Train's online {@code augment:} chain. */
  @AutoService(ConfigChoice.class)
  public static final class Step extends AugmentChoice {
    public Step() {
      super(new Provider());
    }
  }

  /** The {@code Rotate} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends AugmentStage<Config, Rotate> {
    public Provider() {
      super("Rotate",
          "Rotate about the centre by a fixed, uniform random or right angle (multiples of 90 exact)",
          Config.class);
    }

    @Override
    Rotate build(Config c, long seed, String stageName) {
      return Rotate.of(c.mode(), c.angle()).withOrder(c.order()).withCopies(c.copies()).withSeed(seed)
          .withStageName(stageName);
    }
  }
}
