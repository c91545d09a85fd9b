package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.LinkedHashMap;
import java.util.Map;
import org.unetpipelines.eval.ChallengeMetrics;
import org.unetpipelines.eval.InferenceMode;
import org.unetpipelines.eval.MetricSummary;
import org.unetpipelines.eval.Predictor;
import org.unetpipelines.eval.ProbabilityMap;
import org.unetpipelines.eval.SegmentationMetrics;
import org.unetpipelines.eval.TiledInference;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.task.Task;

/**
 * Validation on whole images ({@link ValidationMode#WHOLE_IMAGE}): the graph's served output as a
 * tile {@link Predictor}, the evaluation's {@link TiledInference} over each validation image (any
 * size), and the scores {@code Evaluate} gives the same images: {@link ChallengeMetrics.Stack} stack
 * scores and per-image {@link SegmentationMetrics} means.
 */
public final class WholeImageValidation {
  /** The per-image metrics whose means are reported. */
  static final String[] MEANS = {"iou", "dice"};

  private WholeImageValidation() {}

  /** Metric name to value over the validation images, predicted by the training graph. */
  static Map<String, Double> score(TrainingGraph tg, Iterable<Sample> validation) {
    return score(new GraphPredictor(tg), validation);
  }

  /**
   * Metric name to value over the validation images, predicted whole by {@code p} (overlap-tile for
   * a valid-padding network, 50 % sliding window otherwise; {@link TiledInference#DEFAULT_BATCH}
   * tiles per call).
   */
  public static Map<String, Double> score(Predictor p, Iterable<Sample> validation) {
    TiledInference tiler = InferenceMode.AUTO.tiler(p, 0.5, TiledInference.DEFAULT_BATCH);
    ChallengeMetrics.Stack stack = new ChallengeMetrics.Stack();
    Map<String, MetricSummary> means = new LinkedHashMap<>();
    for (String m : MEANS) {
      means.put(m, new MetricSummary());
    }
    for (Sample s : validation) {
      checkArgument(s.getMask() != null, "validation sample %s has no mask; whole-image validation scores masks",
          s.getId());
      ImageArray image = Tensors.toImage(s.getImage());
      ImageArray mask = Tensors.toImage(s.getMask());
      checkArgument(image.sameSize(mask), "validation sample %s: image %s and mask %s differ in size", s.getId(),
          image.shapeString(), mask.shapeString());
      ProbabilityMap probs = tiler.predict(image);
      float[] fg = probs.foreground();
      boolean[] truth = SegmentationMetrics.foreground(mask);
      Map<String, Double> m = SegmentationMetrics.compute(fg, truth, image.height(), image.width(),
          SegmentationMetrics.DEFAULT_THRESHOLD);
      for (String k : MEANS) {
        means.get(k).add(m.get(k));
      }
      stack.add(ChallengeMetrics.score(fg, truth, image.height(), image.width()));
    }
    checkArgument(stack.slices() > 0, "the validation set is empty");
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, MetricSummary> e : means.entrySet()) {
      out.put(e.getKey(), e.getValue().mean());
    }
    stack.scores().forEach((k, v) -> out.put(k, v.value()));
    return out;
  }

  /** The training graph's served probabilities as a tile predictor. */
  static final class GraphPredictor implements Predictor {
    private final TrainingGraph tg;
    private final Task.Geometry geo;

    GraphPredictor(TrainingGraph tg) {
      this.tg = tg;
      this.geo = tg.task().geometry();
    }

    @Override
    public int inputHeight() {
      return geo.inputHeight();
    }

    @Override
    public int inputWidth() {
      return geo.inputWidth();
    }

    @Override
    public int inputChannels() {
      return geo.inputChannels();
    }

    @Override
    public int outputHeight() {
      return geo.outputHeight();
    }

    @Override
    public int outputWidth() {
      return geo.outputWidth();
    }

    @Override
    public int classes() {
      return geo.classes();
    }

    @Override
    public float[][] predict(float[][] tiles) {
      int in = inputHeight() * inputWidth() * inputChannels();
      int out = outputHeight() * outputWidth() * classes();
      float[] x = new float[tiles.length * in];
      for (int i = 0; i < tiles.length; i++) {
        checkArgument(tiles[i].length == in, "tile %s has %s values, expected %s", i, tiles[i].length, in);
        System.arraycopy(tiles[i], 0, x, i * in, in);
      }
      float[] y = tg.predict(tiles.length, x);
      checkArgument(y.length == tiles.length * out, "the graph returned %s values for %s tiles of %s", y.length,
          tiles.length, out);
      float[][] res = new float[tiles.length][];
      for (int i = 0; i < tiles.length; i++) {
        res[i] = java.util.Arrays.copyOfRange(y, i * out, (i + 1) * out);
      }
      return res;
    }
  }
}
