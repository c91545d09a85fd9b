package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The U-Net paper's elastic deformation. A coarse {@code grid x grid} lattice of displacement
 * vectors, each component drawn from N(0, sigma) pixels, is spread evenly over the image (grid
 * point {@code i} at row {@code i·(h-1)/(grid-1)}) and upsampled to a per-pixel displacement field by
 * cubic B-spline interpolation of the lattice (so the field equals the drawn vectors at the grid
 * points and is smooth between them). Output pixel {@code p} then samples the source at
 * {@code p + d(p)} with {@link Warp} (image: cubic B-spline or linear; mask: nearest; weights:
 * linear; mirror boundary) — the method of the {@code elasticdeform} library.
 *
 * <p>Cost per output pixel: 2·grid multiply-adds for the field plus the interpolation kernel
 * (4x4 for cubic); the prefilter is O(h·w) once per image. Only the requested window is computed,
 * so deform-then-crop costs only the crop's pixels.
 */
public final class ElasticWarp {
  private ElasticWarp() {}

  /**
   * A drawn displacement lattice: {@code dy[i][j]} and {@code dx[i][j]} in pixels at grid row i,
   * column j.
   */
  public record Lattice(double[][] dy, double[][] dx) {
    public Lattice {
      checkNotNull(dy, "dy");
      checkNotNull(dx, "dx");
      checkArgument(dy.length >= 1 && dy.length == dx.length && dy[0].length == dx[0].length,
          "dy and dx must be non-empty grids of the same shape");
    }

    public int rows() {
      return dy.length;
    }

    public int cols() {
      return dy[0].length;
    }

    /** Draws a {@code grid x grid} lattice, each component ~ N(0, sigma), row-major, dy before dx. */
    public static Lattice random(int grid, double sigma, SplittableRandom rng) {
      checkArgument(grid >= 1, "grid must be >= 1, got %s", grid);
      checkArgument(sigma >= 0 && Double.isFinite(sigma), "sigma must be a finite value >= 0, got %s", sigma);
      double[][] dy = new double[grid][grid];
      double[][] dx = new double[grid][grid];
      for (double[][] d : new double[][][] {dy, dx}) {
        for (int i = 0; i < grid; i++) {
          for (int j = 0; j < grid; j++) {
            d[i][j] = sigma * CopyRandom.gaussian(rng);
          }
        }
      }
      return new Lattice(dy, dx);
    }
  }

  /** The displacement field of a lattice over an {@code h x w} image, as a backward coordinate map. */
  public static final class Field implements CoordinateMap {
    private final int h;
    private final int w;
    private final int gy;
    /** Interpolation weights per image row: [h][gy]. */
    private final double[][] rowWeights;
    /** Lattice interpolated along x: [gy][w], for dy and dx. */
    private final float[][] dyAlongX;
    private final float[][] dxAlongX;

    public Field(Lattice lattice, int h, int w) {
      checkArgument(h > 0 && w > 0, "image size must be positive, got %sx%s", h, w);
      this.h = h;
      this.w = w;
      this.gy = lattice.rows();
      int gx = lattice.cols();
      this.rowWeights = BSpline.cardinalWeights(gy, knotPositions(h, gy));
      double[][] colWeights = BSpline.cardinalWeights(gx, knotPositions(w, gx));
      this.dyAlongX = alongX(lattice.dy(), colWeights, w);
      this.dxAlongX = alongX(lattice.dx(), colWeights, w);
    }

    /** Pixel {@code p} in knot units: knots at 0..g-1 span pixels 0..n-1. */
    private static double[] knotPositions(int n, int g) {
      double[] t = new double[n];
      double scale = n > 1 ? (g - 1) / (double) (n - 1) : 0;
      for (int p = 0; p < n; p++) {
        t[p] = p * scale;
      }
      return t;
    }

    private static float[][] alongX(double[][] lattice, double[][] colWeights, int w) {
      float[][] out = new float[lattice.length][w];
      for (int i = 0; i < lattice.length; i++) {
        for (int x = 0; x < w; x++) {
          double s = 0;
          for (int j = 0; j < lattice[i].length; j++) {
            s += colWeights[x][j] * lattice[i][j];
          }
          out[i][x] = (float) s;
        }
      }
      return out;
    }

    public int height() {
      return h;
    }

    public int width() {
      return w;
    }

    /** The displacement (dy, dx) at pixel (y, x). */
    public float[] displacement(int y, int x) {
      float[] sy = new float[1];
      float[] sx = new float[1];
      row(y, x, 1, sy, sx);
      return new float[] {sy[0] - y, sx[0] - x};
    }

    @Override
    public void row(int y, int x0, int n, float[] sy, float[] sx) {
      checkArgument(y >= 0 && y < h && x0 >= 0 && x0 + n <= w,
          "row %s columns %s..%s outside the %sx%s field", y, x0, x0 + n - 1, h, w);
      double[] wy = rowWeights[y];
      for (int i = 0; i < n; i++) {
        sy[i] = 0;
        sx[i] = 0;
      }
      for (int k = 0; k < gy; k++) {
        float wk = (float) wy[k];
        float[] dyk = dyAlongX[k];
        float[] dxk = dxAlongX[k];
        for (int i = 0; i < n; i++) {
          sy[i] += wk * dyk[x0 + i];
          sx[i] += wk * dxk[x0 + i];
        }
      }
      for (int i = 0; i < n; i++) {
        sy[i] += y;
        sx[i] += x0 + i;
      }
    }
  }

  /** Deforms all layers of {@code in} with {@code lattice}; the whole image. */
  public static ImageStack deform(ImageStack in, Lattice lattice, Interpolation imageOrder) {
    return deform(in, lattice, imageOrder, 0, 0, in.height(), in.width());
  }

  /**
   * Deforms and crops in one step: computes only the {@code outH x outW} window at {@code (y0, x0)}
   * of the deformed image (the field is defined on the whole input, so this equals deforming the
   * whole image and then cropping).
   */
  public static ImageStack deform(ImageStack in, Lattice lattice, Interpolation imageOrder,
      int y0, int x0, int outH, int outW) {
    checkNotNull(in, "layers");
    checkNotNull(imageOrder, "imageOrder");
    checkArgument(y0 >= 0 && x0 >= 0 && outH > 0 && outW > 0
            && y0 + outH <= in.height() && x0 + outW <= in.width(),
        "window %sx%s at (%s, %s) does not fit in the %sx%s image", outH, outW, y0, x0, in.height(), in.width());
    Field field = new Field(lattice, in.height(), in.width());
    return Warp.warp(in, field, imageOrder, y0, x0, outH, outW);
  }

  /**
   * The elastic deformation as a {@link SampleOp}: draws a {@code grid x grid} lattice from the
   * stream ({@link Lattice#random}) and deforms every layer (image with {@code imageOrder}, mask
   * nearest, weights linear: one field for all), computing only the centred {@code cropHeight x
   * cropWidth} window when both are {@code > 0}. Parameters: {@code dy[i][j]}, {@code dx[i][j]}.
   */
  public static SampleOp op(int grid, double sigma, Interpolation imageOrder, int cropHeight, int cropWidth) {
    checkArgument(grid >= 2, "grid must be >= 2 points per axis, got %s", grid);
    checkArgument(sigma >= 0 && Double.isFinite(sigma), "sigma must be a finite number of pixels >= 0, got %s", sigma);
    checkNotNull(imageOrder, "imageOrder");
    return new DeformOp(grid, sigma, imageOrder, cropHeight, cropWidth);
  }

  /** Draws a lattice from the stream and deforms (and crops). */
  private static final class DeformOp implements SampleOp {
    private static final long serialVersionUID = 1L;
    private final int grid;
    private final double sigma;
    private final Interpolation order;
    private final int cropHeight;
    private final int cropWidth;

    DeformOp(int grid, double sigma, Interpolation order, int cropHeight, int cropWidth) {
      this.grid = grid;
      this.sigma = sigma;
      this.order = order;
      this.cropHeight = cropHeight;
      this.cropWidth = cropWidth;
    }

    @Override
    public List<Outcome> apply(ImageStack in, SplittableRandom rng) {
      Lattice lattice = Lattice.random(grid, sigma, rng);
      Crops.Window win = cropHeight > 0
          ? Crops.Window.centered(in.height(), in.width(), cropHeight, cropWidth)
          : new Crops.Window(0, 0, in.height(), in.width());
      ImageStack out = deform(in, lattice, order, win.y(), win.x(), win.height(), win.width());
      return List.of(new Outcome(out, params(lattice)));
    }
  }

  /** A lattice as parameters {@code dy[i][j]}, {@code dx[i][j]}, row-major. */
  public static Map<String, Double> params(Lattice lattice) {
    Map<String, Double> p = new LinkedHashMap<>();
    for (int i = 0; i < lattice.rows(); i++) {
      for (int j = 0; j < lattice.cols(); j++) {
        p.put("dy[" + i + "][" + j + "]", lattice.dy()[i][j]);
        p.put("dx[" + i + "][" + j + "]", lattice.dx()[i][j]);
      }
    }
    return p;
  }
}
