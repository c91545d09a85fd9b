package org.unetpipelines.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageArray.Depth;

class ElasticWarpTest {

  static ImageArray randomImage(int h, int w, int c, Depth depth, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[h * w * c];
    for (int i = 0; i < v.length; i++) {
      v[i] = depth == Depth.U8 ? r.nextInt(256) : (float) r.nextDouble(-5, 5);
    }
    return ImageArray.wrap(h, w, c, depth, v);
  }

  /** A mask of blobs labelled with the given values. */
  static ImageArray labelMask(int h, int w, float[] labels, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        v[y * w + x] = labels[((y / 7) * 3 + (x / 5) + r.nextInt(2)) % labels.length];
      }
    }
    return ImageArray.wrap(h, w, 1, Depth.U8, v);
  }

  @Test
  void sigmaZeroIsIdentity() {
    ImageArray image = randomImage(37, 52, 1, Depth.U8, 1);
    ImageArray mask = labelMask(37, 52, new float[] {0, 255}, 2);
    ImageArray weights = randomImage(37, 52, 1, Depth.F32, 3);
    ElasticWarp.Lattice zero = ElasticWarp.Lattice.random(3, 0.0, new SplittableRandom(4));
    for (Interpolation order : new Interpolation[] {Interpolation.CUBIC, Interpolation.LINEAR}) {
      ImageStack out = ElasticWarp.deform(new ImageStack(image, mask, weights), zero, order);
      float[] a = image.data();
      float[] b = out.image().data();
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 2e-3, "image pixel " + i + " order " + order);
      }
      assertArrayEquals(mask.data(), out.mask().data());
      assertArrayEquals(weights.data(), out.weights().data());
    }
  }

  @Test
  void sigmaZeroIsIdentityForMultiChannel() {
    ImageArray rgb = randomImage(20, 24, 3, Depth.U8, 5);
    ElasticWarp.Lattice zero = ElasticWarp.Lattice.random(4, 0.0, new SplittableRandom(4));
    ImageArray out = ElasticWarp.deform(ImageStack.of(rgb), zero, Interpolation.CUBIC).image();
    assertEquals(3, out.channels());
    for (int i = 0; i < rgb.data().length; i++) {
      assertEquals(rgb.data()[i], out.data()[i], 2e-3);
    }
  }

  @Test
  void fieldEqualsLatticeAtGridPointsAndHasSigma() {
    int size = 65; // grid points at 0, 32, 64
    double sigma = 10;
    double sum = 0;
    double sum2 = 0;
    int n = 0;
    for (int copy = 0; copy < 600; copy++) {
      ElasticWarp.Lattice lat = ElasticWarp.Lattice.random(3, sigma, CopyRandom.forCopy(42, "img", copy, "Elastic"));
      ElasticWarp.Field field = new ElasticWarp.Field(lat, size, size);
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          float[] d = field.displacement(i * 32, j * 32);
          assertEquals(lat.dy()[i][j], d[0], 1e-3);
          assertEquals(lat.dx()[i][j], d[1], 1e-3);
          sum += d[0] + d[1];
          sum2 += d[0] * d[0] + d[1] * d[1];
          n += 2;
        }
      }
    }
    double mean = sum / n;
    double std = Math.sqrt(sum2 / n - mean * mean);
    // n = 10800 draws: standard error of the std is sigma/sqrt(2n) = 0.068
    assertEquals(0, mean, 0.4);
    assertEquals(sigma, std, 0.3);
  }

  @Test
  void fieldIsSmoothBetweenGridPoints() {
    ElasticWarp.Lattice lat = ElasticWarp.Lattice.random(3, 10, new SplittableRandom(9));
    ElasticWarp.Field field = new ElasticWarp.Field(lat, 101, 101);
    for (int y = 0; y < 100; y++) {
      float[] a = field.displacement(y, 40);
      float[] b = field.displacement(y + 1, 40);
      // displacement changes by well under a pixel per pixel for sigma 10 over 50-pixel cells
      assertTrue(Math.abs(a[0] - b[0]) < 1.5 && Math.abs(a[1] - b[1]) < 1.5, "jump at row " + y);
    }
  }

  @Test
  void cubicAndLinearReproduceALinearRampInTheInterior() {
    int h = 64;
    int w = 72;
    float[] v = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        v[y * w + x] = 2f * y + 3f * x + 5f;
      }
    }
    ImageArray ramp = ImageArray.wrap(h, w, 1, Depth.F32, v);
    ElasticWarp.Lattice lat = ElasticWarp.Lattice.random(3, 4, new SplittableRandom(11));
    ElasticWarp.Field field = new ElasticWarp.Field(lat, h, w);
    float[] sy = new float[w];
    float[] sx = new float[w];
    for (Interpolation order : new Interpolation[] {Interpolation.CUBIC, Interpolation.LINEAR}) {
      ImageArray out = ElasticWarp.deform(ImageStack.of(ramp), lat, order).image();
      int margin = order == Interpolation.CUBIC ? 12 : 1; // the mirror boundary bends the ramp near edges
      int checked = 0;
      for (int y = 0; y < h; y++) {
        field.row(y, 0, w, sy, sx);
        for (int x = 0; x < w; x++) {
          if (sy[x] >= margin && sy[x] <= h - 1 - margin && sx[x] >= margin && sx[x] <= w - 1 - margin) {
            assertEquals(2 * sy[x] + 3 * sx[x] + 5, out.get(y, x), 2e-3, order + " at " + y + "," + x);
            checked++;
          }
        }
      }
      assertTrue(checked > 1000, "checked " + checked);
    }
  }

  @Test
  void cubicMatchesDirectSplineSolution() {
    // an independent route: interpolate with the cardinal weights of the exact n x n spline system
    for (int[] size : new int[][] {{12, 10}, {40, 33}}) {
      int h = size[0];
      int w = size[1];
      ImageArray img = randomImage(h, w, 1, Depth.F32, 21);
      SplittableRandom r = new SplittableRandom(5);
      int n = 200;
      float[] sy = new float[n];
      float[] sx = new float[n];
      for (int i = 0; i < n; i++) {
        sy[i] = (float) r.nextDouble(-3, h + 2);
        sx[i] = (float) r.nextDouble(-3, w + 2);
      }
      CoordinateMap fixed = (y, x0, len, oy, ox) -> {
        System.arraycopy(sy, x0, oy, 0, len);
        System.arraycopy(sx, x0, ox, 0, len);
      };
      ImageArray got = Warp.warp(ImageStack.of(img), fixed, Interpolation.CUBIC, 0, 0, 1, n).image();
      for (int i = 0; i < n; i++) {
        double[] wy = BSpline.cardinalWeights(h, new double[] {foldReal(sy[i], h)})[0];
        double[] wx = BSpline.cardinalWeights(w, new double[] {foldReal(sx[i], w)})[0];
        double expect = 0;
        for (int a = 0; a < h; a++) {
          for (int b = 0; b < w; b++) {
            expect += wy[a] * wx[b] * img.get(a, b);
          }
        }
        assertEquals(expect, got.get(0, i), 1e-3, "point " + sy[i] + "," + sx[i] + " in " + h + "x" + w);
      }
    }
  }

  /** Mirror a real coordinate into [0, n-1] (the spline with mirror boundary is mirror-symmetric). */
  private static double foldReal(double t, int n) {
    double period = 2.0 * (n - 1);
    double m = ((t % period) + period) % period;
    return m <= n - 1 ? m : period - m;
  }

  @Test
  void nearestMaskKeepsExactlyItsLabels() {
    float[] labels = {0, 3, 7, 128, 255};
    ImageArray mask = labelMask(80, 90, labels, 3);
    Set<Float> allowed = new HashSet<>();
    for (float l : labels) {
      allowed.add(l);
    }
    for (int copy = 0; copy < 5; copy++) {
      ElasticWarp.Lattice lat = ElasticWarp.Lattice.random(3, 10, CopyRandom.forCopy(1, "m", copy, "E"));
      ImageStack out = ElasticWarp.deform(new ImageStack(randomImage(80, 90, 1, Depth.U8, 1), mask, null), lat,
          Interpolation.CUBIC);
      for (float v : out.mask().data()) {
        assertTrue(allowed.contains(v), "unexpected mask value " + v);
      }
      for (float v : out.image().data()) {
        assertTrue(v >= 0 && v <= 255, "U8 image value out of range: " + v);
      }
    }
  }

  @Test
  void windowEqualsDeformThenCrop() {
    ImageArray image = randomImage(70, 60, 1, Depth.U8, 7);
    ImageArray mask = labelMask(70, 60, new float[] {0, 255}, 8);
    ElasticWarp.Lattice lat = ElasticWarp.Lattice.random(3, 10, new SplittableRandom(3));
    ImageStack full = ElasticWarp.deform(new ImageStack(image, mask, null), lat, Interpolation.CUBIC);
    Crops.Window win = new Crops.Window(9, 5, 40, 50);
    ImageStack windowed = ElasticWarp.deform(new ImageStack(image, mask, null), lat, Interpolation.CUBIC, 9, 5, 40, 50);
    assertEquals(Crops.crop(full.image(), win), windowed.image());
    assertEquals(Crops.crop(full.mask(), win), windowed.mask());
  }

  @Test
  void rejectsBadArguments() {
    SplittableRandom r = new SplittableRandom(1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ElasticWarp.Lattice.random(0, 10, r));
    assertTrue(e.getMessage().contains("grid must be >= 1, got 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ElasticWarp.Lattice.random(3, -1, r));
    assertTrue(e.getMessage().contains("sigma must be a finite value >= 0, got -1.0"), e.getMessage());
    ElasticWarp.Lattice lat = ElasticWarp.Lattice.random(3, 1, r);
    ImageStack in = ImageStack.of(randomImage(10, 10, 1, Depth.U8, 1));
    e = assertThrows(IllegalArgumentException.class,
        () -> ElasticWarp.deform(in, lat, Interpolation.CUBIC, 5, 0, 8, 8));
    assertTrue(e.getMessage().contains("window 8x8 at (5, 0) does not fit in the 10x10 image"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new ImageStack(randomImage(10, 10, 1, Depth.U8, 1), randomImage(10, 11, 1, Depth.U8, 1), null));
    assertTrue(e.getMessage().contains("same height and width"), e.getMessage());
  }
}
