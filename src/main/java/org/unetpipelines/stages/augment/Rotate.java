package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.service.AutoService;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.augment.Rotation;
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
public final class Rotate extends PTransform<PCollection<Sample>, SampleResult> {
  /** How the angle is chosen. */
  public enum Mode {
    /** Always {@code angle}. */
    FIXED,
    /** Uniform in {@code [-angle, angle]}. */
    UNIFORM,
    /** One of 0, 90, 180, 270, uniformly. */
    RIGHT
  }

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
    checkNotNull(mode, "mode");
    checkArgument(Double.isFinite(degrees), "angle must be finite, got %s", degrees);
    checkArgument(mode != Mode.UNIFORM || (degrees > 0 && degrees <= 180),
        "uniform mode needs 0 < angle <= 180 degrees (the largest |angle| drawn), got %s", degrees);
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
    Mode m = mode;
    double a = angle;
    Interpolation o = order;
    SampleOp op = (in, rng) -> {
      double deg;
      switch (m) {
        case FIXED:
          deg = a;
          break;
        case UNIFORM:
          deg = -a + 2 * a * rng.nextDouble();
          break;
        default:
          deg = 90.0 * rng.nextInt(4);
      }
      return List.of(SampleOp.Outcome.of(Rotation.rotate(in, deg, o), "angle", deg));
    };
    return input.apply("Rotate", AugmentSamples.of(settings, op));
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
          int copies) {}

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
