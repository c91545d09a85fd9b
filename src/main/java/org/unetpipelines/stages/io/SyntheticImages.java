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
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.engine.BaseStage;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.Coders;

/**
 * Deterministic synthetic image+mask pairs (see {@link Synthetic}): EM-like membranes or ellipses
 * on noise. Sample {@code i} is a pure function of (seed, i), so any runner makes the same set.
 */
public final class SyntheticImages extends PTransform<PBegin, PCollection<Sample>> {

  /** What to draw. */
  public enum Kind { MEMBRANES, ELLIPSES }

  private final Kind kind;
  private final int count;
  private final long start;
  private final int height;
  private final int width;
  private final int cells;
  private final int ellipses;
  private final double minRadius;
  private final double maxRadius;
  private final double noise;
  private final long seed;

  private SyntheticImages(Kind kind, int count, long start, int height, int width, int cells, int ellipses,
      double minRadius, double maxRadius, double noise, long seed) {
    this.kind = kind;
    this.count = count;
    this.start = start;
    this.height = height;
    this.width = width;
    this.cells = cells;
    this.ellipses = ellipses;
    this.minRadius = minRadius;
    this.maxRadius = maxRadius;
    this.noise = noise;
    this.seed = seed;
  }

  /** EM-like membranes: 8 images of 256x256 with 40 cells and noise 8 by default. */
  public static SyntheticImages membranes() {
    return new SyntheticImages(Kind.MEMBRANES, 8, 0, 256, 256, 40, 6, 6, 20, 8, 0);
  }

  /** Bright ellipses on noise: 8 images of 128x128 with 4 ellipses of radius 6-20 by default. */
  public static SyntheticImages ellipses() {
    return new SyntheticImages(Kind.ELLIPSES, 8, 0, 128, 128, 40, 4, 6, 20, 8, 0);
  }

  public static SyntheticImages of(Kind kind) {
    return kind == Kind.MEMBRANES ? membranes() : ellipses();
  }

  public SyntheticImages withCount(int n) {
    checkArgument(n >= 1, "count must be >= 1, got %s", n);
    return new SyntheticImages(kind, n, start, height, width, cells, ellipses, minRadius, maxRadius, noise, seed);
  }

  /** Index of the first image (images start..start+count-1); a held-out set can start where training ends. */
  public SyntheticImages withStart(long first) {
    checkArgument(first >= 0, "start must be >= 0, got %s", first);
    return new SyntheticImages(kind, count, first, height, width, cells, ellipses, minRadius, maxRadius, noise, seed);
  }

  public SyntheticImages withSize(int h, int w) {
    checkArgument(h >= 8 && w >= 8, "size must be at least 8x8, got %sx%s", h, w);
    return new SyntheticImages(kind, count, start, h, w, cells, ellipses, minRadius, maxRadius, noise, seed);
  }

  public SyntheticImages withCells(int n) {
    checkArgument(n >= 2, "cells must be >= 2, got %s", n);
    return new SyntheticImages(kind, count, start, height, width, n, ellipses, minRadius, maxRadius, noise, seed);
  }

  public SyntheticImages withEllipses(int n, double minR, double maxR) {
    checkArgument(n >= 1, "ellipses must be >= 1, got %s", n);
    checkArgument(minR > 0 && maxR >= minR, "need 0 < min_radius <= max_radius, got %s, %s", minR, maxR);
    return new SyntheticImages(kind, count, start, height, width, cells, n, minR, maxR, noise, seed);
  }

  public SyntheticImages withNoise(double sigma) {
    checkArgument(sigma >= 0, "noise must be >= 0, got %s", sigma);
    return new SyntheticImages(kind, count, start, height, width, cells, ellipses, minRadius, maxRadius, sigma, seed);
  }

  public SyntheticImages withSeed(long s) {
    return new SyntheticImages(kind, count, start, height, width, cells, ellipses, minRadius, maxRadius, noise, s);
  }

  @Override
  public PCollection<Sample> expand(PBegin input) {
    List<Long> indices = LongStream.range(start, start + count).boxed().collect(Collectors.toList());
    return input
        .apply("Indices", Create.of(indices))
        .apply("Distribute", Reshuffle.viaRandomKey())
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
      Synthetic.Pair pair = s.kind == Kind.MEMBRANES
          ? Synthetic.membranes(s.seed, i, s.height, s.width, s.cells, s.noise)
          : Synthetic.ellipses(s.seed, i, s.height, s.width, s.ellipses, s.minRadius, s.maxRadius, s.noise);
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
      @Param(doc = "membranes (EM-like Voronoi cells, mask 255 = cell, 0 = membrane) | ellipses (mask 255 inside)",
          def = "membranes") Kind kind,
      @Param(doc = "number of images", def = "8") int count,
      @Param(doc = "index of the first image; images start..start+count-1 (use distinct ranges for train / held-out)",
          def = "0") long start,
      @Param(doc = "image height in pixels (>= 8)", def = "256") int height,
      @Param(doc = "image width in pixels (>= 8)", def = "256") int width,
      @Param(doc = "membranes: Voronoi cells per image (>= 2)", def = "40") int cells,
      @Param(doc = "ellipses: ellipses per image (>= 1)", def = "4") int ellipses,
      @Param(doc = "ellipses: smallest semi-axis in pixels", def = "6") double min_radius,
      @Param(doc = "ellipses: largest semi-axis in pixels", def = "20") double max_radius,
      @Param(doc = "standard deviation of additive Gaussian noise, grey levels", def = "8") double noise) {}

  /** The {@code SyntheticImages} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends BaseStage<Config> {
    public Provider() {
      super("SyntheticImages",
          "Deterministic synthetic image+mask pairs (EM-like membranes or ellipses) from the pipeline seed",
          Config.class, InputSpec.none(), Sample.class);
    }





    @Override
    public List<String> check(Config c) {
      List<String> out = new ArrayList<>();
      try {
        build(c, 0);
      } catch (IllegalArgumentException e) {
        out.add(e.getMessage());
      }
      return out;
    }

    private static SyntheticImages build(Config c, long seed) {
      return SyntheticImages.of(c.kind()).withCount(c.count()).withStart(c.start()).withSize(c.height(), c.width())
          .withCells(c.cells()).withEllipses(c.ellipses(), c.min_radius(), c.max_radius())
          .withNoise(c.noise()).withSeed(seed);
    }

    @Override
    public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, Config c) {
      return ctx.pipelineBegin().apply(ctx.stageName(), build(c, ctx.seed()));
    }
  }
}
