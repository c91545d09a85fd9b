package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.augment.BorderWeights;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.image.ImageLimits;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/**
 * Computes the U-Net loss weight map {@code w = w_c + w0·exp(-(d1+d2)²/(2σ²))} from each sample's
 * mask ({@link BorderWeights}) and stores it as the sample's {@code weights} (FLOAT32). Put it
 * before geometric stages and they move the weights with the image (linear interpolation), or
 * after them to compute it on the final mask. A sample without a mask becomes a dead letter.
 *
 * <pre>{@code samples.apply(BorderWeightMap.create().withW0(10).withSigma(5)).samples()}</pre>
 */
public final class BorderWeightMap extends PTransform<PCollection<Sample>, SampleResult>
    implements AugmentStage.OpTransform {
  private final double w0;
  private final double sigma;
  private final boolean classBalance;
  private final AugmentSettings settings;

  private BorderWeightMap(double w0, double sigma, boolean classBalance, AugmentSettings settings) {
    this.w0 = w0;
    this.sigma = sigma;
    this.classBalance = classBalance;
    this.settings = settings;
  }

  /** The paper's w0 = 10, sigma = 5 px, class balancing on. */
  public static BorderWeightMap create() {
    return new BorderWeightMap(BorderWeights.DEFAULT_W0, BorderWeights.DEFAULT_SIGMA, true,
        AugmentSettings.defaults("BorderWeightMap"));
  }

  public BorderWeightMap withW0(double v) {
    checkArgument(v >= 0 && Double.isFinite(v), "w0 must be a finite value >= 0, got %s", v);
    return new BorderWeightMap(v, sigma, classBalance, settings);
  }

  public BorderWeightMap withSigma(double v) {
    checkArgument(v > 0 && Double.isFinite(v), "sigma must be a finite number of pixels > 0, got %s", v);
    return new BorderWeightMap(w0, v, classBalance, settings);
  }

  /** w_c = n / (2·n_class) when on; 1 when off. */
  public BorderWeightMap withClassBalance(boolean on) {
    return new BorderWeightMap(w0, sigma, on, settings);
  }

  public BorderWeightMap withSeed(long seed) {
    return new BorderWeightMap(w0, sigma, classBalance, settings.withSeed(seed));
  }

  public BorderWeightMap withStageName(String name) {
    return new BorderWeightMap(w0, sigma, classBalance, settings.withStageName(name));
  }

  @Override
  public SampleResult expand(PCollection<Sample> input) {
    return input.apply("Weights", AugmentSamples.of(settings, op()));
  }

  /** What every sample goes through ({@link BorderWeights#op}); also Train's online step. */
  @Override
  public SampleOp op() {
    return BorderWeights.op(w0, sigma, classBalance);
  }

  /** YAML config of {@code BorderWeightMap}. */
  public record Config(
      @Param(doc = "border weight w0 (the paper: 10)", def = "10.0", min = 0, max = 1e6) double w0,
      @Param(doc = "border width sigma, pixels (the paper: about 5)", def = "5.0", min = 0, minExclusive = true,
          max = ImageLimits.MAX_SIDE) double sigma,
      @Param(doc = "add the class-balancing term w_c = n / (2 n_class); false: w_c = 1", def = "true")
          boolean class_balance) implements AugmentStep {
  }

  /** {@code BorderWeightMap} as a step of Train's online {@code augment:} chain. */
  @AutoService(ConfigChoice.class)
  public static final class Step extends AugmentChoice {
    public Step() {
      super(new Provider());
    }
  }

  /** The {@code BorderWeightMap} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends AugmentStage<Config, BorderWeightMap> {
    public Provider() {
      super("BorderWeightMap",
          "U-Net pixel loss weights w_c + w0 exp(-(d1+d2)^2/(2 sigma^2)) from the mask, stored as the sample's weights",
          Config.class);
    }

    @Override
    BorderWeightMap build(Config c, long seed, String stageName) {
      return BorderWeightMap.create().withW0(c.w0()).withSigma(c.sigma()).withClassBalance(c.class_balance())
          .withSeed(seed).withStageName(stageName);
    }
  }
}
