package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.eval.InferenceMode;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.SegmentationMetrics;
import org.unetpipelines.eval.TfPredictor;
import org.unetpipelines.eval.TiledInference;
import org.unetpipelines.eval.Tta;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.model.unetpp.UNetPlusPlusConfig;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.records.Coders;
import org.unetpipelines.stages.io.SyntheticImages;
import org.unetpipelines.stages.io.WriteShards;
import org.unetpipelines.stages.train.Train;
import org.unetpipelines.train.TrainConfig;

/**
 * The serving contract between training and evaluation for models with several heads: a (tiny,
 * briefly trained) UNet++ with deep supervision from the Train stage lists its heads in model.json,
 * and Evaluate / the predictor run any of them by name.
 */
class TrainedHeadsEvaluateTest {
  @TempDir Path tmp;

  @Test
  void everyServedHeadCanBeEvaluatedByName() throws Exception {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    Coders.register(p);
    PCollection<ShardSet> shards = p
        .apply("Synth", SyntheticImages.ellipses().withCount(4).withSize(16, 16).withSeed(3))
        .apply("Write", WriteShards.avro(tmp.resolve("shards").toString()).withShards(1));
    UNetPlusPlusConfig net = UNetPlusPlusConfig.unetpp().withFilters(List.of(2, 2, 4, 4, 4)).withDeepSupervision(true)
        .withDropout(0f);
    TrainConfig cfg = TrainConfig.defaults(16, 16).toBuilder().steps(2).batchSize(2).threads(1, 1).build();
    shards.apply("Train", Train.of(net, cfg, tmp.resolve("model").toString()).withRun("heads"));
    p.run().waitUntilFinish();

    ModelSpec spec = ModelSpec.read(tmp.resolve("model"));
    assertEquals(List.of("L1", "L2", "L3", "L4", "ensemble"), spec.heads());
    List<Sample> samples = List.of(EvaluateTest.segSample("a", 16, 16, 9));
    TestPipeline e = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    Coders.register(e);
    InferenceConfig l2 = new InferenceConfig(InferenceMode.AUTO, 0, 0.5, 4, Tta.FLIPS, "L2", 0.5);
    e.apply(Create.of(samples).withCoder(Coders.sample()))
        .apply(Evaluate.model(spec, "r").withOverlays(false).withInference(l2).writeTo(tmp.resolve("eval").toString()));
    e.run().waitUntilFinish();
    Sample s = samples.get(0);
    ImageArray img = Tensors.toImage(s.getImage());
    boolean[] truth = SegmentationMetrics.foreground(Tensors.toImage(s.getMask()));
    double iou;
    try (TfPredictor tf = TfPredictor.load(l2.spec(spec))) {
      iou = SegmentationMetrics.compute(l2.predict(tf, img).foreground(), truth, 16, 16, 0.5).get("iou");
    }
    Map<String, MetricRecord> got = MetricFiles.readMetrics(tmp.resolve("eval")).stream()
        .filter(r -> r.getImageId() != null).collect(Collectors.toMap(MetricRecord::getMetric, r -> r));
    assertEquals("model/L2", got.get("iou").getVariant());
    assertEquals(iou, got.get("iou").getValue(), 1e-12);
    // every listed head is an output of the SavedModel; the ensemble is the mean of L1..L4
    float[] mean = new float[16 * 16];
    for (String head : spec.heads().subList(0, 4)) {
      try (TfPredictor tf = TfPredictor.load(spec.withHead(head))) {
        float[] q = TiledInference.overlapTile(tf).predict(img).data();
        for (int i = 0; i < mean.length; i++) {
          mean[i] += q[i] / 4;
        }
      }
    }
    try (TfPredictor tf = TfPredictor.load(spec.withHead("ensemble"))) {
      float[] ens = TiledInference.overlapTile(tf).predict(img).data();
      for (int i = 0; i < mean.length; i++) {
        assertEquals(mean[i], ens[i], 1e-6, "pixel " + i);
      }
    }
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> spec.withHead("L5"));
    assertTrue(bad.getMessage().contains("the named heads L1, L2, L3, L4, ensemble"), bad.getMessage());
  }
}
