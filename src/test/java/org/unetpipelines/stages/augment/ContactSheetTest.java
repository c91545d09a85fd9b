package org.unetpipelines.stages.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Sample;

class ContactSheetTest {

  @Test
  void rowsShowOriginalDeformedAndOverlay(@TempDir Path tmp) throws Exception {
    Sample a = AugmentStagesTest.sample("a.png", 32, 32, true, 1);
    Sample b = AugmentStagesTest.sample("b.png", 32, 32, true, 2);
    Sample c = AugmentStagesTest.sample("c.png", 32, 32, true, 3);
    TestPipeline p = AugmentStagesTest.pipeline();
    PCollection<Sample> originals = AugmentStagesTest.input(p, c, a, b);
    PCollection<Sample> deformed = originals.apply(ElasticDeform.create().withCopies(2).withSeed(5)).samples();
    String path = tmp.resolve("sheets/sheet.png").toString();
    PCollection<String> written = PCollectionList.of(originals).and(deformed)
        .apply(ContactSheet.to(path).withRows(2).withCell(32));
    PAssert.that(written).containsInAnyOrder(path);
    p.run().waitUntilFinish();

    ImageArray sheet = ImageCodec.decodeFirst(Files.readAllBytes(Path.of(path)));
    // 2 rows (a, b: the first ids) of 3 cells of 32 px with 4 px gaps
    assertEquals(2 * 32 + 3 * 4, sheet.height());
    assertEquals(3 * 32 + 4 * 4, sheet.width());
    assertEquals(3, sheet.channels());
    // the cell size equals the image size, so the first cell is the original pixel for pixel
    ImageArray origB = Tensors.toImage(b.getImage());
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        assertEquals(origB.get(y, x), sheet.get(4 + 32 + 4 + y, 4 + x, 1), 0.5, "row b at " + y + "," + x);
      }
    }
    // the second and third cells show a's first copy (a.png/ElasticDeform#0), the third tinted by its mask
    Sample first = org.apache.beam.sdk.util.CoderUtils.clone(org.unetpipelines.records.Coders.sample(), a);
    List<Sample> copies = AugmentStagesTest.run(in -> in.apply(ElasticDeform.create().withCopies(2).withSeed(5)), first)
        .samples();
    Sample copy0 = copies.stream().filter(s -> s.getId().equals("a.png/ElasticDeform#0")).findFirst().orElseThrow();
    ImageArray img = Tensors.toImage(copy0.getImage());
    ImageArray mask = Tensors.toImage(copy0.getMask());
    int x0 = 4 + 32 + 4;
    int x1 = x0 + 32 + 4;
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        float v = img.get(y, x);
        assertEquals(v, sheet.get(4 + y, x0 + x, 0), 0.5);
        float tintG = mask.get(y, x) > 0 ? 220 : 40;
        assertEquals(0.65f * v + 0.35f * tintG, sheet.get(4 + y, x1 + x, 1), 0.6);
      }
    }
  }

  @Test
  void rejectedConfigs() {
    AugmentStagesTest.assertMessage(() -> ContactSheet.to("sheet.jpg"), "must end in .png, got 'sheet.jpg'");
    AugmentStagesTest.assertMessage(() -> ContactSheet.to("s.png").withRows(0), "rows must be 1..64, got 0");
    AugmentStagesTest.assertMessage(() -> ContactSheet.to("s.png").withCell(8), "cell must be 16..2048 pixels, got 8");
    AugmentStagesTest.assertCheck(new ContactSheet.Provider().check(new ContactSheet.Config("x.png", 100, 64)),
        "rows must be 1..64, got 100");
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollection<Sample> one = AugmentStagesTest.input(p, AugmentStagesTest.sample("a", 8, 8, true, 1));
    AugmentStagesTest.assertMessage(() -> PCollectionList.of(one).apply(ContactSheet.to("s.png")),
        "ContactSheet takes two inputs (originals, augmented), got 1");
    assertTrue(new ContactSheet.Provider().check(new ContactSheet.Config("x.png", 4, 64)).isEmpty());
  }
}
