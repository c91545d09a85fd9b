package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.service.AutoService;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.augment.Boundary;
import org.unetpipelines.augment.MirrorPadding;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.image.ImageLimits;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/**
 * Pads every sample (image, mask, weights alike) by mirroring its borders, as the U-Net's
 * overlap-tile strategy does. {@link Boundary#REFLECT} (default; numpy 'reflect', scipy 'mirror')
 * does not repeat the edge pixel, {@link Boundary#SYMMETRIC} (numpy 'symmetric') does; pads larger
 * than the image repeat the reflection.
 *
 * <pre>{@code samples.apply(MirrorPad.of(92, 92, 92, 92)).samples()}</pre>
 */
public final class MirrorPad extends PTransform<PCollection<Sample>, SampleResult>
    implements AugmentStage.OpTransform {
  /** Largest pad on one side, pixels. */
  public static final int MAX_PAD = 8192;

  private final int top;
  private final int bottom;
  private final int left;
  private final int right;
  private final Boundary boundary;
  private final AugmentSettings settings;

  private MirrorPad(int top, int bottom, int left, int right, Boundary boundary, AugmentSettings settings) {
    this.top = top;
    this.bottom = bottom;
    this.left = left;
    this.right = right;
    this.boundary = boundary;
    this.settings = settings;
  }

  /** The same pad on all four sides. */
  public static MirrorPad of(int pad) {
    return of(pad, pad, pad, pad);
  }

  public static MirrorPad of(int top, int bottom, int left, int right) {
    checkArgument(top >= 0 && bottom >= 0 && left >= 0 && right >= 0,
        "pads must be >= 0, got top=%s bottom=%s left=%s right=%s", top, bottom, left, right);
    checkArgument(top + bottom + left + right > 0, "at least one pad must be > 0, got all 0");
    checkArgument(top <= MAX_PAD && bottom <= MAX_PAD && left <= MAX_PAD && right <= MAX_PAD,
        "pads must be at most %s, got top=%s bottom=%s left=%s right=%s", MAX_PAD, top, bottom, left, right);
    return new MirrorPad(top, bottom, left, right, Boundary.REFLECT, AugmentSettings.defaults("MirrorPad"));
  }

  public MirrorPad withBoundary(Boundary b) {
    return new MirrorPad(top, bottom, left, right, checkNotNull(b, "boundary"), settings);
  }

  /** The name recorded in parameters and dead letters (default "MirrorPad"). */
  public MirrorPad withStageName(String name) {
    return new MirrorPad(top, bottom, left, right, boundary, settings.withStageName(name));
  }

  /** The pipeline seed recorded in each sample. */
  public MirrorPad withSeed(long seed) {
    return new MirrorPad(top, bottom, left, right, boundary, settings.withSeed(seed));
  }

  @Override
  public SampleResult expand(PCollection<Sample> input) {
    return input.apply("Pad", AugmentSamples.of(settings, op()));
  }

  /** What every sample goes through ({@link MirrorPadding#op}); also Train's online step. */
  @Override
  public SampleOp op() {
    return MirrorPadding.op(top, bottom, left, right, boundary);
  }

  /** YAML config of {@code MirrorPad}. */
  public record Config(
      @Param(doc = "pixels added on every side (overridden per side by top/bottom/left/right)", def = "0",
          min = 0, max = MAX_PAD) int pad,
      @Param(doc = "pixels added above; default: pad", def = Param.NULL, min = 0, max = MAX_PAD) Integer top,
      @Param(doc = "pixels added below; default: pad", def = Param.NULL, min = 0, max = MAX_PAD) Integer bottom,
      @Param(doc = "pixels added on the left; default: pad", def = Param.NULL, min = 0, max = MAX_PAD) Integer left,
      @Param(doc = "pixels added on the right; default: pad", def = Param.NULL, min = 0, max = MAX_PAD) Integer right,
      @Param(doc = "reflect: edge pixel not repeated (numpy 'reflect', scipy 'mirror'); symmetric: repeated",
          def = "reflect") Boundary mode) implements AugmentStep {
  }

  /** {@code MirrorPad} as a step of Train's online {@code augment:} chain. */
  @AutoService(ConfigChoice.class)
  public static final class Step extends AugmentChoice {
    public Step() {
      super(new Provider());
    }
  }

  /** The {@code MirrorPad} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends AugmentStage<Config, MirrorPad> {
    public Provider() {
      super("MirrorPad",
          "Pad image, mask and weights by mirroring their borders (pads larger than the image repeat the reflection)",
          Config.class);
    }

    @Override
    MirrorPad build(Config c, long seed, String stageName) {
      int p = c.pad();
      return MirrorPad.of(c.top() == null ? p : c.top(), c.bottom() == null ? p : c.bottom(),
              c.left() == null ? p : c.left(), c.right() == null ? p : c.right())
          .withBoundary(c.mode()).withSeed(seed).withStageName(stageName);
    }
  }
}
