package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.service.AutoService;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.augment.Crops.Mode;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.image.ImageLimits;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/**
 * Crops samples to {@code height x width}: centred, or at a uniformly random position per copy. The
 * window's origin is recorded as the params {@code crop_y}, {@code crop_x}. A sample smaller than
 * the crop becomes a dead letter (pad it first with {@link MirrorPad}).
 *
 * <pre>{@code samples.apply(Crop.random(96, 96).withCopies(16).withSeed(42)).samples()}</pre>
 */
public final class Crop extends PTransform<PCollection<Sample>, SampleResult>
    implements AugmentStage.OpTransform {
  private final int height;
  private final int width;
  private final Mode mode;
  private final AugmentSettings settings;

  private Crop(int height, int width, Mode mode, AugmentSettings settings) {
    this.height = height;
    this.width = width;
    this.mode = mode;
    this.settings = settings;
  }

  public static Crop center(int height, int width) {
    return of(Mode.CENTER, height, width);
  }

  public static Crop random(int height, int width) {
    return of(Mode.RANDOM, height, width);
  }

  public static Crop of(Mode mode, int height, int width) {
    checkNotNull(mode, "mode");
    checkArgument(height > 0 && width > 0, "crop size must be positive, got %sx%s", height, width);
    return new Crop(height, width, mode, AugmentSettings.defaults("Crop"));
  }

  public Crop withCopies(int n) {
    return new Crop(height, width, mode, settings.withCopies(n));
  }

  public Crop withSeed(long seed) {
    return new Crop(height, width, mode, settings.withSeed(seed));
  }

  public Crop withStageName(String name) {
    return new Crop(height, width, mode, settings.withStageName(name));
  }

  List<String> problems() {
    return mode == Mode.CENTER && settings.copies() > 1
        ? List.of("centre crops are all the same: copies must be 1 with mode center, got " + settings.copies())
        : List.of();
  }

  @Override
  public SampleResult expand(PCollection<Sample> input) {
    List<String> problems = problems();
    checkArgument(problems.isEmpty(), "%s", String.join("; ", problems));
    return input.apply("Crop", AugmentSamples.of(settings, op()));
  }

  /** What every copy goes through ({@link Crops#op}); also Train's online step. */
  @Override
  public SampleOp op() {
    return Crops.op(mode, height, width);
  }

  /** YAML config of {@code Crop}. */
  public record Config(
      @Param(doc = "crop height, pixels", min = 1, max = ImageLimits.MAX_SIDE) int height,
      @Param(doc = "crop width, pixels", min = 1, max = ImageLimits.MAX_SIDE) int width,
      @Param(doc = "center or random (a uniformly random window per copy)", def = "center") Mode mode,
      @Param(doc = "crops per input sample (mode random only), 1..100000", def = "1", min = 1,
          max = AugmentSettings.MAX_COPIES) int copies) implements AugmentStep {
  }

  /** {@code Crop} as a step of Train's online {@code augment:} chain. */
  @AutoService(ConfigChoice.class)
  public static final class Step extends AugmentChoice {
    public Step() {
      super(new Provider());
    }
  }

  /** The {@code Crop} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends AugmentStage<Config, Crop> {
    public Provider() {
      super("Crop",
          "Crop to a size, centred or at random positions; samples smaller than the crop become dead letters",
          Config.class);
    }

    @Override
    Crop build(Config c, long seed, String stageName) {
      return Crop.of(c.mode(), c.height(), c.width()).withCopies(c.copies()).withSeed(seed)
          .withStageName(stageName);
    }

    @Override
    List<String> problems(Crop t) {
      return t.problems();
    }
  }
}
