package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.augment.Boundary;
import org.unetpipelines.image.ImageArray;

class TfPredictorTest {
  @TempDir static Path tmp;
  static ModelSpec spec;

  @BeforeAll
  static void export() throws Exception {
    spec = TinySavedModel.export(tmp.resolve("model"));
  }

  @Test
  void readsModelJson() throws Exception {
    assertEquals(spec, ModelSpec.read(tmp.resolve("model")));
    // A training output folder: saved_model/ and model.json side by side.
    Path train = Files.createDirectories(tmp.resolve("train"));
    ModelSpec inner = TinySavedModel.export(train.resolve(ModelSpec.SAVED_MODEL));
    Files.move(train.resolve("saved_model/model.json"), train.resolve("model.json"));
    assertEquals(inner, ModelSpec.read(train));
    assertEquals(inner, ModelSpec.read(train.resolve(ModelSpec.SAVED_MODEL)));
  }

  @Test
  void tiledSavedModelPredictionEqualsWholeImageAndTheJavaReference() {
    ImageArray image = TiledInferenceTest.randomImage(21, 19, 7);
    ProbabilityMap tiled;
    ProbabilityMap whole;
    try (TfPredictor p = TfPredictor.load(spec)) {
      tiled = TiledInference.overlapTile(p).predict(image);
    }
    try (TfPredictor p = TfPredictor.load(spec.withTile(21 + 4, 19 + 4))) {
      whole = TiledInference.overlapTile(p).predict(image);
    }
    // Java reference on the mirror-padded image (margin 2).
    float[] norm = image.normalized();
    float[] padded = new float[25 * 23];
    for (int y = 0; y < 25; y++) {
      for (int x = 0; x < 23; x++) {
        padded[y * 23 + x] = norm[Boundary.REFLECT.fold(y - 2, 21) * 19 + Boundary.REFLECT.fold(x - 2, 19)];
      }
    }
    float[] ref = TinySavedModel.reference(padded, 25, 23);
    assertEquals(21 * 19, ref.length);
    for (int i = 0; i < ref.length; i++) {
      assertEquals(whole.data()[i], tiled.data()[i], 1e-6, "tiled vs whole, pixel " + i);
      assertEquals(ref[i], tiled.data()[i], 1e-5, "TF vs Java reference, pixel " + i);
    }
  }

  @Test
  void slidingWindowWithAnOverriddenTileMatchesWholeImage() {
    ImageArray image = TiledInferenceTest.randomImage(45, 38, 9);
    ModelSpec tiled = spec.withTile(20, 20);
    assertEquals(16, tiled.outputHeight());
    ProbabilityMap slid;
    ProbabilityMap whole;
    try (TfPredictor p = TfPredictor.load(tiled)) {
      slid = InferenceMode.SLIDING_WINDOW.tiler(p, 0.5, 3).predict(image);
    }
    try (TfPredictor p = TfPredictor.load(spec.withTile(45 + 4, 38 + 4))) {
      whole = InferenceMode.AUTO.tiler(p, 0.5, 4).predict(image);
    }
    for (int i = 0; i < whole.data().length; i++) {
      assertEquals(whole.data()[i], slid.data()[i], 1e-6, "pixel " + i);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spec.withTile(4, 4));
    assertTrue(e.getMessage().contains("a 4x4 tile leaves no output: the model's margins take 4 rows"), e.getMessage());
  }

  @Test
  void namedHeadsAreServedAsProbabilitiesUnderscoreHead() throws Exception {
    Path dir = tmp.resolve("heads");
    ModelSpec multi = TinySavedModel.exportWithHeads(dir, "L1", "ensemble");
    ModelSpec read = ModelSpec.read(dir);
    assertEquals(java.util.List.of("L1", "ensemble"), read.heads());
    assertEquals(null, read.head());
    assertEquals(multi, read);
    ImageArray image = TiledInferenceTest.randomImage(15, 13, 3);
    float[] def;
    float[] l1;
    float[] ens;
    try (TfPredictor p = TfPredictor.load(read)) {
      def = TiledInference.overlapTile(p).predict(image).data();
    }
    try (TfPredictor p = TfPredictor.load(read.withHead("L1"))) {
      l1 = TiledInference.overlapTile(p).predict(image).data();
    }
    try (TfPredictor p = TfPredictor.load(read.withHead("ensemble"))) {
      ens = TiledInference.overlapTile(p).predict(image).data();
    }
    for (int i = 0; i < def.length; i++) {
      assertEquals(1 - def[i], l1[i], 1e-6, "L1 = 1 - p, pixel " + i);
      assertEquals((def[i] + l1[i]) / 2, ens[i], 1e-6, "ensemble = mean, pixel " + i);
    }
    // a head model.json does not list
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read.withHead("L4"));
    assertTrue(e.getMessage().contains("has no head 'L4'; it serves its default head and the named heads L1, ensemble"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> spec.withHead("L1"));
    assertTrue(e.getMessage().contains("has no head 'L1'; it serves only its default head (model.json lists no "
        + "serving.heads)"), e.getMessage());
    // model.json lists a head the SavedModel does not have
    ModelSpec lying = new ModelSpec(spec.savedModelDir(), 12, 12, 1, 8, 8, 1, java.util.List.of("L2"), "L2");
    e = assertThrows(IllegalArgumentException.class, () -> TfPredictor.load(lying));
    assertTrue(e.getMessage().contains("must have input 'image' and output 'probabilities_L2' (head 'L2')"),
        e.getMessage());
    // serving.heads must be a list of names
    Path bad = Files.createDirectories(tmp.resolve("badheads"));
    Files.writeString(bad.resolve("model.json"), "{\"inputHeight\": 12, \"inputWidth\": 12, \"inputChannels\": 1, "
        + "\"outputHeight\": 8, \"outputWidth\": 8, \"classes\": 1, \"serving\": {\"heads\": \"L1\"}}");
    e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.read(bad));
    assertTrue(e.getMessage().contains("serving.heads must be a list of head names, got \"L1\""), e.getMessage());
  }

  @Test
  void rejectsMissingModelAndBadModelJson() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelSpec.read(tmp.resolve("nope")));
    assertTrue(e.getMessage().contains("model directory " + tmp.resolve("nope") + " does not exist"), e.getMessage());
    Path bad = Files.createDirectories(tmp.resolve("bad/model"));
    Files.writeString(bad.resolve("model.json"), "{\"inputHeight\": 12, \"inputWidth\": 12}");
    e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.read(bad));
    assertTrue(e.getMessage().contains("field inputChannels is missing or not an integer"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TfPredictor.load(new ModelSpec(bad.toString(), 12, 12, 1, 8, 8, 1)));
    assertTrue(e.getMessage().contains("cannot load SavedModel (tag 'serve') from " + bad), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ModelSpec("m", 8, 8, 1, 12, 12, 1));
    assertTrue(e.getMessage().contains("model output 12x12 is larger than its input 8x8"), e.getMessage());
  }
}
