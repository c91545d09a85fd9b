package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.records.MetricRecord;

/** The classifier section of the report: confusion-matrix heat map and per-class accuracy bars (XChart). */
class ClassifierReportTest {
  @TempDir java.nio.file.Path tmp;

  /** {@code [true][predicted]}: class 0: 2 right, 1 as class 1; class 1: 1 right; class 2: 1 as 0, 1 right. */
  static final long[][] COUNTS = {{2, 1, 0}, {0, 1, 0}, {1, 0, 1}};

  private static MetricRecord agg(String metric, double value, long n) {
    return MetricRecord.newBuilder().setRun("r").setModel("resnet").setVariant("v").setDataset("fmnist")
        .setSplit("test").setImageId(null).setMetric(metric).setValue(value).setN(n).build();
  }

  /** The aggregate records Evaluate writes for {@link #COUNTS}, plus a per-image record and a non-classifier one. */
  static List<MetricRecord> records() {
    List<MetricRecord> m = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      long support = 0;
      for (int p = 0; p < 3; p++) {
        support += COUNTS[t][p];
        if (COUNTS[t][p] > 0) { // cells no image falls in have no record
          m.add(agg(ClassificationMetrics.confusionMetric(t, p), 1.0, COUNTS[t][p]));
        }
      }
      m.add(agg(ClassificationMetrics.classAccuracyMetric(t), (double) COUNTS[t][t] / support, support));
    }
    m.add(agg("top1", 4.0 / 6, 6));
    m.add(MetricRecord.newBuilder(agg("confusion_0_0", 1.0, 1)).setImageId("img#1").build());
    return m;
  }

  @Test
  void readsTheMatrixAndAccuraciesBackFromTheRecords() {
    List<ClassifierReport.Classes> all = ClassifierReport.of(records());
    assertEquals(1, all.size());
    ClassifierReport.Classes c = all.get(0);
    assertEquals("r / v / fmnist / test", c.key());
    assertEquals(3, c.classes());
    for (int t = 0; t < 3; t++) {
      assertArrayEquals(COUNTS[t], c.confusion()[t], "row " + t + " (the per-image record is not counted)");
    }
    assertArrayEquals(new double[] {2.0 / 3, 1.0, 0.5}, c.accuracy(), 1e-12);
    assertArrayEquals(new long[] {3, 1, 2}, c.support());
    assertEquals(List.of(), ClassifierReport.of(List.of(agg("iou", 0.8, 4))), "segmentation records: no section");
  }

  @Test
  void theReportShowsAHeatMapAndPerClassBars() throws Exception {
    String html = Files.readString(HtmlReport.write(tmp, "t", records(), List.of(), List.of()));
    assertTrue(html.contains("<h2>Classes</h2>"), html);
    assertTrue(html.contains("<h3>r / v / fmnist / test</h3>"), html);
    BufferedImage heat = image(html, "confusion matrix r / v / fmnist / test");
    BufferedImage bars = image(html, "per-class accuracy r / v / fmnist / test");
    assertTrue(heat.getWidth() >= 360 && heat.getHeight() >= 360, heat.getWidth() + "x" + heat.getHeight());
    assertTrue(bars.getWidth() >= 420 && bars.getHeight() == 340, bars.getWidth() + "x" + bars.getHeight());
    // the heat map uses its white-to-dark-blue scale: the largest count's colour is there
    assertTrue(countNear(heat, 0x08306b) > 100, "dark-blue pixels of the largest cell");
    // the counts as a table: row of true class 0 = 2 1 0, n 3, accuracy 2/3
    assertTrue(html.contains("<tr><th class=l>0</th><td>2</td><td>1</td><td>0</td><td>3</td><td>0.6667</td></tr>"),
        html);
    assertTrue(html.contains("<tr><th class=l>2</th><td>1</td><td>0</td><td>1</td><td>2</td><td>0.5000</td></tr>"),
        html);
  }

  @Test
  void theChartsShowTheirData() throws Exception {
    // a different matrix (the transpose) and different accuracies draw different pictures
    long[][] transposed = new long[3][3];
    for (int t = 0; t < 3; t++) {
      for (int p = 0; p < 3; p++) {
        transposed[p][t] = COUNTS[t][p];
      }
    }
    assertFalse(java.util.Arrays.equals(ClassifierReport.heatMap("m", COUNTS), ClassifierReport.heatMap("m", transposed)));
    byte[] a = ClassifierReport.accuracyBars("a", new double[] {0.9, 0.1, 0.5});
    byte[] b = ClassifierReport.accuracyBars("a", new double[] {0.1, 0.9, 0.5});
    assertFalse(java.util.Arrays.equals(a, b));
    // a class without images has no bar: the same picture as without it
    assertArrayEquals(ClassifierReport.accuracyBars("a", new double[] {0.9, 0.5}),
        ClassifierReport.accuracyBars("a", new double[] {0.9, 0.5, Double.NaN}));
  }

  @Test
  void tooManyClassesAreNotDrawn() throws Exception {
    List<MetricRecord> m = List.of(agg(ClassificationMetrics.confusionMetric(0, 0), 1, 5),
        agg(ClassificationMetrics.classAccuracyMetric(ClassifierReport.MAX_DRAWN_CLASSES), 1.0, 1));
    String html = Files.readString(HtmlReport.write(tmp, "t", m, List.of(), List.of()));
    assertTrue(html.contains((ClassifierReport.MAX_DRAWN_CLASSES + 1) + " classes: too many to draw"), html);
    assertFalse(html.contains("alt=\"confusion matrix"), html);
  }

  static BufferedImage image(String html, String alt) throws Exception {
    Matcher m = Pattern.compile("<img alt=\"" + Pattern.quote(alt) + "\" src=\"data:image/png;base64,([^\"]+)\">")
        .matcher(html);
    assertTrue(m.find(), "no image '" + alt + "' in " + html);
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
    assertNotNull(img, alt);
    return img;
  }

  private static int countNear(BufferedImage img, int rgb) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int p = img.getRGB(x, y);
        int d = Math.abs(((p >> 16) & 255) - ((rgb >> 16) & 255)) + Math.abs(((p >> 8) & 255) - ((rgb >> 8) & 255))
            + Math.abs((p & 255) - (rgb & 255));
        n += d <= 12 ? 1 : 0;
      }
    }
    return n;
  }
}
