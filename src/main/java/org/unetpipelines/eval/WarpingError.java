package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * The warping error of Jain et al., "Boundary learning by optimization with topological
 * constraints" (CVPR 2010), the ISBI 2012 challenge's topological metric: the truth is warped
 * toward the binarised prediction by flipping only <em>simple</em> pixels (pixels whose flip changes
 * no topology: no object split, merged, added or deleted, no hole added or removed), as far as it
 * goes; the warping error is the fraction of pixels where the warped truth and the prediction still
 * disagree. Boundary shifts cost nothing; every split, merge, missing or extra object costs at least
 * one pixel. Definition: D(L || L*) = min over topology-preserving warps L' of L* of |L xor L'| / N.
 *
 * <p>Conventions, those of Fiji's {@code WarpingError} ("classic" warping error, the challenge's
 * evaluation code), so values compare with the leaderboard's:
 * <ul>
 *   <li>foreground (cell) is the truth's non-zero pixels and the prediction's {@code p > t}; outside
 *       the image is background;</li>
 *   <li>a pixel is simple for 4-connected foreground and 8-connected background: in its 3x3
 *       neighbourhood (centre excluded) the foreground has exactly one 4-connected component
 *       4-adjacent to the centre and the background exactly one 8-connected component (Bertrand and
 *       Malandain's topological numbers, Patt. Recog. Lett. 15, 1994; Fiji tests the same in 3-D with
 *       the 2-D patch as the middle plane, which gives this 2-D criterion on every patch);</li>
 *   <li>mismatched pixels are visited in order of decreasing |p - t| (most confident first), ties in
 *       column-major order (x outer, y inner); each pass flips every mismatched pixel that is simple
 *       at its turn (earlier flips of the pass count), and passes repeat until one flips nothing.</li>
 * </ul>
 */
public final class WarpingError {
  // Neighbour offsets (dy, dx) of the bits 0..7, row-major around the centre.
  private static final int[] DY = {-1, -1, -1, 0, 0, 1, 1, 1};
  private static final int[] DX = {-1, 0, 1, -1, 1, -1, 0, 1};

  /** SIMPLE[b]: whether a pixel with the 8 neighbours of bit pattern b is simple (see {@link #bit}). */
  private static final boolean[] SIMPLE = simpleTable();

  private WarpingError() {}

  /**
   * Number of pixels where the truth, warped toward {@code prob > threshold} by simple-pixel flips,
   * still differs from it. The warping error is this count divided by the pixel count.
   *
   * @param prob foreground probability per pixel, row-major {@code height x width}
   * @param truth true foreground per pixel
   */
  public static long mismatches(float[] prob, boolean[] truth, int height, int width, double threshold) {
    return run(prob, truth, height, width, threshold).left();
  }

  /**
   * The warped truth: the truth after all the simple-pixel flips toward {@code prob > threshold}
   * (row-major, foreground = true). Where it still differs from the prediction are the topological
   * errors.
   */
  public static boolean[] warp(float[] prob, boolean[] truth, int height, int width, double threshold) {
    Warped w = run(prob, truth, height, width, threshold);
    boolean[] out = new boolean[height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        out[y * width + x] = w.canvas()[(y + 1) * (width + 2) + x + 1] != 0;
      }
    }
    return out;
  }

  private record Warped(byte[] canvas, int left) {}

  private static Warped run(float[] prob, boolean[] truth, int height, int width, double threshold) {
    checkArgument(prob.length == height * width && truth.length == height * width,
        "prediction has %s pixels and truth %s, expected %sx%s", prob.length, truth.length, height, width);
    int pw = width + 2;
    byte[] src = new byte[(height + 2) * pw];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        src[(y + 1) * pw + x + 1] = (byte) (truth[y * width + x] ? 1 : 0);
      }
    }
    // Mismatches, column-major, then by decreasing confidence |p - t| (stable: ties keep the scan order).
    int m = 0;
    long[] keyed = new long[height * width];
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        int i = y * width + x;
        if (truth[i] != (prob[i] > threshold)) {
          float conf = (float) Math.abs((double) prob[i] - threshold);
          // Sort ascending on (-conf bits, scan position): conf >= 0, so its float bits order like the value.
          long c = Float.floatToIntBits(conf);
          keyed[m] = ((0x7fffffffL - c) << 32) | m;
          m++;
        }
      }
    }
    int[] scan = new int[m];
    m = 0;
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        int i = y * width + x;
        if (truth[i] != (prob[i] > threshold)) {
          scan[m++] = (y + 1) * pw + x + 1;
        }
      }
    }
    long[] sorted = Arrays.copyOf(keyed, m);
    Arrays.sort(sorted);
    int[] pending = new int[m];
    for (int k = 0; k < m; k++) {
      pending[k] = scan[(int) (sorted[k] & 0xffffffffL)];
    }
    int left = m;
    boolean changed = true;
    while (changed && left > 0) {
      changed = false;
      int kept = 0;
      for (int k = 0; k < left; k++) {
        int p = pending[k];
        if (SIMPLE[pattern(src, p, pw)]) {
          src[p] ^= 1;
          changed = true;
        } else {
          pending[kept++] = p;
        }
      }
      left = kept;
    }
    return new Warped(src, left);
  }

  /** The warping error, mismatches / pixels. */
  public static double error(float[] prob, boolean[] truth, int height, int width, double threshold) {
    return (double) mismatches(prob, truth, height, width, threshold) / ((double) height * width);
  }

  /** Whether a pixel is simple given its 3x3 neighbourhood, row-major (the centre is ignored). */
  public static boolean isSimple(boolean[] patch3x3) {
    checkArgument(patch3x3.length == 9, "a 3x3 patch has 9 values, got %s", patch3x3.length);
    int b = 0;
    for (int k = 0; k < 8; k++) {
      if (patch3x3[(1 + DY[k]) * 3 + 1 + DX[k]]) {
        b |= 1 << k;
      }
    }
    return SIMPLE[b];
  }

  private static int pattern(byte[] src, int p, int pw) {
    int b = 0;
    for (int k = 0; k < 8; k++) {
      if (src[p + DY[k] * pw + DX[k]] != 0) {
        b |= 1 << k;
      }
    }
    return b;
  }

  /** Bit of neighbour (dy, dx) in a pattern. */
  static int bit(int dy, int dx) {
    for (int k = 0; k < 8; k++) {
      if (DY[k] == dy && DX[k] == dx) {
        return k;
      }
    }
    throw new IllegalArgumentException("not a neighbour: " + dy + ", " + dx);
  }

  private static boolean[] simpleTable() {
    boolean[] t = new boolean[256];
    for (int b = 0; b < 256; b++) {
      boolean[] fg = new boolean[9];
      for (int k = 0; k < 8; k++) {
        fg[(1 + DY[k]) * 3 + 1 + DX[k]] = (b >> k & 1) != 0;
      }
      boolean[] bg = new boolean[9];
      for (int i = 0; i < 9; i++) {
        bg[i] = i != 4 && !fg[i];
      }
      t[b] = components(fg, false, true) == 1 && components(bg, true, false) == 1;
    }
    return t;
  }

  /**
   * Connected components of the set pixels of a 3x3 patch (centre excluded), 8- or 4-connected;
   * with {@code touchCentre} only those with a pixel 4-adjacent to the centre are counted.
   */
  private static int components(boolean[] set, boolean eight, boolean touchCentre) {
    int[] comp = new int[9];
    int count = 0;
    for (int s = 0; s < 9; s++) {
      if (s == 4 || !set[s] || comp[s] != 0) {
        continue;
      }
      int id = s + 1;
      boolean touches = false;
      int[] stack = new int[9];
      int top = 0;
      stack[top++] = s;
      comp[s] = id;
      while (top > 0) {
        int p = stack[--top];
        int py = p / 3;
        int px = p % 3;
        if (Math.abs(py - 1) + Math.abs(px - 1) == 1) {
          touches = true;
        }
        for (int q = 0; q < 9; q++) {
          int dy = Math.abs(q / 3 - py);
          int dx = Math.abs(q % 3 - px);
          boolean adjacent = eight ? Math.max(dy, dx) == 1 : dy + dx == 1;
          if (q != 4 && adjacent && set[q] && comp[q] == 0) {
            comp[q] = id;
            stack[top++] = q;
          }
        }
      }
      if (!touchCentre || touches) {
        count++;
      }
    }
    return count;
  }
}
