package org.unetpipelines.stages.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.random.MersenneTwister;
import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.Sample;

/**
 * {@code kind: objects}: textured RGB objects on textured backgrounds, repeatable, the object one hue
 * whose brightness its stripes modulate, with masks that colour alone does not recover: per-pixel
 * colour k-means (k = 2, the better polarity per image) and the best grey threshold per image
 * (chosen with the mask: an upper bound for any global threshold) both stay far below IoU 1.
 */
class SyntheticObjectsTest {
  private static final int N = 32;
  private static final int S = 64;

  private static Synthetic.Pair draw(long seed, long i) {
    return Synthetic.objects(seed, i, S, S, 0.2, 0.33, 4);
  }

  private static boolean[] truth(ImageArray mask) {
    boolean[] t = new boolean[mask.height() * mask.width()];
    for (int i = 0; i < t.length; i++) {
      t[i] = mask.data()[i] > 127;
    }
    return t;
  }

  /** IoU of the predicted set with the truth; the better of the prediction and its inverse when {@code either}. */
  static double iou(boolean[] pred, boolean[] truth, boolean either) {
    long[] inter = new long[2];
    long[] union = new long[2];
    for (int i = 0; i < pred.length; i++) {
      for (int pol = 0; pol < 2; pol++) {
        boolean p = pol == 0 ? pred[i] : !pred[i];
        inter[pol] += p && truth[i] ? 1 : 0;
        union[pol] += p || truth[i] ? 1 : 0;
      }
    }
    double a = union[0] == 0 ? 1 : (double) inter[0] / union[0];
    double b = union[1] == 0 ? 1 : (double) inter[1] / union[1];
    return either ? Math.max(a, b) : a;
  }

  @Test
  void rgbImagesWithBinaryMasksOfAReasonableObjectAreaRepeatExactly() {
    double areaSum = 0;
    for (int i = 0; i < N; i++) {
      Synthetic.Pair p = draw(7, i);
      assertEquals(3, p.image().channels());
      assertEquals(1, p.mask().channels());
      assertEquals(S, p.image().height());
      assertEquals(S, p.image().width());
      assertEquals(ImageArray.Depth.U8, p.image().depth());
      int object = 0;
      for (float v : p.mask().data()) {
        assertTrue(v == 0 || v == 255, "mask is 0/255, got " + v);
        object += v == 255 ? 1 : 0;
      }
      for (float v : p.image().data()) {
        assertTrue(v >= 0 && v <= 255 && v == Math.rint(v), "8-bit values, got " + v);
      }
      double area = object / (double) (S * S);
      // mean radius 0.2..0.33 of the side, shape factor within 1 +- 0.46: area ~ 0.04..0.5 of the image
      assertTrue(area > 0.04 && area < 0.55, "object area " + area + " of image " + i);
      areaSum += area;
      Synthetic.Pair again = draw(7, i);
      assertArrayEquals(p.image().data(), again.image().data(), "same (seed, index): same pixels");
      assertArrayEquals(p.mask().data(), again.mask().data());
    }
    double mean = areaSum / N;
    assertTrue(mean > 0.12 && mean < 0.35, "mean object area " + mean);
    assertFalse(java.util.Arrays.equals(draw(7, 0).image().data(), draw(7, 1).image().data()), "another index");
    assertFalse(java.util.Arrays.equals(draw(7, 0).mask().data(), draw(8, 0).mask().data()), "another seed");
  }

  @Test
  void colourClusteringAndGreyThresholdsDoNotRecoverTheObject() {
    double kmeans = 0;
    double threshold = 0;
    for (int i = 0; i < N; i++) {
      Synthetic.Pair p = draw(11, i);
      boolean[] truth = truth(p.mask());
      float[] px = p.image().data();
      List<DoublePoint> points = new ArrayList<>();
      for (int q = 0; q < S * S; q++) {
        points.add(new DoublePoint(new double[] {px[3 * q], px[3 * q + 1], px[3 * q + 2]}));
      }
      List<CentroidCluster<DoublePoint>> clusters =
          new KMeansPlusPlusClusterer<DoublePoint>(2, 100, new org.apache.commons.math3.ml.distance.EuclideanDistance(),
              new MersenneTwister(i)).cluster(points);
      double[] c0 = clusters.get(0).getCenter().getPoint();
      double[] c1 = clusters.get(1).getCenter().getPoint();
      boolean[] first = new boolean[S * S];
      for (int q = 0; q < S * S; q++) {
        double d0 = 0;
        double d1 = 0;
        for (int ch = 0; ch < 3; ch++) {
          d0 += (px[3 * q + ch] - c0[ch]) * (px[3 * q + ch] - c0[ch]);
          d1 += (px[3 * q + ch] - c1[ch]) * (px[3 * q + ch] - c1[ch]);
        }
        first[q] = d0 <= d1;
      }
      kmeans += iou(first, truth, true);
      // the best of 64 grey thresholds, either polarity, chosen with the mask
      double best = 0;
      for (int t = 0; t < 256; t += 4) {
        boolean[] above = new boolean[S * S];
        for (int q = 0; q < S * S; q++) {
          above[q] = (px[3 * q] + px[3 * q + 1] + px[3 * q + 2]) / 3 > t;
        }
        best = Math.max(best, iou(above, truth, true));
      }
      threshold += best;
      assertEquals(1.0, iou(truth, truth, false), 0.0, "the mask itself scores 1");
    }
    kmeans /= N;
    threshold /= N;
    org.slf4j.LoggerFactory.getLogger(SyntheticObjectsTest.class).info(
        "objects, {} images: colour k-means IoU {}, best grey threshold IoU {} (best polarity per image)", N, kmeans,
        threshold);
    assertTrue(kmeans < 0.7, "colour k-means IoU (best polarity per image) " + kmeans);
    assertTrue(threshold < 0.7, "best grey threshold IoU per image " + threshold);
  }

  /** Largest relative spread (max / min - 1) of channel ratio R / G, then B / G, over the selected pixels. */
  private static double ratioSpread(float[] px, boolean[] select, boolean inside) {
    double worst = 0;
    for (int ch : new int[] {0, 2}) {
      double lo = Double.MAX_VALUE;
      double hi = 0;
      for (int q = 0; q < select.length; q++) {
        if (select[q] == inside) {
          double ratio = px[3 * q + ch] / Math.max(px[3 * q + 1], 1f);
          lo = Math.min(lo, ratio);
          hi = Math.max(hi, ratio);
        }
      }
      worst = Math.max(worst, hi / lo - 1);
    }
    return worst;
  }

  @Test
  void theObjectIsOneHueWhoseBrightnessTheStripesModulateTheBackgroundIsNot() {
    for (int i = 0; i < 8; i++) {
      Synthetic.Pair p = Synthetic.objects(3, i, S, S, 0.2, 0.33, 0);
      boolean[] truth = truth(p.mask());
      float[] px = p.image().data();
      // mu (1 + a t): every object pixel is a multiple of mu, so its channel ratios are those of mu up to the
      // rounding to 8 bits (darkest channel value 70 x 0.7 = 49, so ratios move by at most about 2 x 0.5 / 49)
      double object = ratioSpread(px, truth, true);
      assertTrue(object < 0.03, "object " + i + ": channel ratios spread " + object);
      // mu + A t with A drawn per channel: the background's hue changes from dark to light
      double background = ratioSpread(px, truth, false);
      assertTrue(background > 0.2, "background " + i + ": channel ratios spread " + background);
    }
  }

  @Test
  void rejectsBadScalesAndSizes() {
    assertThrows(IllegalArgumentException.class, () -> Synthetic.objects(0, 0, S, S, 0, 0.3, 4));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.objects(0, 0, S, S, 0.3, 0.2, 4));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.objects(0, 0, S, S, 0.2, 0.6, 4));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.objects(0, 0, S, S, 0.2, 0.3, -1));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.objects(0, 0, 4, S, 0.2, 0.3, 4));
    assertThrows(IllegalArgumentException.class, () -> SyntheticImages.objects().withObjectScale(0.4, 0.3));
    assertThrows(IllegalArgumentException.class, () -> SyntheticImages.objects().withObjectScale(0.2, 0.51));
    assertThrows(IllegalArgumentException.class, () -> SyntheticImages.objects().withObjectScale(-0.1, 0.3));
  }

  static final List<Sample> OUT = new CopyOnWriteArrayList<>();

  static final class CollectFn extends DoFn<Sample, Void> {
    @ProcessElement
    public void process(@Element Sample s) {
      OUT.add(s);
    }
  }

  @Test
  void theStageDrawsTheSameObjectsWithTheirMasks() {
    OUT.clear();
    DirectOptions opts = PipelineOptionsFactory.as(DirectOptions.class);
    opts.setBlockOnRun(true);
    Pipeline p = Pipeline.create(opts);
    Coders.register(p);
    p.apply("Objects", SyntheticImages.objects().withCount(3).withStart(5).withSeed(11))
        .apply("Collect", ParDo.of(new CollectFn()));
    p.run().waitUntilFinish();
    assertEquals(3, OUT.size());
    for (Sample s : OUT) {
      long i = Long.parseLong(s.getId().substring("objects-".length()));
      assertTrue(i >= 5 && i < 8, s.getId());
      assertEquals("synthetic:objects", s.getSource());
      Synthetic.Pair want = Synthetic.objects(11, i, 64, 64, 0.2, 0.33, 4);
      assertEquals(want.image(), Tensors.toImage(s.getImage()));
      assertEquals(want.mask(), Tensors.toImage(s.getMask()));
    }
  }
}
