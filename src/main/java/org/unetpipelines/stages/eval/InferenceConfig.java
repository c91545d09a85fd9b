package org.unetpipelines.stages.eval;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.unetpipelines.engine.ConfigChecks;
import org.unetpipelines.engine.Param;
import org.unetpipelines.eval.InferenceMode;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.Predictor;
import org.unetpipelines.eval.ProbabilityMap;
import org.unetpipelines.eval.TiledInference;
import org.unetpipelines.eval.Tta;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.io.SavedModelFiles;
import org.unetpipelines.model.Serving;

/**
 * How a model is run over whole images, shared by the {@code Evaluate} and {@code Predict} stages
 * (an inline field of their configs: its keys are written in the stage's config mapping) and the
 * {@code predict} command (one {@code --option} per field): tiling, batching, test-time
 * augmentation, the output head and the foreground threshold.
 *
 * <pre>{@code
 * - type: Evaluate
 *   config: {dataset: isbi2012, mode: overlap_tile, tta: dihedral}
 * }</pre>
 */
public record InferenceConfig(
    @Param(doc = "how tiles cover an image: auto (from the model: valid padding -> overlap_tile, same -> "
        + "sliding_window), overlap_tile (U-Net) or sliding_window (UNet++)", def = "auto") InferenceMode mode,
    @Param(doc = "input tile side for models that accept any size (e.g. 96 for UNet++ patches); 0 = model.json's",
        def = "0", min = 0, max = InferenceConfig.MAX_TILE) int tile,
    @Param(doc = "sliding_window: fraction of a tile shared with its neighbour", def = "0.5", min = 0, max = 1,
        maxExclusive = true) double overlap,
    @Param(doc = "tiles per model call", def = "4", min = 1, max = InferenceConfig.MAX_BATCH) int batch,
    @Param(doc = "test-time augmentation: none, flips (4 predictions averaged) or dihedral (8: quarter turns "
        + "with and without a flip)", def = "none") Tta tta,
    @Param(doc = "output head of a model with several (model.json serving.heads, e.g. L1..L4, ensemble); "
        + "absent = the model's default head", def = Param.NULL) String head,
    @Param(doc = "foreground threshold p > t of label images and of the threshold-bound metrics", def = "0.5",
        min = 0, max = 1) double threshold) implements Serializable {

  /** Largest input tile side (a 16384 x 16384 float tile is 1 GiB per channel). */
  public static final int MAX_TILE = 16384;
  /** Most tiles per model call. */
  public static final int MAX_BATCH = 1024;
  /** Most tile pixels of one model call, batch x tile x tile: 2^28 (1 GiB of float32 per channel). */
  public static final long MAX_BATCH_PIXELS = 1L << 28;

  /** Every field at its default. */
  public static final InferenceConfig DEFAULT = new InferenceConfig(InferenceMode.AUTO, 0, 0.5,
      TiledInference.DEFAULT_BATCH, Tta.NONE, null, 0.5);

  /** Every rule at once ({@link ConfigChecks}): all problems are reported together. */
  public InferenceConfig {
    ConfigChecks c = new ConfigChecks();
    c.check(mode != null, "inference mode must be given (auto, overlap_tile or sliding_window)");
    boolean tileOk = c.check(tile >= 0 && tile <= MAX_TILE, "tile must be 0..%s (0 = the model's own size), got %s",
        MAX_TILE, tile);
    c.check(overlap >= 0 && overlap < 1, "overlap must be in [0, 1), got %s", overlap);
    boolean batchOk = c.check(batch >= 1 && batch <= MAX_BATCH, "batch must be 1..%s, got %s", MAX_BATCH, batch);
    c.check(tta != null, "tta must be given (none, flips or dihedral)");
    c.check(head == null || !head.isBlank(), "head must be a head name or absent, got '%s'", head);
    c.check(threshold >= 0 && threshold <= 1, "threshold must be in [0, 1], got %s", threshold);
    if (tileOk && batchOk) {
      c.check((long) batch * tile * tile <= MAX_BATCH_PIXELS, "batch x tile x tile must be at most %s pixels per "
          + "model call (1 GiB of float32 per channel), got %s x %s x %s = %s: lower batch or tile",
          MAX_BATCH_PIXELS, batch, tile, tile, (long) batch * tile * tile);
    }
    c.done();
  }

  /**
   * The model as run: its own tile size or {@code tile x tile} input with the same margins, and the
   * chosen head; fails when the tile leaves no output or the model does not serve the head.
   */
  public ModelSpec spec(ModelSpec model) {
    ModelSpec s = tile == 0 ? model : model.withTile(tile, tile);
    return s.withHead(head);
  }

  /** The whole-image inference of a loaded model with these settings. */
  public TiledInference tiler(Predictor p) {
    return mode.tiler(p, overlap, batch).withTta(tta);
  }

  public ProbabilityMap predict(Predictor p, ImageArray image) {
    return tiler(p).predict(image);
  }

  /**
   * Errors of a stage's model folder with these settings, found before the pipeline runs: a missing
   * folder, an unreadable model.json, a tile that leaves no output, a head the model does not serve,
   * an incomplete or corrupt SavedModel ({@link SavedModelFiles}).
   *
   * @param model the {@code model:} folder, or null when the model comes from a ModelArtifact input
   */
  public List<String> check(String model) {
    List<String> out = new ArrayList<>();
    if (model == null) {
      return out;
    }
    if (!Files.isDirectory(Path.of(model))) {
      out.add("'model': no SavedModel folder '" + model + "'");
      return out;
    }
    ModelSpec read;
    try {
      read = ModelSpec.read(Path.of(model));
      ModelSpec run = spec(read);
      long pixels = (long) batch * run.inputHeight() * run.inputWidth();
      if (pixels > MAX_BATCH_PIXELS) {
        out.add("'batch': " + batch + " tiles of the model's " + run.inputHeight() + "x" + run.inputWidth()
            + " input are " + pixels + " pixels per model call, more than " + MAX_BATCH_PIXELS
            + " (1 GiB of float32 per channel): lower batch or tile");
      }
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      out.add("'model' " + model + ": " + e.getMessage());
      return out;
    }
    // the SavedModel's files: saved_model.pb, the variables index and its data shards (each names its path)
    SavedModelFiles.problems(Path.of(read.savedModelDir()), Serving.TAG, Serving.SIGNATURE)
        .forEach(p -> out.add("'model': " + p));
    return out;
  }
}
