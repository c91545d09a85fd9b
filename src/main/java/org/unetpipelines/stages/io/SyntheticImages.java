package org.unetpipelines.stages.io;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.unetpipelines.stages.Distribute;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.engine.BaseStage;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.image.ImageLimits;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.Sample;

/**
 * Deterministic synthetic image+mask pairs (see {@link Synthetic}): EM-like membranes, ellipses
 * on noise, or textured RGB objects on textured backgrounds (for unsupervised segmentation: their
 * masks are for evaluation only). Sample {@code i} is a pure function of (seed, i), so any runner makes the same set.
 */
public final class SyntheticImages extends PTransform<PBegin, PCollection<Sample>> {
  /** Most images one stage draws (their indexes are listed when the pipeline is built). */
  public static final int MAX_COUNT = 10_000_000;
  /** Largest first index, so that start + count stays exact. */
  public static final long MAX_START = 1_000_000_000_000_000L;
  /** Most cells or ellipses per image. */
  public static final int MAX_SHAPES = 100_000;

  /** What to draw. */
  public enum Kind { MEMBRANES, ELLIPSES, OBJECTS }

  private final Kind kind;
  private final int count;
  private final long start;
  private final int height;
  private final int width;
  private final int cells;
  private final int ellipses;
  private final double minRadius;
  private final double maxRadius;
  private final double minScale;
  private final double maxScale;
  private final double noise;
  private final long seed;

  private SyntheticImages(Kind kind, int count, long start, int height, int width, int cells, int ellipses,
      double minRadius, double maxRadius, double minScale, double maxScale, double noise, long seed) {
    this.kind = kind;
    this.count = count;
    this.start = start;
    this.height = height;
    this.width = width;
    this.cells = cells;
    this.ellipses = ellipses;
    this.minRadius = minRadius;
    this.maxRadius = maxRadius;
    this.minScale = minScale;
    this.maxScale = maxScale;
    this.noise = noise;
    this.seed = seed;
  }

  /** EM-like membranes: 8 images of 256x256 with 40 cells and noise 8 by default. */
  public static SyntheticImages membranes() {
    return new SyntheticImages(Kind.MEMBRANES, 8, 0, 256, 256, 40, 6, 6, 20, 0.2, 0.33, 8, 0);
  }

  /** Bright ellipses on noise: 8 images of 128x128 with 4 ellipses of radius 6-20 by default. */
  public static SyntheticImages ellipses() {
    return new SyntheticImages(Kind.ELLIPSES, 8, 0, 128, 128, 40, 4, 6, 20, 0.2, 0.33, 8, 0);
  }

  /**
   * Textured RGB objects on textured backgrounds ({@link Synthetic#objects}): 8 images of 64x64, mean
   * object radius 0.2-0.33 of the side, noise 4 by default.
   */
  public static SyntheticImages objects() {
    return new SyntheticImages(Kind.OBJECTS, 8, 0, 64, 64, 40, 4, 6, 20, 0.2, 0.33, 4, 0);
  }

  public static SyntheticImages of(Kind kind) {
    return switch (kind) {
      case MEMBRANES -> membranes();
      case ELLIPSES -> ellipses();
      case OBJECTS -> objects();
    };
  }

  public SyntheticImages withCount(int n) {
    checkArgument(n >= 1 && n <= MAX_COUNT, "count must be 1..%s, got %s", MAX_COUNT, n);
    return new SyntheticImages(kind, n, start, height, width, cells, ellipses, minRadius, maxRadius, minScale, maxScale, noise, seed);
  }

  /** Index of the first image (images start..start+count-1); a held-out set can start where training ends. */
  public SyntheticImages withStart(long first) {
    checkArgument(first >= 0 && first <= MAX_START, "start must be 0..%s, got %s", MAX_START, first);
    return new SyntheticImages(kind, count, first, height, width, cells, ellipses, minRadius, maxRadius, minScale, maxScale, noise, seed);
  }

  public SyntheticImages withSize(int h, int w) {
    checkArgument(h >= 8 && w >= 8 && h <= ImageLimits.MAX_SIDE && w <= ImageLimits.MAX_SIDE,
        "size sides must be 8..%s, got %sx%s", ImageLimits.MAX_SIDE, h, w);
    checkArgument((long) h * w <= ImageLimits.DEFAULT_MAX_PIXELS, "size %sx%s has more than %s pixels", h, w,
        ImageLimits.DEFAULT_MAX_PIXELS);
    return new SyntheticImages(kind, count, start, h, w, cells, ellipses, minRadius, maxRadius, minScale, maxScale, noise, seed);
  }

  public SyntheticImages withCells(int n) {
    checkArgument(n >= 2 && n <= MAX_SHAPES, "cells must be 2..%s, got %s", MAX_SHAPES, n);
    return new SyntheticImages(kind, count, start, height, width, n, ellipses, minRadius, maxRadius, minScale, maxScale, noise, seed);
  }

  public SyntheticImages withEllipses(int n, double minR, double maxR) {
    checkArgument(n >= 1 && n <= MAX_SHAPES, "ellipses must be 1..%s, got %s", MAX_SHAPES, n);
    checkArgument(minR > 0 && maxR >= minR, "need 0 < min_radius <= max_radius, got %s, %s", minR, maxR);
    return new SyntheticImages(kind, count, start, height, width, cells, n, minR, maxR, minScale, maxScale, noise, seed);
  }

  /** Objects: the mean object radius is drawn from [min, max] times the shorter side (0 &lt; min &lt;= max &lt;= 0.5). */
  public SyntheticImages withObjectScale(double min, double max) {
    checkArgument(min > 0 && max >= min && max <= 0.5, "need 0 < min_scale <= max_scale <= 0.5, got %s, %s", min, max);
    return new SyntheticImages(kind, count, start, height, width, cells, ellipses, minRadius, maxRadius, min, max, noise,
        seed);
  }

  public SyntheticImages withNoise(double sigma) {
    checkArgument(sigma >= 0, "noise must be >= 0, got %s", sigma);
    return new SyntheticImages(kind, count, start, height, width, cells, ellipses, minRadius, maxRadius, minScale, maxScale, sigma, seed);
  }

  public SyntheticImages withSeed(long s) {
    return new SyntheticImages(kind, count, start, height, width, cells, ellipses, minRadius, maxRadius, minScale, maxScale, noise, s);
  }

  @Override
  public PCollection<Sample> expand(PBegin input) {
    List<Long> indices = LongStream.range(start, start + count).boxed().collect(Collectors.toList());
    return input
        .apply("Indices", Create.of(indices))
        .apply("Distribute", Distribute.evenly())
        .apply("Draw", ParDo.of(new DrawFn(this)))
        .setCoder(Coders.sample());
  }

  /** Draws sample {@code i}. */
  static final class DrawFn extends DoFn<Long, Sample> {
    private final SyntheticImages spec;

    DrawFn(SyntheticImages spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element Long i, OutputReceiver<Sample> out) {
      SyntheticImages s = spec;
      Synthetic.Pair pair = switch (s.kind) {
        case MEMBRANES -> Synthetic.membranes(s.seed, i, s.height, s.width, s.cells, s.noise);
        case ELLIPSES -> Synthetic.ellipses(s.seed, i, s.height, s.width, s.ellipses, s.minRadius, s.maxRadius, s.noise);
        case OBJECTS -> Synthetic.objects(s.seed, i, s.height, s.width, s.minScale, s.maxScale, s.noise);
      };
      String kindName = s.kind.name().toLowerCase(java.util.Locale.ROOT);
      out.output(Sample.newBuilder()
          .setId(String.format("%s-%05d", kindName, i))
          .setSource("synthetic:" + kindName)
          .setSeed(s.seed)
          .setCopy(0)
          .setImage(Tensors.toTensor(pair.image()))
          .setMask(Tensors.toTensor(pair.mask()))
          .setParams(new ArrayList<>())
          .build());
    }
  }

  /** YAML config of {@code SyntheticImages}. */
  public record Config(
      @Param(doc = "membranes (EM-like Voronoi cells, mask 255 = cell, 0 = membrane) | ellipses (mask 255 inside) | "
          + "objects (RGB: a textured object of a random smooth shape on a textured background, mask 255 inside)",
          def = "membranes") Kind kind,
      @Param(doc = "number of images", def = "8", min = 1, max = MAX_COUNT) int count,
      @Param(doc = "index of the first image; images start..start+count-1 (use distinct ranges for train / held-out)",
          def = "0", min = 0, max = MAX_START) long start,
      @Param(doc = "image height in pixels (>= 8; height x width at most 100000000)", def = "256", min = 8,
          max = ImageLimits.MAX_SIDE) int height,
      @Param(doc = "image width in pixels (>= 8)", def = "256", min = 8, max = ImageLimits.MAX_SIDE) int width,
      @Param(doc = "membranes: Voronoi cells per image (>= 2)", def = "40", min = 2, max = MAX_SHAPES) int cells,
      @Param(doc = "ellipses: ellipses per image (>= 1)", def = "4", min = 1, max = MAX_SHAPES) int ellipses,
      @Param(doc = "ellipses: smallest semi-axis in pixels", def = "6", min = 0, minExclusive = true,
          max = ImageLimits.MAX_SIDE) double min_radius,
      @Param(doc = "ellipses: largest semi-axis in pixels", def = "20", min = 0, minExclusive = true,
          max = ImageLimits.MAX_SIDE) double max_radius,
      @Param(doc = "objects: smallest mean object radius as a share of the shorter side", def = "0.2", min = 0.01,
          max = 0.5) double min_scale,
      @Param(doc = "objects: largest mean object radius as a share of the shorter side (<= 0.5)", def = "0.33",
          min = 0.01, max = 0.5) double max_scale,
      @Param(doc = "standard deviation of additive Gaussian noise, grey levels", def = "8", min = 0, max = 255)
          double noise) {}

  /** The {@code SyntheticImages} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends BaseStage<Config> {
    public Provider() {
      super("SyntheticImages",
          "Deterministic synthetic image+mask pairs (EM-like membranes, ellipses, textured RGB objects) from the pipeline seed",
          Config.class, InputSpec.none(), Sample.class);
    }





    @Override
    public List<String> check(Config c) {
      // each builder step on its own, so that every rule it breaks is reported, not only the first
      SyntheticImages base = SyntheticImages.of(c.kind());
      List<java.util.function.UnaryOperator<SyntheticImages>> steps = List.of(
          t -> t.withCount(c.count()), t -> t.withStart(c.start()), t -> t.withSize(c.height(), c.width()),
          t -> t.withCells(c.cells()), t -> t.withEllipses(c.ellipses(), c.min_radius(), c.max_radius()),
          t -> t.withNoise(c.noise()));
      List<String> out = new ArrayList<>();
      for (java.util.function.UnaryOperator<SyntheticImages> step : steps) {
        try {
          step.apply(base);
        } catch (IllegalArgumentException e) {
          out.add(e.getMessage());
        }
      }
      return out;
    }

    private static SyntheticImages build(Config c, long seed) {
      return SyntheticImages.of(c.kind()).withCount(c.count()).withStart(c.start()).withSize(c.height(), c.width())
          .withCells(c.cells()).withEllipses(c.ellipses(), c.min_radius(), c.max_radius())
          .withObjectScale(c.min_scale(), c.max_scale()).withNoise(c.noise()).withSeed(seed);
    }

    @Override
    public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, Config c) {
      return ctx.pipelineBegin().apply(ctx.stageName(), build(c, ctx.seed()));
    }
  }
}
