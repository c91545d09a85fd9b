package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.engine.OutputRoot;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.eval.ChallengeMetrics;
import org.unetpipelines.eval.InferenceMode;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.Predictor;
import org.unetpipelines.eval.PredictorCache;
import org.unetpipelines.eval.RedoMetrics;
import org.unetpipelines.eval.SegmentationMetrics;
import org.unetpipelines.eval.MetricSummary;
import org.unetpipelines.eval.TfPredictor;
import org.unetpipelines.eval.TiledInference;
import org.unetpipelines.eval.TinySavedModel;
import org.unetpipelines.eval.Tta;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.Coders;

class EvaluateTest {
  @TempDir Path tmp;
  private Function<ModelSpec, Predictor> previousLoader;

  @AfterEach
  void restoreLoader() {
    if (previousLoader != null) {
      PredictorCache.setLoader(previousLoader);
    }
  }

  static Sample segSample(String id, int h, int w, long seed) {
    Random r = new Random(seed);
    float[] img = new float[h * w];
    float[] mask = new float[h * w];
    for (int i = 0; i < img.length; i++) {
      img[i] = r.nextInt(256);
      mask[i] = img[i] > 110 ? 255 : 0;
    }
    return Sample.newBuilder().setId(id).setSource("test")
        .setImage(Tensors.toTensor(ImageArray.wrap(h, w, 1, ImageArray.Depth.U8, img)))
        .setMask(Tensors.toTensor(ImageArray.wrap(h, w, 1, ImageArray.Depth.U8, mask))).build();
  }

  private static TestPipeline pipeline() {
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    Coders.register(p);
    return p;
  }

  @Test
  void perImageAndAggregateRecordsMatchDirectComputation() throws Exception {
    ModelSpec spec = TinySavedModel.export(tmp.resolve("model"));
    List<Sample> samples = List.of(segSample("a", 20, 17, 1), segSample("b", 13, 25, 2), segSample("c", 9, 9, 3));
    Path out = tmp.resolve("eval");
    TestPipeline p = pipeline();
    PCollection<ModelArtifact> models = p.apply("Models",
        Create.of(Evaluate.artifactOf(spec, "r1")).withCoder(Coders.modelArtifact()));
    p.apply(Create.of(samples).withCoder(Coders.sample()))
        .apply(Evaluate.models(models).withDataset("synthetic").withSplit("validation").withRedoMetrics(true)
            .writeTo(out.toString()));
    p.run().waitUntilFinish();

    // Expected per-image values, computed directly (no Beam).
    Map<String, Map<String, Double>> expected = new java.util.HashMap<>();
    ChallengeMetrics.Stack stack = new ChallengeMetrics.Stack();
    RedoMetrics.SetScore redoSet = new RedoMetrics.SetScore();
    try (TfPredictor tf = TfPredictor.load(spec)) {
      for (Sample s : samples) {
        ImageArray img = Tensors.toImage(s.getImage());
        float[] fg = TiledInference.overlapTile(tf).predict(img).foreground();
        boolean[] truth = SegmentationMetrics.foreground(Tensors.toImage(s.getMask()));
        Map<String, Double> m = new java.util.HashMap<>(
            SegmentationMetrics.compute(fg, truth, img.height(), img.width(), 0.5));
        ChallengeMetrics.Slice slice = ChallengeMetrics.score(fg, truth, img.height(), img.width());
        m.putAll(slice.values());
        stack.add(slice);
        m.put(RedoMetrics.ACCURACY_IMAGE, RedoMetrics.accuracy(fg, truth, 0.5));
        m.put(RedoMetrics.IOU_IMAGE, RedoMetrics.iou(fg, truth, 0.5));
        redoSet.add(RedoMetrics.of(fg, truth, 0.5));
        expected.put(s.getId(), m);
      }
    }
    List<MetricRecord> got = MetricFiles.readMetrics(out);
    int names = SegmentationMetrics.NAMES.size() + ChallengeMetrics.NAMES.size() + 2; // + redo_*_image
    // aggregates: a mean for each metric but the 5 stack-scored ones, which have a stack score and a threshold;
    // and ReDo's set-polarity IoU, accuracy and decision
    int stackScored = ChallengeMetrics.STACK_SCORED.size();
    assertEquals(3 * names + (names - stackScored) + 2 * stackScored + 3, got.size());
    for (MetricRecord r : got) {
      assertEquals("r1", r.getRun());
      assertEquals("synthetic", r.getDataset());
      assertEquals("validation", r.getSplit());
      if (r.getImageId() != null) {
        assertEquals(expected.get(r.getImageId()).get(r.getMetric()), r.getValue(), 1e-12, r.toString());
      }
    }
    MetricRecord iou = got.stream().filter(r -> r.getImageId() == null && r.getMetric().equals("iou"))
        .findFirst().orElseThrow();
    MetricSummary s = MetricSummary.of(expected.values().stream().mapToDouble(m -> m.get("iou")).toArray());
    assertEquals(3, iou.getN());
    assertEquals(s.mean(), iou.getValue(), 1e-12);
    assertEquals(s.std(), iou.getStd(), 1e-12);
    assertEquals(s.ciLow(), iou.getCiLow(), 1e-12);
    // challenge scores: the stack's, not the mean of the per-image values
    Map<String, MetricRecord> agg = got.stream().filter(r -> r.getImageId() == null)
        .collect(Collectors.toMap(MetricRecord::getMetric, r -> r));
    for (Map.Entry<String, ChallengeMetrics.Score> e : stack.scores().entrySet()) {
      MetricRecord r = agg.get(e.getKey());
      assertEquals(e.getValue().value(), r.getValue(), 1e-12, e.getKey());
      assertEquals(3, r.getN(), e.getKey());
      assertEquals(e.getValue().threshold(), agg.get(e.getKey() + Evaluate.THRESHOLD_SUFFIX).getValue(), 0.0);
    }
    assertNull(agg.get("rand_error_2012").getStd()); // pooled counts: no spread
    assertEquals(redoSet.iou().mean(), agg.get(RedoMetrics.IOU_SET).getValue(), 1e-12);
    assertEquals(redoSet.accuracy().mean(), agg.get(RedoMetrics.ACCURACY_SET).getValue(), 1e-12);
    assertEquals(redoSet.inverted() ? 1.0 : 0.0, agg.get(RedoMetrics.INVERTED_SET).getValue(), 0.0);
    assertEquals(3, agg.get(RedoMetrics.IOU_SET).getN());
    assertEquals(stack.scores().get("v_rand").std(), agg.get("v_rand").getStd(), 1e-12);
    // Aggregates come first in the files; CSV and JSON lines hold the same records.
    assertNull(got.get(0).getImageId());
    List<String> csv = Files.readAllLines(out.resolve(MetricFiles.CSV));
    assertEquals(String.join(",", MetricFiles.CSV_COLUMNS), csv.get(0));
    assertEquals(got.size() + 1, csv.size());
    assertEquals(got.size(), Files.readAllLines(out.resolve(MetricFiles.JSONL)).size());
    for (String id : List.of("a", "b", "c")) {
      assertTrue(Files.isRegularFile(out.resolve("overlays/r1__" + id + ".overlay.png")), id);
      assertTrue(Files.isRegularFile(out.resolve("overlays/r1__" + id + ".prob.png")), id);
    }
  }

  @Test
  void aNamedHeadWithTtaIsEvaluatedAndRecordedAsVariantSlashHead() throws Exception {
    ModelSpec spec = TinySavedModel.exportWithHeads(tmp.resolve("heads"), "L1");
    Sample sample = segSample("a", 14, 11, 9);
    Path out = tmp.resolve("eval-head");
    TestPipeline p = pipeline();
    InferenceConfig inf = new InferenceConfig(InferenceMode.AUTO, 0, 0.5, 4, Tta.FLIPS, "L1", 0.5);
    p.apply(Create.of(sample).withCoder(Coders.sample()))
        .apply(Evaluate.model(ModelSpec.read(tmp.resolve("heads")), "r").withInference(inf).withOverlays(false)
            .writeTo(out.toString()));
    p.run().waitUntilFinish();
    ImageArray img = Tensors.toImage(sample.getImage());
    float[] fg;
    try (TfPredictor tf = TfPredictor.load(spec.withHead("L1"))) {
      fg = TiledInference.overlapTile(tf).withTta(Tta.FLIPS).predict(img).foreground();
    }
    boolean[] truth = SegmentationMetrics.foreground(Tensors.toImage(sample.getMask()));
    double iou = SegmentationMetrics.compute(fg, truth, 14, 11, 0.5).get("iou");
    MetricRecord r = MetricFiles.readMetrics(out).stream()
        .filter(m -> "a".equals(m.getImageId()) && m.getMetric().equals("iou")).findFirst().orElseThrow();
    assertEquals("heads/L1", r.getVariant());
    assertEquals(iou, r.getValue(), 1e-12);
  }

  /** Fake classifier: p(class) from the mean of the 2x2 image, 3 classes, 1x1 output. */
  private static final class MeanClassifier implements Predictor {
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
        float m = (tiles[t][0] + tiles[t][1] + tiles[t][2] + tiles[t][3]) / 4;
        out[t] = m > 0.5f ? new float[] {0.1f, 0.2f, 0.7f} : new float[] {0.6f, 0.3f, 0.1f};
      }
      return out;
    }
  }

  /** Test fake: a 2x2 "model" whose foreground probability is the image itself. */
  static final class IdentityPredictor implements Predictor {
    @Override public int inputHeight() { return 2; }
    @Override public int inputWidth() { return 2; }
    @Override public int inputChannels() { return 1; }
    @Override public int outputHeight() { return 2; }
    @Override public int outputWidth() { return 2; }
    @Override public int classes() { return 1; }

    @Override
    public float[][] predict(float[][] tiles) {
      float[][] out = new float[tiles.length][];
      for (int i = 0; i < tiles.length; i++) {
        out[i] = tiles[i].clone();
      }
      return out;
    }
  }

  @Test
  void redoScoresOnePolarityForTheSetNextToThePerImageBest() {
    previousLoader = PredictorCache.setLoader(spec -> new IdentityPredictor());
    ModelSpec spec = new ModelSpec(tmp.toString(), 2, 2, 1, 2, 2, 1);
    // truth: the top row; a: predicted right, b: predicted inverted, c: one of the two object pixels
    float[] truth = {255, 255, 0, 0};
    float[][] predicted = {{255, 255, 0, 0}, {0, 0, 255, 255}, {255, 0, 0, 0}};
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      samples.add(Sample.newBuilder().setId("abc".substring(i, i + 1)).setSource("test")
          .setImage(Tensors.toTensor(ImageArray.wrap(2, 2, 1, ImageArray.Depth.U8, predicted[i])))
          .setMask(Tensors.toTensor(ImageArray.wrap(2, 2, 1, ImageArray.Depth.U8, truth.clone()))).build());
    }
    Path out = tmp.resolve("redo");
    TestPipeline p = pipeline();
    p.apply(Create.of(samples).withCoder(Coders.sample()))
        .apply(Evaluate.model(spec, "fake").withRedoMetrics(true).withOverlays(false).writeTo(out.toString()));
    p.run().waitUntilFinish();
    List<MetricRecord> got = MetricFiles.readMetrics(out);
    Map<String, MetricRecord> agg = got.stream().filter(r -> r.getImageId() == null)
        .collect(Collectors.toMap(MetricRecord::getMetric, r -> r));
    // as predicted: IoU a 1, b 0, c 1/2 (mean 1/2); accuracy 1, 0, 3/4
    // inverted:     IoU a 0, b 1, c 1/4 (pred {1,2,3} vs {0,1}; mean 5/12); accuracy 0, 1, 1/4
    assertEquals(0.5, agg.get(RedoMetrics.IOU_SET).getValue(), 1e-12, "one polarity (as predicted) for all");
    assertEquals(1.75 / 3, agg.get(RedoMetrics.ACCURACY_SET).getValue(), 1e-12);
    assertEquals(0.0, agg.get(RedoMetrics.INVERTED_SET).getValue(), 0.0);
    assertEquals(MetricSummary.of(1, 0, 0.5).std(), agg.get(RedoMetrics.IOU_SET).getStd(), 1e-12);
    assertEquals(2.5 / 3, agg.get(RedoMetrics.IOU_IMAGE).getValue(), 1e-12, "per-image best: b counts as right");
    assertEquals(2.75 / 3, agg.get(RedoMetrics.ACCURACY_IMAGE).getValue(), 1e-12);
    Map<String, Double> perImageIou = got.stream()
        .filter(r -> r.getImageId() != null && r.getMetric().equals(RedoMetrics.IOU_IMAGE))
        .collect(Collectors.toMap(MetricRecord::getImageId, MetricRecord::getValue));
    assertEquals(Map.of("a", 1.0, "b", 1.0, "c", 0.5), perImageIou);
    assertTrue(got.stream().noneMatch(r -> r.getImageId() != null && r.getMetric().endsWith("_set")),
        "set-polarity scores exist only for the set");
  }

  @Test
  void classifiersGetTopKAndCrossEntropy() {
    previousLoader = PredictorCache.setLoader(spec -> new MeanClassifier());
    ModelSpec spec = new ModelSpec(tmp.toString(), 2, 2, 1, 1, 1, 3);
    List<Sample> samples = new ArrayList<>();
    float[][] images = {{255, 255, 255, 255}, {0, 0, 0, 0}, {0, 0, 0, 10}};
    int[] labels = {2, 1, 0};
    for (int i = 0; i < 3; i++) {
      samples.add(Sample.newBuilder().setId("s" + i).setSource("test").setLabel(labels[i])
          .setImage(Tensors.toTensor(ImageArray.wrap(2, 2, 1, ImageArray.Depth.U8, images[i]))).build());
    }
    Path out = tmp.resolve("cls");
    TestPipeline p = pipeline();
    p.apply(Create.of(samples).withCoder(Coders.sample()))
        .apply(Evaluate.model(spec, "fake").writeTo(out.toString()));
    p.run().waitUntilFinish();
    Map<String, MetricRecord> agg = MetricFiles.readMetrics(out).stream().filter(r -> r.getImageId() == null)
        .collect(Collectors.toMap(MetricRecord::getMetric, r -> r));
    // s0: predicted 2 (right); s1: predicted 0, label 1 ranks 2nd; s2: predicted 0 (right).
    assertEquals(2.0 / 3, agg.get("top1").getValue(), 1e-12);
    assertEquals(1.0, agg.get("top5").getValue(), 1e-12);
    double ce = (-Math.log(0.7f) - Math.log(0.3f) - Math.log(0.6f)) / 3;
    assertEquals(ce, agg.get("cross_entropy").getValue(), 1e-6);
  }

  @Test
  void unscorableSamplesBecomeDeadLetters() throws Exception {
    ModelSpec spec = TinySavedModel.export(tmp.resolve("model"));
    Sample unlabelled = Sample.newBuilder(segSample("u", 8, 8, 1)).setMask(null).build();
    Sample wrongMask = Sample.newBuilder(segSample("w", 8, 8, 2)).setMask(segSample("x", 8, 9, 3).getMask()).build();
    TestPipeline p = pipeline();
    MetricResult r = p.apply(Create.of(unlabelled, wrongMask, segSample("ok", 8, 8, 4)).withCoder(Coders.sample()))
        .apply(Evaluate.model(spec, "r").withStageName("Eval"));
    org.apache.beam.sdk.testing.PAssert.that(r.deadLetters()).containsInAnyOrder(
        org.unetpipelines.records.DeadLetter.newBuilder().setInput("u").setStage("Eval")
            .setReason("sample has neither a mask nor a class label; Evaluate needs one of them").build(),
        org.unetpipelines.records.DeadLetter.newBuilder().setInput("w").setStage("Eval")
            .setReason("model r: image is 8x8 but its mask is 8x9").build());
    org.apache.beam.sdk.testing.PAssert.that(r.metrics()).satisfies(records -> {
      java.util.Set<String> ids = new java.util.HashSet<>();
      records.forEach(m -> ids.add(String.valueOf(m.getImageId())));
      assertEquals(java.util.Set.of("ok", "null"), ids);
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void rejectsBadSettingsAndAmbiguousModelSources() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new InferenceConfig(InferenceMode.SLIDING_WINDOW, 0, 1.2, 4, Tta.NONE, null, 0.5));
    assertTrue(e.getMessage().contains("overlap must be in [0, 1), got 1.2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Evaluate.models(null));
    assertTrue(e.getMessage().contains("model artifacts must not be null"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Evaluate.model(new ModelSpec("m", 4, 4, 1, 4, 4, 1), "r").withSplit(" "));
    assertTrue(e.getMessage().contains("split name must not be empty"), e.getMessage());

    Evaluate.Provider provider = new Evaluate.Provider();
    Evaluate.Config bad = new Evaluate.Config(tmp.resolve("missing").toString(), "d", "test",
        InferenceConfig.DEFAULT, false, "eval", true);
    List<String> problems = provider.check(bad);
    assertTrue(problems.contains("'model': no SavedModel folder '" + tmp.resolve("missing") + "'"), problems.toString());
    // a head the model does not serve is found before anything runs
    ModelSpec spec = TinySavedModel.export(tmp.resolve("model"));
    Evaluate.Config head = new Evaluate.Config(spec.savedModelDir(), "d", "test",
        new InferenceConfig(InferenceMode.AUTO, 0, 0.5, 4, Tta.NONE, "L2", 0.5), false, "eval", true);
    problems = provider.check(head);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("has no head 'L2'; it serves only its default head"), problems.toString());

    TestPipeline p = pipeline();
    StageContext ctx = new StageContext(p, "Eval", "Evaluate", "test", 1, new OutputRoot(tmp), tmp, "{}");
    PCollection<Sample> samples = p.apply(Create.empty(Coders.sample()));
    Evaluate.Config none = new Evaluate.Config(null, "d", "test", InferenceConfig.DEFAULT, false, "eval", true);
    e = assertThrows(IllegalArgumentException.class, () -> provider.expand(ctx, List.of(samples), none));
    assertTrue(e.getMessage().contains("stage 'Eval': give exactly one model source: a ModelArtifact input "
        + "(a Train stage) or 'model: DIR' (neither was given)"), e.getMessage());
  }
}
