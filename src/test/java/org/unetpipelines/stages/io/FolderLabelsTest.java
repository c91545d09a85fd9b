package org.unetpipelines.stages.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.image.TestImages;
import org.unetpipelines.io.ImageSets;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/** ReadImageSet with {@code labels: folders}: images/<class>/..., classes = sorted folder names. */
class FolderLabelsTest {

  static void makeFolders(Path dir) throws Exception {
    TestImages.writePng(dir.resolve("sneaker/a.png"), ReadImageSetTest.gray(8, 8, 10));
    TestImages.writePng(dir.resolve("sneaker/deep/b.png"), ReadImageSetTest.gray(8, 8, 20));
    TestImages.writePng(dir.resolve("bag/c.png"), ReadImageSetTest.gray(8, 8, 30));
    TestImages.writePng(dir.resolve("coat/d.png"), ReadImageSetTest.gray(8, 8, 40));
    Files.writeString(dir.resolve("coat/.hidden.png"), "not read");
    Files.writeString(dir.resolve("coat/broken.png"), "not an image");
    TestImages.writePng(dir.resolve("stray.png"), ReadImageSetTest.gray(8, 8, 50));
  }

  @Test
  void classesAreTheSortedFolderNames(@TempDir Path dir) throws Exception {
    makeFolders(dir);
    assertEquals(List.of("bag", "coat", "sneaker"), ImageSets.folderClasses(dir.toString()));
    List<ImageSets.Task> tasks = ImageSets.planFolders(dir.toString());
    Map<String, Integer> labels = new TreeMap<>();
    for (ImageSets.Task t : tasks) {
      if (t.problem() == null) {
        labels.put(t.id(), t.label());
      }
    }
    assertEquals(Map.of("bag/c.png", 0, "coat/broken.png", 1, "coat/d.png", 1, "sneaker/a.png", 2,
        "sneaker/deep/b.png", 2), labels);
    assertTrue(tasks.stream().anyMatch(t -> t.id().equals("stray.png") && t.problem().contains("not in a class folder")));
  }

  @Test
  void readImageSetLabelsEverySampleByItsFolder(@TempDir Path dir) throws Exception {
    makeFolders(dir);
    Pipeline p = ReadImageSetTest.pipeline();
    SampleResult r = p.apply(ReadImageSet.from(dir.toString()).withLabels("folders"));
    PAssert.that(r.samples()).satisfies(samples -> {
      Map<String, Integer> got = new TreeMap<>();
      StreamSupport.stream(samples.spliterator(), false).forEach(s -> got.put(s.getId(), s.getLabel()));
      assertEquals(Map.of("bag/c.png", 0, "coat/d.png", 1, "sneaker/a.png", 2, "sneaker/deep/b.png", 2), got);
      return null;
    });
    PAssert.that(r.deadLetters()).satisfies(dead -> {
      List<String> reasons = StreamSupport.stream(dead.spliterator(), false).map(DeadLetter::getReason).sorted().toList();
      assertEquals(2, reasons.size(), reasons.toString());
      assertTrue(reasons.stream().anyMatch(x -> x.contains("not in a class folder")), reasons.toString());
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void problemsNameWhatIsWrong(@TempDir Path dir) throws Exception {
    TestImages.writePng(dir.resolve("flat/a.png"), ReadImageSetTest.gray(8, 8, 10));
    List<String> noClasses = ReadImageSet.from(dir.resolve("flat").toString()).withLabels("folders").problems();
    assertTrue(noClasses.toString().contains("has no class folders"), noClasses.toString());
    List<String> file = ReadImageSet.from(dir.resolve("flat/a.png").toString()).withLabels("folders").problems();
    assertTrue(file.toString().contains("needs 'images' to be a folder of class folders"), file.toString());
    List<String> masks = ReadImageSet.from(dir.toString()).withMasks(dir.toString()).withLabels("folders").problems();
    assertTrue(masks.toString().contains("does not go with 'masks'"), masks.toString());
    assertTrue(ReadImageSet.from(dir.toString()).withLabels("folders").problems().isEmpty());
  }

  /** Samples keep the Sample schema: label is the int field IDX samples use too. */
  @Test
  void idxSamplesCarryTheirLabelsToo() {
    Sample s = Sample.newBuilder().setId("x").setSource("s").setImage(org.unetpipelines.image.Tensors.toTensor(
        ReadImageSetTest.gray(2, 2, 1))).setLabel(7).build();
    assertEquals(7, s.getLabel());
  }
}
