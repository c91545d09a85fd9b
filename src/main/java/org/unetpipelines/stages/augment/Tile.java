package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.image.TileGrid;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.image.ImageLimits;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/**
 * Cuts every sample into sliding-window tiles ({@link TileGrid}: origins every {@code stride}, plus one
 * flush with the far edge so every pixel is covered), e.g. UNet++'s 96x96 training patches. Tile
 * {@code k} (row-major) gets id {@code <id>/<stage>#k} and params {@code tile_y}, {@code tile_x}.
 * Tiled inference stitches predictions back along the same grid ({@code eval.TileStitcher}).
 *
 * <pre>{@code samples.apply(Tile.of(96, 96).withStride(48, 48)).samples()}</pre>
 */
public final class Tile extends PTransform<PCollection<Sample>, SampleResult> {
  private final int height;
  private final int width;
  private final int strideY;
  private final int strideX;
  private final AugmentSettings settings;

  private Tile(int height, int width, int strideY, int strideX, AugmentSettings settings) {
    this.height = height;
    this.width = width;
    this.strideY = strideY;
    this.strideX = strideX;
    this.settings = settings;
  }

  /** Non-overlapping tiles (stride = tile size) until {@link #withStride}. */
  public static Tile of(int height, int width) {
    checkArgument(height > 0 && width > 0, "tile size must be positive, got %sx%s", height, width);
    return new Tile(height, width, height, width, AugmentSettings.defaults("Tile"));
  }

  /** Window step; at most the tile size, or pixels between tiles would be skipped. */
  public Tile withStride(int y, int x) {
    checkArgument(y > 0 && x > 0, "stride must be positive, got %sx%s", y, x);
    return new Tile(height, width, y, x, settings);
  }

  public Tile withSeed(long seed) {
    return new Tile(height, width, strideY, strideX, settings.withSeed(seed));
  }

  public Tile withStageName(String name) {
    return new Tile(height, width, strideY, strideX, settings.withStageName(name));
  }

  List<String> problems() {
    List<String> out = new ArrayList<>();
    if (strideY > height || strideX > width) {
      out.add("stride " + strideY + "x" + strideX + " is larger than the tile " + height + "x" + width
          + ": pixels between tiles would be skipped");
    }
    return out;
  }

  @Override
  public SampleResult expand(PCollection<Sample> input) {
    List<String> problems = problems();
    checkArgument(problems.isEmpty(), "%s", String.join("; ", problems));
    int h = height;
    int w = width;
    int sy = strideY;
    int sx = strideX;
    SampleOp op = (in, rng) -> {
      TileGrid grid = new TileGrid(in.height(), in.width(), h, w, sy, sx);
      List<SampleOp.Outcome> out = new ArrayList<>(grid.count());
      for (TileGrid.Origin o : grid.origins()) {
        out.add(SampleOp.Outcome.of(Crops.crop(in, new Crops.Window(o.y(), o.x(), h, w)), "tile_y", o.y(), "tile_x", o.x()));
      }
      return out;
    };
    return input.apply("Tile", AugmentSamples.of(settings, op));
  }

  /** YAML config of {@code Tile}. */
  public record Config(
      @Param(doc = "tile height, pixels", min = 1, max = ImageLimits.MAX_SIDE) int height,
      @Param(doc = "tile width, pixels", min = 1, max = ImageLimits.MAX_SIDE) int width,
      @Param(doc = "vertical step between tiles (<= height); default: height", def = Param.NULL, min = 1,
          max = ImageLimits.MAX_SIDE) Integer stride_y,
      @Param(doc = "horizontal step between tiles (<= width); default: width", def = Param.NULL, min = 1,
          max = ImageLimits.MAX_SIDE) Integer stride_x) {}

  /** The {@code Tile} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends AugmentStage<Config, Tile> {
    public Provider() {
      super("Tile",
          "Sliding-window tiles of a size and stride covering every pixel (the inverse: eval.TileStitcher)",
          Config.class);
    }

    @Override
    Tile build(Config c, long seed, String stageName) {
      return Tile.of(c.height(), c.width())
          .withStride(c.stride_y() == null ? c.height() : c.stride_y(), c.stride_x() == null ? c.width() : c.stride_x())
          .withSeed(seed).withStageName(stageName);
    }

    @Override
    List<String> problems(Tile t) {
      return t.problems();
    }
  }
}
