package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.eval.ClassificationMetrics;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.Predictor;
import org.unetpipelines.eval.PredictorCache;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.model.resnet.ResNetConfig;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.Coders;
import org.unetpipelines.train.CurveLog;
import org.unetpipelines.train.TrainConfig;
import org.unetpipelines.train.Trainer;
import org.unetpipelines.train.task.Tasks;

/** Evaluate on classifiers: per-class accuracy and the confusion matrix as metric records; a trained ResNet's SavedModel. */
class ClassifierEvaluationTest {
  @TempDir Path tmp;
  private Function<ModelSpec, Predictor> previousLoader;

  @AfterEach
  void restoreLoader() {
    if (previousLoader != null) {
      PredictorCache.setLoader(previousLoader);
    }
  }

  private static TestPipeline pipeline() {
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    Coders.register(p);
    return p;
  }

  /** Predicts the class written in the first pixel (0, 1, 2 -> probabilities peaked there), 3 classes. */
  private static final class PixelClassifier implements Predictor {
    @Override public int inputHeight() { return 2; }
    @Override public int inputWidth() { return 2; }
    @Override public int inputChannels() { return 1; }
    @Override public int outputHeight() { return 1; }
    @Override public int outputWidth() { return 1; }
    @Override public int classes() { return 3; }

    @Override
    public float[][] predict(float[][] tiles) {
      float[][] out = new float[tiles.length][];
      for (int t = 0; t < tiles.length; t++) {
        int c = Math.round(tiles[t][0] * 255);
        out[t] = new float[] {0.1f, 0.1f, 0.1f};
        out[t][c] = 0.8f;
      }
      return out;
    }
  }

  private static Sample sample(String id, int label, int predicted) {
    return Sample.newBuilder().setId(id).setSource("test").setLabel(label).setImage(Tensors.toTensor(
        ImageArray.wrap(2, 2, 1, ImageArray.Depth.U8, new float[] {predicted, 0, 0, 0}))).build();
  }

  @Test
  void perClassAccuracyAndConfusionMatrixRecords() {
    previousLoader = PredictorCache.setLoader(spec -> new PixelClassifier());
    // (label, predicted): class 0: 0, 0, 1; class 1: 1; class 2: 0, 2
    int[][] cases = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {2, 0}, {2, 2}};
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < cases.length; i++) {
      samples.add(sample("s" + i, cases[i][0], cases[i][1]));
    }
    Path out = tmp.resolve("eval");
    TestPipeline p = pipeline();
    p.apply(Create.of(samples).withCoder(Coders.sample()))
        .apply(Evaluate.model(new ModelSpec(tmp.toString(), 2, 2, 1, 1, 1, 3), "px").writeTo(out.toString()));
    p.run().waitUntilFinish();
    Map<String, MetricRecord> agg = MetricFiles.readMetrics(out).stream().filter(r -> r.getImageId() == null)
        .collect(Collectors.toMap(MetricRecord::getMetric, r -> r));
    assertEquals(4.0 / 6, agg.get("top1").getValue(), 1e-12);
    assertEquals(2.0 / 3, agg.get("accuracy_class_0").getValue(), 1e-12);
    assertEquals(3, agg.get("accuracy_class_0").getN());
    assertEquals(1.0, agg.get("accuracy_class_1").getValue(), 1e-12);
    assertEquals(0.5, agg.get("accuracy_class_2").getValue(), 1e-12);
    long[][] counts = new long[3][3];
    for (int t = 0; t < 3; t++) {
      for (int c = 0; c < 3; c++) {
        MetricRecord r = agg.get(ClassificationMetrics.confusionMetric(t, c));
        counts[t][c] = r == null ? 0 : r.getN();
        if (r != null) {
          assertEquals(1.0, r.getValue(), 0.0);
        }
      }
    }
    long[][] want = {{2, 1, 0}, {0, 1, 0}, {1, 0, 1}};
    for (int t = 0; t < 3; t++) {
      assertArrayEquals(want[t], counts[t], "confusion row " + t);
    }
    float[][] probs = new float[cases.length][];
    int[] labels = new int[cases.length];
    for (int i = 0; i < cases.length; i++) {
      probs[i] = new PixelClassifier().predict(new float[][] {{cases[i][1] / 255f, 0, 0, 0}})[0];
      labels[i] = cases[i][0];
    }
    long[][] direct = ClassificationMetrics.confusion(probs, labels);
    for (int t = 0; t < 3; t++) {
      assertArrayEquals(want[t], direct[t]);
    }
    assertEquals(0, ClassificationMetrics.predicted(new float[] {0.4f, 0.2f, 0.4f}), "ties: the lower index");
  }

  /** Evaluate's classifier records through the Report stage's transform: the page shows the matrix and the bars. */
  @Test
  void theReportOfAClassifierEvaluationShowsItsConfusionMatrixAndPerClassAccuracy() throws Exception {
    previousLoader = PredictorCache.setLoader(spec -> new PixelClassifier());
    int[][] cases = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {2, 0}, {2, 2}};
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < cases.length; i++) {
      samples.add(sample("s" + i, cases[i][0], cases[i][1]));
    }
    Path report = tmp.resolve("report");
    TestPipeline p = pipeline();
    p.apply(Create.of(samples).withCoder(Coders.sample()))
        .apply(Evaluate.model(new ModelSpec(tmp.toString(), 2, 2, 1, 1, 1, 3), "px").withDataset("fmnist")
            .writeTo(tmp.resolve("eval").toString()))
        .metrics().apply(Report.to(report.toString()).withTitle("classifier").withSamples(0));
    p.run().waitUntilFinish();
    String html = java.nio.file.Files.readString(report.resolve(org.unetpipelines.eval.HtmlReport.FILE));
    assertTrue(html.contains("<h2>Classes</h2>"), html);
    assertTrue(html.contains("alt=\"confusion matrix ") && html.contains("alt=\"per-class accuracy "), html);
    // true class 0: 2 right, 1 as class 1 (n 3, accuracy 2/3); class 2: 1 as class 0, 1 right
    assertTrue(html.contains("<tr><th class=l>0</th><td>2</td><td>1</td><td>0</td><td>3</td><td>0.6667</td></tr>"),
        html);
    assertTrue(html.contains("<tr><th class=l>2</th><td>1</td><td>0</td><td>1</td><td>2</td><td>0.5000</td></tr>"),
        html);
  }

  /**
   * A ResNet trained by the classification task serves probabilities [N, K]; Evaluate on its
   * SavedModel gives the accuracy its last validation measured on the same samples.
   */
  @Test
  void trainedResNetSavedModelIsEvaluatedLikeItsValidation() throws Exception {
    List<Sample> train = new ArrayList<>();
    List<Sample> val = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      float[] px = new float[12 * 12];
      int label = i % 2;
      for (int j = 0; j < px.length; j++) {
        px[j] = label == 1 ? (j % 12 < 6 ? 220 : 30) : (j / 12 < 6 ? 220 : 30);
        px[j] += (i * 7 + j * 13) % 20;
      }
      Sample s = Sample.newBuilder().setId("h#" + i).setSource("t").setLabel(label)
          .setImage(Tensors.toTensor(ImageArray.wrap(12, 12, 1, ImageArray.Depth.U8, px))).build();
      (i < 36 ? train : val).add(s);
    }
    TrainConfig c = TrainConfig.defaults(12, 12).toBuilder().momentum(0.9).learningRate(0.05).batchSize(6)
        .shuffleBuffer(36).steps(30).threads(1, 1).logEvery(100).build();
    Path model = tmp.resolve("model");
    Trainer.train(Tasks.of(new ResNetConfig("resnet", 8, 4, 2, 1), c), c, train, val, model, "half", "{}");
    List<CurvePoint> curve = CurveLog.readAvro(model.resolve(Trainer.CURVE_AVRO));
    List<Double> acc = CurveLog.series(curve, "validation", "accuracy");
    ModelSpec spec = ModelSpec.read(model);
    assertEquals(1, spec.outputHeight());
    assertEquals(2, spec.classes());
    Path out = tmp.resolve("eval");
    TestPipeline p = pipeline();
    p.apply(Create.of(val).withCoder(Coders.sample())).apply(Evaluate.model(spec, "half").writeTo(out.toString()));
    p.run().waitUntilFinish();
    Map<String, MetricRecord> agg = MetricFiles.readMetrics(out).stream().filter(r -> r.getImageId() == null)
        .collect(Collectors.toMap(MetricRecord::getMetric, r -> r));
    assertEquals(acc.get(acc.size() - 1), agg.get("top1").getValue(), 1e-9, "validation accuracy per epoch " + acc);
    assertEquals(12, agg.get("top1").getN());
    assertTrue(agg.containsKey("confusion_1_1") && agg.containsKey("accuracy_class_1"), agg.keySet().toString());
    long perImage = MetricFiles.readMetrics(out).stream().filter(r -> "h#40".equals(r.getImageId())).count();
    assertEquals(5, perImage, "top1, top5, cross_entropy, accuracy_class_k, one confusion cell");
  }
}
