package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.TfPredictor;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.model.WeightInit;
import org.unetpipelines.model.redo.RedoConfig;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.OptimizerKind;
import org.unetpipelines.train.TrainConfig;
import org.unetpipelines.train.Trainer;
import org.unetpipelines.train.task.Redraw;

/**
 * {@code predict} on a ReDo model: the SavedModel serves the mask network's soft masks [N, S, S, K]
 * (K = 2), and the command writes for every image of a folder the soft mask of region 1
 * ({@code STEM_prob.png}, 16-bit; foreground = 1 - p(class 0) = m_1) and the region of each pixel
 * ({@code STEM_label.png}: the most probable region's index).
 */
class RedoPredictTest {
  private static final int S = 16;

  @TempDir Path tmp;

  @Test
  void predictWritesTheMaskNetworksMasksForAFolderOfImages() throws Exception {
    RedoConfig tiny = RedoConfig.defaults().withFilters(4, 2, 2, 2).withNz(4).withChannels(3).withRestart(0, 0, 1, 0);
    TrainConfig config = TrainConfig.defaults(S, S).toBuilder().optimizer(OptimizerKind.ADAM).learningRate(1e-4)
        .initializer(WeightInit.ORTHOGONAL).batchSize(4).shuffleBuffer(0).steps(3).threads(1, 1).build();
    List<Sample> train = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Synthetic.Pair p = Synthetic.objects(3, i, S, S, 0.2, 0.33, 4);
      train.add(Sample.newBuilder().setId("o" + i).setSource("test").setImage(Tensors.toTensor(p.image())).build());
    }
    Path model = tmp.resolve("model");
    Trainer.train(new Redraw(tiny, S, S, 1e-4), config, train, null, model, "redo", "{}");

    Path images = Files.createDirectories(tmp.resolve("unseen"));
    List<ImageArray> shown = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ImageArray img = Synthetic.objects(3, 1000 + i, S, S, 0.2, 0.33, 4).image();
      shown.add(img);
      Files.write(images.resolve("img" + i + ".png"), ImageCodec.encodePng(img));
    }
    Path out = tmp.resolve("masks");
    MetricsCommandTest.Run r = MetricsCommandTest.run(new PredictCommand(),
        "--model", model.toString(), "--images", images.toString(), "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(2, new ObjectMapper().readTree(r.out().strip()).get("predicted").asInt());

    ModelSpec spec = ModelSpec.read(model);
    assertEquals(2, spec.classes(), "K = 2 regions served");
    try (TfPredictor p = TfPredictor.load(spec)) {
      for (int i = 0; i < 2; i++) {
        float[] masks = p.predict(new float[][] {shown.get(i).normalized()})[0]; // [S, S, 2]
        ImageArray prob = ImageCodec.decodeFirst(Files.readAllBytes(out.resolve("img" + i + "_prob.png")));
        ImageArray label = ImageCodec.decodeFirst(Files.readAllBytes(out.resolve("img" + i + "_label.png")));
        assertEquals(ImageArray.Depth.U16, prob.depth());
        assertEquals(S, prob.height());
        for (int q = 0; q < S * S; q++) {
          float m0 = masks[2 * q];
          float m1 = masks[2 * q + 1];
          assertEquals(1f, m0 + m1, 1e-5f, "soft masks sum to 1");
          assertTrue(m0 > 0 && m1 > 0, "soft masks in (0, 1)");
          assertEquals(Math.round(m1 * 65535f), prob.data()[q], 2f, "region 1's mask, pixel " + q);
          assertEquals(m1 > m0 ? 1f : 0f, label.data()[q], "the pixel's region, pixel " + q);
        }
      }
    }
  }
}
