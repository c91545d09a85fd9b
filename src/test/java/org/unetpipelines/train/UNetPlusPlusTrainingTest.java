package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.unetpipelines.model.Serving;
import org.unetpipelines.model.unetpp.UNetPlusPlus;
import org.unetpipelines.model.unetpp.UNetPlusPlusConfig;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.task.Segmentation;

/** UNet++ with deep supervision on the training core: hybrid loss over four heads, served ensemble. */
class UNetPlusPlusTrainingTest {

  @Test
  void deeplySupervisedUNetPlusPlusLearnsWithTheHybridLossAndServesEveryHead() {
    UNetPlusPlus net = UNetPlusPlus.of(UNetPlusPlusConfig.unetpp().withFilters(List.of(4, 4, 8, 8, 8))
        .withDeepSupervision(true).withDropout(0f));
    List<Sample> s = TestSamples.ellipses(3, 0, 2, 16);
    TrainConfig cfg = TrainConfig.defaults(16, 16).toBuilder().optimizer(OptimizerKind.ADAM).learningRate(0.01)
        .loss(LossKind.HYBRID).batchSize(2).threads(1, 1).build();
    try (TrainingGraph tg = TrainingGraph.create(new Segmentation(net, 16, 16, LossKind.HYBRID), cfg)) {
      tg.initialize();
      Segmentation task = (Segmentation) tg.task();
      Map<String, float[]> arrays = new LinkedHashMap<>();
      task.feeds().forEach((k, v) -> arrays.put(k, new float[(int) (2 * v[0] * v[1] * v[2])]));
      for (int i = 0; i < 2; i++) {
        task.fill(s.get(i), i, arrays, 1L, false);
      }
      Batch batch = new Batch(2, arrays, List.of("a", "b"), 0, 0);
      float first = tg.step(batch, 0.01, 0);
      float last = first;
      for (int i = 1; i < 20; i++) {
        last = tg.step(batch, 0.01, i);
      }
      // four heads, each 0.5 * BCE - Dice >= -1
      assertTrue(first > -4f && last > -4f, first + " " + last);
      assertTrue(last < first - 0.5f, "the summed hybrid loss falls: " + first + " -> " + last);
      float[] x = batch.array(Segmentation.IMAGE);
      float[] ensemble = tg.predict(2, x, Serving.OUTPUT);
      float[] sum = new float[ensemble.length];
      for (int d = 1; d <= 4; d++) {
        float[] p = tg.predict(2, x, Serving.headOutput("L" + d));
        for (int i = 0; i < p.length; i++) {
          sum[i] += p[i] / 4;
        }
      }
      assertArrayEquals(sum, ensemble, 1e-6f, "served: the mean of the four heads' probabilities");
      assertEquals(2 * 16 * 16, ensemble.length);
    }
  }
}
