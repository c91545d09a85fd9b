package org.unetpipelines.stages.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.PipelineRun;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.TestImages;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.Sample;
import org.unetpipelines.runners.RunnerProfiles;
import org.unetpipelines.stages.SampleResult;

class ReadImageSetTest {
  static final Path ISBI = Path.of("../shared/data/isbi2012/train");
  static final Path FASHION = Path.of("../shared/data/fashion-mnist-small");

  static ImageArray gray(int h, int w, float v) {
    float[] d = new float[h * w];
    Arrays.fill(d, v);
    return ImageArray.wrap(h, w, 1, ImageArray.Depth.U8, d);
  }

  /** images/: good a, b (16-bit), stack.tif (3 pages); bad: trunc, text, empty, nomask, wrongsize, float, rgbmask. */
  static void makeSet(Path dir) throws Exception {
    Path im = dir.resolve("images");
    Path lb = dir.resolve("labels");
    TestImages.writePng(im.resolve("a.png"), gray(16, 16, 100));
    TestImages.writePng(lb.resolve("a.png"), gray(16, 16, 255));
    float[] b16 = new float[16 * 16];
    Arrays.fill(b16, 40000);
    TestImages.writePng(im.resolve("b.png"), ImageArray.wrap(16, 16, 1, ImageArray.Depth.U16, b16));
    TestImages.writePng(lb.resolve("b.png"), gray(16, 16, 0));
    Files.write(im.resolve("stack.tif"), TestImages.tiffStack(List.of(gray(16, 16, 1), gray(16, 16, 2), gray(16, 16, 3))));
    Files.write(lb.resolve("stack.tif"), TestImages.tiffStack(List.of(gray(16, 16, 0), gray(16, 16, 255), gray(16, 16, 0))));
    byte[] png = ImageCodec.encodePng(ImageCodecTestRamp.ramp());
    Files.write(im.resolve("trunc.png"), Arrays.copyOf(png, png.length / 2));
    TestImages.writePng(lb.resolve("trunc.png"), gray(16, 16, 0));
    Files.writeString(im.resolve("text.png"), "definitely not a png");
    TestImages.writePng(lb.resolve("text.png"), gray(16, 16, 0));
    Files.write(im.resolve("empty.png"), new byte[0]);
    TestImages.writePng(lb.resolve("empty.png"), gray(16, 16, 0));
    TestImages.writePng(im.resolve("nomask.png"), gray(16, 16, 9));
    TestImages.writePng(im.resolve("wrongsize.png"), gray(16, 16, 9));
    TestImages.writePng(lb.resolve("wrongsize.png"), gray(8, 16, 0));
    Files.write(im.resolve("float.tif"), TestImages.floatTiff(16, 16));
    TestImages.writePng(lb.resolve("float.png"), gray(16, 16, 0));
    TestImages.writePng(im.resolve("rgbmask.png"), gray(16, 16, 9));
    TestImages.writePng(lb.resolve("rgbmask.png"), ImageArray.zeros(16, 16, 3, ImageArray.Depth.U8));
    TestImages.writePng(lb.resolve("orphan.png"), gray(16, 16, 0));
  }

  static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.create());
  }

  @Test
  void everyBadInputIsDeadLetteredWithItsReasonAndNothingIsLost(@TempDir Path dir) throws Exception {
    makeSet(dir);
    Pipeline p = pipeline();
    SampleResult r = p.apply(ReadImageSet.from(dir + "/images/*").withMasks(dir + "/labels").withSeed(3));
    PAssert.that(r.samples()).satisfies(samples -> {
      List<String> ids = StreamSupport.stream(samples.spliterator(), false).map(Sample::getId).sorted().toList();
      assertEquals(List.of("a.png", "b.png", "stack.tif#0000", "stack.tif#0001", "stack.tif#0002"), ids);
      for (Sample s : samples) {
        assertEquals(3, s.getSeed());
        if (s.getId().equals("b.png")) {
          ImageArray img = Tensors.toImage(s.getImage());
          assertEquals(ImageArray.Depth.U16, img.depth());
          assertEquals(40000f, img.get(3, 3));
        }
        if (s.getId().equals("stack.tif#0001")) {
          assertEquals(2f, Tensors.toImage(s.getImage()).get(0, 0));
          assertEquals(255f, Tensors.toImage(s.getMask()).get(0, 0));
        }
      }
      return null;
    });
    String images = dir.resolve("images") + "/";
    String labels = dir.resolve("labels") + "/";
    PAssert.that(r.deadLetters()).satisfies(dead -> {
      // dead letters carry the sample id the input would have had; the reason names the file
      Map<String, String> byId = StreamSupport.stream(dead.spliterator(), false)
          .collect(Collectors.toMap(DeadLetter::getInput, DeadLetter::getReason));
      assertEquals(8, byId.size(), byId.toString());
      assertTrue(byId.get("trunc.png").startsWith(images + "trunc.png: corrupt or truncated image"), byId.toString());
      assertTrue(byId.get("text.png").startsWith(images + "text.png: not a PNG, JPEG or TIFF image"), byId.toString());
      assertEquals(images + "empty.png: file is empty", byId.get("empty.png"));
      assertTrue(byId.get("nomask.png").startsWith(images + "nomask.png: no mask found: looked for a file with stem 'nomask'"),
          byId.toString());
      assertTrue(byId.get("wrongsize.png").contains("is 8x16 but the image is 16x16 (they must match)"), byId.toString());
      assertTrue(byId.get("float.tif").contains("unsupported sample depth 32-bit float"), byId.toString());
      assertTrue(byId.get("rgbmask.png").contains("has 3 channels; masks must be single-channel"), byId.toString());
      assertTrue(byId.get("orphan.png").startsWith(labels + "orphan.png: mask has no image"),
          byId.toString());
      for (DeadLetter d : dead) {
        assertEquals("ReadImageSet", d.getStage());
      }
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void engineRunSummaryBalancesAndWritesDeadLetterFile(@TempDir Path dir) throws Exception {
    makeSet(dir);
    String yaml = String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - type: ReadImageSet",
        "      name: Raw",
        "      config: {images: '" + dir + "/images', masks: '" + dir + "/labels'}",
        "    - {type: WriteAvro, input: Raw, config: {path: shards}}");
    PipelinePlan plan = PipelinePlan.validate(PipelineFile.parse("t.yaml", yaml, List.of()), StageRegistry.load());
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PipelineRun.Summary s = PipelineRun.run(plan, RunnerProfiles.options("direct", Map.of()), "direct",
        dir.resolve("out"), new PrintStream(console, true, StandardCharsets.UTF_8), 1000);
    String text = console.toString(StandardCharsets.UTF_8);
    assertTrue(s.succeeded(), text);
    PipelineRun.StageCounts raw = s.stages().get("Raw");
    assertEquals(5, raw.out());
    assertEquals(8, raw.deadLettered());
    assertEquals(13L, raw.read());
    assertTrue(text.contains("read 13 = written 5 + dead-lettered 8"), text);
    List<String> lines = Files.readAllLines(dir.resolve("out/_deadletters/deadletters.jsonl"));
    assertEquals(8, lines.size());
    assertTrue(lines.stream().anyMatch(l -> l.contains("\"stage\":\"Raw\"") && l.contains("empty.png")), lines.toString());
    assertTrue(Files.exists(dir.resolve("out/run-summary.json")));
  }

  @Test
  void pairRuleTemplateAndSingleFilePairing(@TempDir Path dir) throws Exception {
    TestImages.writePng(dir.resolve("im/x1.png"), gray(8, 8, 1));
    TestImages.writePng(dir.resolve("lb/x1_mask.png"), gray(8, 8, 255));
    Files.createDirectories(dir.resolve("vol"));
    Files.createDirectories(dir.resolve("vol2"));
    Files.write(dir.resolve("vol/train-volume.tif"), TestImages.tiffStack(List.of(gray(8, 8, 1), gray(8, 8, 2))));
    Files.write(dir.resolve("vol2/train-labels.tif"), TestImages.tiffStack(List.of(gray(8, 8, 0), gray(8, 8, 255))));
    Pipeline p = pipeline();
    PAssert.that(p.apply("a", ReadImageSet.from(dir + "/im/*.png").withMasks(dir + "/lb/*.png")
        .withPairRule("{stem}_mask")).deadLetters()).empty();
    SampleResult vol = p.apply("b", ReadImageSet.from(dir + "/vol/train-volume.tif")
        .withMasks(dir + "/vol2/train-labels.tif"));
    PAssert.that(vol.deadLetters()).empty();
    PAssert.that(vol.samples()).satisfies(s -> {
      List<Sample> l = new ArrayList<>();
      s.forEach(l::add);
      assertEquals(2, l.size());
      l.forEach(x -> assertTrue(x.getMask() != null));
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void rejectedArguments() {
    assertThrows(IllegalArgumentException.class, () -> ReadImageSet.from(""));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReadImageSet.from("x/*.png").withPairRule("mask"));
    assertTrue(e.getMessage().contains("pair rule must contain {stem}, got 'mask'"), e.getMessage());
    assertTrue(ReadImageSet.from("/nonexistent/*.png").problems().get(0).contains("no files match"));
  }

  @Test
  void isbiSlicesByPath() {
    Pipeline p = pipeline();
    SampleResult r = p.apply(ReadImageSet.from(ISBI + "/images/*.png").withMasks(ISBI + "/labels/*.png"));
    PAssert.that(r.deadLetters()).empty();
    PAssert.that(r.samples()).satisfies(samples -> {
      List<Sample> l = new ArrayList<>();
      samples.forEach(l::add);
      assertEquals(24, l.size());
      for (Sample s : l) {
        assertEquals(512, s.getImage().getHeight());
        assertEquals(512, s.getMask().getWidth());
        ImageArray m = Tensors.toImage(s.getMask());
        for (float v : m.data()) {
          assertTrue(v == 0f || v == 255f, "ISBI labels are binary");
        }
      }
      assertTrue(l.stream().anyMatch(s -> s.getId().equals("slice00.png")));
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void fashionMnistIdxWithLabels() {
    Pipeline p = pipeline();
    SampleResult r = p.apply(ReadImageSet.from(FASHION + "/t10k-images-idx3-ubyte.gz")
        .withLabels(FASHION + "/t10k-labels-idx1-ubyte.gz"));
    PAssert.that(r.deadLetters()).empty();
    PAssert.that(r.samples()).satisfies(samples -> {
      int n = 0;
      int[] perClass = new int[10];
      for (Sample s : samples) {
        n++;
        assertEquals(28, s.getImage().getHeight());
        perClass[s.getLabel()]++;
      }
      assertEquals(1000, n);
      for (int c : perClass) {
        assertTrue(c > 50, Arrays.toString(perClass));
      }
      return null;
    });
    p.run().waitUntilFinish();
  }

  /** Bundles that reached {@link BundleCountFn} (it is static: the DirectRunner serializes DoFns). */
  static final java.util.concurrent.atomic.AtomicInteger BUNDLES = new java.util.concurrent.atomic.AtomicInteger();
  static final java.util.concurrent.atomic.AtomicInteger ELEMENTS = new java.util.concurrent.atomic.AtomicInteger();

  static final class BundleCountFn extends org.apache.beam.sdk.transforms.DoFn<Sample, Integer> {
    private boolean counted;

    @StartBundle
    public void start() {
      counted = false;
    }

    @ProcessElement
    public void process(@Element Sample s) {
      if (!counted) { // a bundle that holds at least one sample
        BUNDLES.incrementAndGet();
        counted = true;
      }
      ELEMENTS.incrementAndGet();
    }
  }

  /**
   * The 1,000 images of one IDX file reach the stage after a one-copy augmentation in a few dozen
   * bundles: spread (more than one, so workers share them) but not one bundle per image, which
   * made every later GroupByKey copy its state per image (a 10,000-image Evaluate took 25 minutes).
   */
  @Test
  void anIdxFileIsSpreadOverAFewBundlesNotOnePerImage() {
    BUNDLES.set(0);
    ELEMENTS.set(0);
    Pipeline p = pipeline();
    p.apply(ReadImageSet.from(FASHION + "/t10k-images-idx3-ubyte.gz")
            .withLabels(FASHION + "/t10k-labels-idx1-ubyte.gz")).samples()
        .apply(org.unetpipelines.stages.augment.MirrorPad.of(2)).samples()
        .apply(org.apache.beam.sdk.transforms.ParDo.of(new BundleCountFn()));
    p.run().waitUntilFinish();
    assertEquals(1000, ELEMENTS.get());
    assertTrue(BUNDLES.get() > 1 && BUNDLES.get() <= 2 * org.unetpipelines.stages.Distribute.BUCKETS,
        "bundles: " + BUNDLES.get());
  }
}
