package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.service.AutoService;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.augment.ElasticWarp;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.image.ImageLimits;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/**
 * The U-Net paper's elastic deformation ({@link ElasticWarp}): a {@code grid x grid} lattice of
 * displacements ~ N(0, sigma) px, cubic B-spline upsampled to a per-pixel field; the image is
 * sampled with cubic B-spline (default) or linear interpolation, the mask with nearest (labels keep
 * exactly their values), the weights linearly; mirror boundary. Each input gives {@code copies}
 * outputs; a copy's lattice depends only on (seed, sample id, copy, stage name) and is recorded in
 * its params as {@code dy[i][j]} / {@code dx[i][j]}.
 *
 * <p>With {@link #withCrop} only the centred crop of the deformed sample is computed (the same
 * pixels as deforming everything and cropping after, at the cost of the crop only).
 *
 * <pre>{@code samples.apply(ElasticDeform.create().withSigma(10).withCopies(8).withSeed(42)).samples()}</pre>
 */
public final class ElasticDeform extends PTransform<PCollection<Sample>, SampleResult>
    implements AugmentStage.OpTransform {
  public static final int DEFAULT_GRID = 3;
  public static final double DEFAULT_SIGMA = 10.0;

  private final int grid;
  private final double sigma;
  private final Interpolation order;
  private final int cropHeight;
  private final int cropWidth;
  private final AugmentSettings settings;

  private ElasticDeform(int grid, double sigma, Interpolation order, int cropHeight, int cropWidth,
      AugmentSettings settings) {
    this.grid = grid;
    this.sigma = sigma;
    this.order = order;
    this.cropHeight = cropHeight;
    this.cropWidth = cropWidth;
    this.settings = settings;
  }

  /** Grid 3, sigma 10 px, cubic image interpolation, one copy, no crop. */
  public static ElasticDeform create() {
    return new ElasticDeform(DEFAULT_GRID, DEFAULT_SIGMA, Interpolation.CUBIC, 0, 0,
        AugmentSettings.defaults("ElasticDeform"));
  }

  /** Grid points per axis, 2..64 (the paper: 3). */
  public ElasticDeform withGrid(int g) {
    checkArgument(g >= 2 && g <= 64, "grid must be 2..64 points per axis, got %s", g);
    return new ElasticDeform(g, sigma, order, cropHeight, cropWidth, settings);
  }

  /** Standard deviation of the displacements in pixels, >= 0 (the paper: 10). */
  public ElasticDeform withSigma(double s) {
    checkArgument(s >= 0 && Double.isFinite(s), "sigma must be a finite number of pixels >= 0, got %s", s);
    checkArgument(s <= ImageLimits.MAX_SIDE, "sigma must be at most %s pixels, got %s", (Object) ImageLimits.MAX_SIDE, s);
    return new ElasticDeform(grid, s, order, cropHeight, cropWidth, settings);
  }

  /** Image interpolation: cubic (B-spline, default) or linear. Masks always use nearest. */
  public ElasticDeform withOrder(Interpolation o) {
    checkNotNull(o, "order");
    checkArgument(o != Interpolation.NEAREST,
        "order must be cubic or linear for images, got nearest (masks always use nearest)");
    return new ElasticDeform(grid, sigma, o, cropHeight, cropWidth, settings);
  }

  /** Computes only the centred {@code height x width} crop of each deformed sample. */
  public ElasticDeform withCrop(int height, int width) {
    checkArgument(height > 0 && width > 0, "crop must be positive, got %sx%s", height, width);
    checkArgument(height <= ImageLimits.MAX_SIDE && width <= ImageLimits.MAX_SIDE,
        "crop sides must be at most %s, got %sx%s", ImageLimits.MAX_SIDE, height, width);
    return new ElasticDeform(grid, sigma, order, height, width, settings);
  }

  /** Deformed copies per input, 1..100000. */
  public ElasticDeform withCopies(int n) {
    return new ElasticDeform(grid, sigma, order, cropHeight, cropWidth, settings.withCopies(n));
  }

  /** The pipeline seed: with the sample id, copy and stage name it fixes every lattice. */
  public ElasticDeform withSeed(long seed) {
    return new ElasticDeform(grid, sigma, order, cropHeight, cropWidth, settings.withSeed(seed));
  }

  /** The name in ids, params, dead letters and random streams (default "ElasticDeform"). */
  public ElasticDeform withStageName(String name) {
    return new ElasticDeform(grid, sigma, order, cropHeight, cropWidth, settings.withStageName(name));
  }

  @Override
  public SampleResult expand(PCollection<Sample> input) {
    return input.apply("Deform", AugmentSamples.of(settings, op()));
  }

  /** What every copy goes through ({@link ElasticWarp#op}); also Train's online step. */
  @Override
  public SampleOp op() {
    return ElasticWarp.op(grid, sigma, order, cropHeight, cropWidth);
  }

  /** YAML config of {@code ElasticDeform}. */
  public record Config(
      @Param(doc = "grid points per axis of the coarse displacement lattice, 2..64", def = "3", min = 2, max = 64)
          int grid,
      @Param(doc = "standard deviation of each displacement component, pixels", def = "10.0",
          min = 0, max = ImageLimits.MAX_SIDE) double sigma,
      @Param(doc = "image interpolation: cubic (B-spline) or linear; masks always nearest, weights linear",
          def = "cubic") Interpolation order,
      @Param(doc = "deformed copies per input sample, 1..100000", def = "1", min = 1, max = AugmentSettings.MAX_COPIES)
          int copies,
      @Param(doc = "compute only the centred crop of this height (needs crop_width)", def = Param.NULL,
          min = 1, max = ImageLimits.MAX_SIDE) Integer crop_height,
      @Param(doc = "compute only the centred crop of this width (needs crop_height)", def = Param.NULL,
          min = 1, max = ImageLimits.MAX_SIDE) Integer crop_width) implements AugmentStep {
  }

  /** {@code ElasticDeform} as a step of Train's online {@code augment:} chain. */
  @AutoService(ConfigChoice.class)
  public static final class Step extends AugmentChoice {
    public Step() {
      super(new Provider());
    }
  }

  /** The {@code ElasticDeform} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends AugmentStage<Config, ElasticDeform> {
    public Provider() {
      super("ElasticDeform",
          "U-Net elastic deformation: grid x grid displacements ~ N(0, sigma), cubic B-spline image, nearest mask; copies per input",
          Config.class);
    }

    @Override
    public List<String> check(Config c) {
      List<String> out = new ArrayList<>();
      if ((c.crop_height() == null) != (c.crop_width() == null)) {
        out.add("crop_height and crop_width go together: give both or neither (got crop_height="
            + c.crop_height() + ", crop_width=" + c.crop_width() + ")");
      }
      out.addAll(super.check(c));
      return out;
    }

    @Override
    ElasticDeform build(Config c, long seed, String stageName) {
      ElasticDeform t = ElasticDeform.create().withGrid(c.grid()).withSigma(c.sigma()).withOrder(c.order())
          .withCopies(c.copies()).withSeed(seed).withStageName(stageName);
      if (c.crop_height() != null && c.crop_width() != null) {
        t = t.withCrop(c.crop_height(), c.crop_width());
      }
      return t;
    }
  }
}
