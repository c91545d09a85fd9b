package org.unetpipelines.stages.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.unetpipelines.augment.Boundary;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.eval.TileStitcher;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.TileGrid;
import org.unetpipelines.image.ImageArray.Depth;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.AugmentParam;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.Coders;
import org.unetpipelines.stages.SampleResult;

class AugmentStagesTest {

  static TestPipeline pipeline() {
    return TestPipeline.create().enableAbandonedNodeEnforcement(false);
  }

  static Sample sample(String id, int h, int w, boolean withMask, long seed) {
    Synthetic.Pair p = Synthetic.membranes(seed, 0, h, w, 6, 4);
    Sample.Builder b = Sample.newBuilder().setId(id).setSource("test").setImage(Tensors.toTensor(p.image()))
        .setParams(new ArrayList<>());
    if (withMask) {
      b.setMask(Tensors.toTensor(p.mask()));
    }
    return b.build();
  }

  static PCollection<Sample> input(TestPipeline p, Sample... samples) {
    return p.apply(Create.of(List.of(samples)).withCoder(Coders.sample()));
  }

  /** Runs a transform over samples and returns what came out (collected in the test JVM). */
  static Result run(Function<PCollection<Sample>, SampleResult> t, Sample... samples) {
    TestPipeline p = pipeline();
    SampleResult r = t.apply(input(p, samples));
    Collect.reset();
    r.samples().apply(org.apache.beam.sdk.transforms.ParDo.of(new Collect.SamplesFn()));
    r.deadLetters().apply(org.apache.beam.sdk.transforms.ParDo.of(new Collect.DeadFn()));
    p.run().waitUntilFinish();
    return new Result(new ArrayList<>(Collect.SAMPLES), new ArrayList<>(Collect.DEAD));
  }

  record Result(List<Sample> samples, List<DeadLetter> dead) {
    Map<String, Sample> byId() {
      Map<String, Sample> m = new HashMap<>();
      samples.forEach(s -> m.put(s.getId(), s));
      return m;
    }
  }

  static ImageArray image(Sample s) {
    return Tensors.toImage(s.getImage());
  }

  static ImageArray mask(Sample s) {
    return Tensors.toImage(s.getMask());
  }

  @Test
  void elasticCopiesGetStableIdsParamsAndOnlyMaskLabels() {
    Sample a = sample("a.png", 48, 40, true, 1);
    Sample b = sample("b.png", 48, 40, true, 2);
    Result r = run(in -> in.apply(ElasticDeform.create().withCopies(3).withSeed(42)), a, b);
    assertEquals(6, r.samples().size());
    assertTrue(r.dead().isEmpty());
    Map<String, Sample> byId = r.byId();
    Set<Float> labels = new HashSet<>();
    for (float v : mask(a).data()) {
      labels.add(v);
    }
    for (String parent : List.of("a.png", "b.png")) {
      for (int c = 0; c < 3; c++) {
        Sample s = byId.get(parent + "/ElasticDeform#" + c);
        assertNotNull(s, parent + " copy " + c);
        assertEquals(c, s.getCopy());
        assertEquals(42L, s.getSeed());
        assertEquals(18, s.getParams().size());
        AugmentParam first = s.getParams().get(0);
        assertEquals("ElasticDeform", first.getStage());
        assertEquals("dy[0][0]", first.getName());
        assertEquals(48, s.getImage().getHeight());
        for (float v : mask(s).data()) {
          assertTrue(labels.contains(v), "mask value " + v);
        }
      }
    }
    // copies differ from each other
    assertNotEquals(byId.get("a.png/ElasticDeform#0").getParams(), byId.get("a.png/ElasticDeform#1").getParams());
    // the recorded lattice is the one a re-run draws
    Result again = run(in -> in.apply(ElasticDeform.create().withCopies(3).withSeed(42)), a);
    assertEquals(byId.get("a.png/ElasticDeform#2"), again.byId().get("a.png/ElasticDeform#2"));
  }

  @Test
  void fanOutIdsWithPAssert() {
    TestPipeline p = pipeline();
    SampleResult r = input(p, sample("x.png", 24, 24, true, 1), sample("y.png", 24, 24, false, 2))
        .apply(Rotate.uniform(30).withCopies(3).withSeed(1).withStageName("Spin"));
    PAssert.that(r.samples().apply("Ids", MapElements.into(TypeDescriptors.strings()).via(Sample::getId)))
        .containsInAnyOrder("x.png/Spin#0", "x.png/Spin#1", "x.png/Spin#2", "y.png/Spin#0", "y.png/Spin#1", "y.png/Spin#2");
    PAssert.that(r.samples().apply("Copies", MapElements.into(TypeDescriptors.integers()).via(Sample::getCopy)))
        .containsInAnyOrder(0, 1, 2, 0, 1, 2);
    PAssert.that(r.deadLetters()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void oneCopyKeepsTheIdAndAppendsParams() {
    Sample a = sample("a.png", 40, 40, true, 1);
    Result pad = run(in -> in.apply(MirrorPad.of(1, 2, 1, 2).withBoundary(Boundary.SYMMETRIC)), a);
    Sample padded = pad.samples().get(0);
    assertEquals("a.png", padded.getId());
    assertEquals(43, padded.getImage().getHeight());
    assertEquals(43, padded.getImage().getWidth());
    assertEquals(43, padded.getMask().getHeight());
    assertEquals(4, padded.getParams().size());
    assertEquals("pad_top", padded.getParams().get(0).getName());
    assertEquals(1.0, padded.getParams().get(0).getValue());
    // chained stages keep appending
    Result crop = run(in -> in.apply(Crop.center(40, 40).withStageName("Back")), padded);
    Sample back = crop.samples().get(0);
    assertEquals(6, back.getParams().size());
    assertEquals("Back", back.getParams().get(4).getStage());
    // pad then the crop at the pad's origin (centre offset (43-40)/2 = 1) gives back the original
    assertArrayEquals(image(a).data(), image(back).data());
  }

  @Test
  void weightsFollowTheGeometry() {
    Sample a = sample("a.png", 40, 44, true, 3);
    Result weighted = run(in -> in.apply(BorderWeightMap.create()), a);
    Sample w = weighted.samples().get(0);
    assertNotNull(w.getWeights());
    ImageArray weights = Tensors.toImage(w.getWeights());
    assertEquals(Depth.F32, weights.depth());
    Result rotated = run(in -> in.apply(Rotate.fixed(90)), w);
    Sample r = rotated.samples().get(0);
    assertEquals(44, r.getImage().getHeight());
    ImageArray rw = Tensors.toImage(r.getWeights());
    assertEquals(44, rw.height());
    // exact quarter turn: rotated(y, x) = original(x, W-1-y)
    assertEquals(weights.get(5, 44 - 1 - 7), rw.get(7, 5));
    assertEquals(mask(w).get(9, 44 - 1 - 2), mask(r).get(2, 9));
  }

  @Test
  void tilesStitchBackAndAreNamed() {
    Sample a = sample("a.png", 50, 37, true, 4);
    Result r = run(in -> in.apply(Tile.of(16, 16).withStride(10, 12)), a);
    TileGrid grid = new TileGrid(50, 37, 16, 16, 10, 12);
    assertEquals(grid.count(), r.samples().size());
    Map<String, Sample> byId = r.byId();
    TileStitcher acc = new TileStitcher(50, 37, 1);
    for (int k = 0; k < grid.count(); k++) {
      Sample t = byId.get("a.png/Tile#" + k);
      TileGrid.Origin win = grid.origins().get(k);
      assertEquals(win.y(), t.getParams().get(0).getValue(), 0);
      assertEquals(win.x(), t.getParams().get(1).getValue(), 0);
      acc.add(win.y(), win.x(), image(t));
    }
    assertArrayEquals(image(a).data(), acc.result(Depth.U8).data());
  }

  @Test
  void flipsAndRightAnglesRecordWhatTheyDid() {
    Sample a = sample("a.png", 20, 30, true, 5);
    Result flips = run(in -> in.apply(Flip.random(1.0, 0.0).withCopies(2)), a);
    for (Sample s : flips.samples()) {
      assertEquals(1.0, s.getParams().get(0).getValue());
      assertEquals(0.0, s.getParams().get(1).getValue());
      assertEquals(image(a).get(3, 0), image(s).get(3, 29));
    }
    Result rot = run(in -> in.apply(Rotate.rightAngles().withCopies(8).withSeed(3)), a);
    assertEquals(8, rot.samples().size());
    for (Sample s : rot.samples()) {
      double angle = s.getParams().get(0).getValue();
      assertEquals(0, angle % 90.0);
      boolean swapped = angle == 90 || angle == 270;
      assertEquals(swapped ? 30 : 20, s.getImage().getHeight());
    }
  }

  @Test
  void unusableSamplesBecomeDeadLetters() {
    Sample small = sample("small.png", 10, 10, true, 1);
    Sample noMask = sample("nomask.png", 30, 30, false, 1);
    Result crop = run(in -> in.apply(Crop.random(20, 20)), small, noMask);
    assertEquals(1, crop.samples().size());
    assertEquals(1, crop.dead().size());
    DeadLetter d = crop.dead().get(0);
    assertEquals("small.png", d.getInput());
    assertEquals("Crop", d.getStage());
    assertTrue(d.getReason().contains("crop 20x20 is larger than the 10x10 image"), d.getReason());
    Result weights = run(in -> in.apply(BorderWeightMap.create().withStageName("W")), noMask);
    assertTrue(weights.samples().isEmpty());
    assertEquals("W", weights.dead().get(0).getStage());
    assertTrue(weights.dead().get(0).getReason().contains("the sample has no mask"));
  }

  @Test
  void elasticCropComputesTheCentredWindow() {
    Sample a = sample("a.png", 60, 60, true, 6);
    Sample full = run(in -> in.apply(ElasticDeform.create().withSeed(9)), a).samples().get(0);
    Sample cropped = run(in -> in.apply(ElasticDeform.create().withSeed(9).withCrop(40, 30)), a).samples().get(0);
    Crops.Window win = Crops.Window.centered(60, 60, 40, 30);
    assertEquals(Crops.crop(image(full), win), image(cropped));
    assertEquals(Crops.crop(mask(full), win), mask(cropped));
    assertEquals(full.getParams(), cropped.getParams());
  }

  @Test
  void rejectedTransformArguments() {
    assertMessage(() -> ElasticDeform.create().withGrid(1), "grid must be 2..64 points per axis, got 1");
    assertMessage(() -> ElasticDeform.create().withSigma(-2), "sigma must be a finite number of pixels >= 0, got -2.0");
    assertMessage(() -> ElasticDeform.create().withOrder(Interpolation.NEAREST), "order must be cubic or linear");
    assertMessage(() -> ElasticDeform.create().withCrop(0, 5), "crop must be positive, got 0x5");
    assertMessage(() -> ElasticDeform.create().withCopies(0), "copies must be 1..100000, got 0");
    assertMessage(() -> ElasticDeform.create().withStageName("a/b"), "must not contain '/' or '#'");
    assertMessage(() -> ElasticDeform.create().withStageName(" "), "stage name must not be empty");
    assertMessage(() -> MirrorPad.of(-1), "pads must be >= 0, got top=-1");
    assertMessage(() -> MirrorPad.of(0), "at least one pad must be > 0");
    assertMessage(() -> Rotate.uniform(0), "uniform mode needs 0 < angle <= 180 degrees");
    assertMessage(() -> Rotate.fixed(Double.NaN), "angle must be finite, got NaN");
    assertMessage(() -> Flip.random(1.5, 0), "horizontal probability must be in [0, 1], got 1.5");
    assertMessage(() -> Flip.random(0, 0), "nothing would ever flip");
    assertMessage(() -> Crop.center(0, 3), "crop size must be positive, got 0x3");
    assertMessage(() -> Tile.of(8, 8).withStride(0, 1), "stride must be positive, got 0x1");
    assertMessage(() -> BorderWeightMap.create().withSigma(0), "sigma must be a finite number of pixels > 0, got 0.0");
    assertMessage(() -> BorderWeightMap.create().withW0(-1), "w0 must be a finite value >= 0, got -1.0");
    // cross-field checks happen in expand()
    TestPipeline p = pipeline();
    PCollection<Sample> in = input(p, sample("a", 8, 8, true, 1));
    assertMessage(() -> in.apply(Tile.of(8, 8).withStride(9, 8)), "stride 9x8 is larger than the tile 8x8");
    assertMessage(() -> in.apply(Crop.center(4, 4).withCopies(2)), "copies must be 1 with mode center, got 2");
  }

  @Test
  void rejectedYamlConfigs() {
    assertEquals(List.of(), new ElasticDeform.Provider().check(new ElasticDeform.Config(3, 10, Interpolation.CUBIC, 2, null, null)));
    assertCheck(new ElasticDeform.Provider().check(new ElasticDeform.Config(3, 10, Interpolation.CUBIC, 1, 5, null)),
        "crop_height and crop_width go together");
    assertCheck(new ElasticDeform.Provider().check(new ElasticDeform.Config(3, 10, Interpolation.NEAREST, 1, null, null)),
        "order must be cubic or linear");
    assertCheck(new ElasticDeform.Provider().check(new ElasticDeform.Config(3, 10, Interpolation.CUBIC, 0, null, null)),
        "copies must be 1..100000, got 0");
    assertCheck(new MirrorPad.Provider().check(new MirrorPad.Config(0, null, null, null, null, Boundary.REFLECT)),
        "at least one pad must be > 0");
    assertEquals(List.of(), new MirrorPad.Provider().check(new MirrorPad.Config(0, 4, null, null, null, Boundary.REFLECT)));
    assertCheck(new Tile.Provider().check(new Tile.Config(16, 16, 20, null)), "stride 20x16 is larger than the tile 16x16");
    assertCheck(new Crop.Provider().check(new Crop.Config(16, 16, Crops.Mode.CENTER, 3)), "copies must be 1 with mode center, got 3");
    assertCheck(new Rotate.Provider().check(new Rotate.Config(org.unetpipelines.augment.Rotation.Mode.UNIFORM, 200, Interpolation.CUBIC, 1)),
        "uniform mode needs 0 < angle <= 180 degrees");
    assertCheck(new Flip.Provider().check(new Flip.Config(-0.1, 0.5, 1)), "horizontal probability must be in [0, 1], got -0.1");
    assertCheck(new BorderWeightMap.Provider().check(new BorderWeightMap.Config(10, -5, true)),
        "sigma must be a finite number of pixels > 0, got -5.0");
  }

  static void assertCheck(List<String> errors, String expected) {
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).contains(expected), errors.get(0));
  }

  static void assertMessage(org.junit.jupiter.api.function.Executable e, String expected) {
    Exception ex = assertThrows(RuntimeException.class, e);
    Throwable t = ex;
    while (t.getCause() != null && (t.getMessage() == null || !t.getMessage().contains(expected))) {
      t = t.getCause();
    }
    assertTrue(t.getMessage() != null && t.getMessage().contains(expected),
        "expected '" + expected + "' in: " + ex.getMessage());
  }
}
