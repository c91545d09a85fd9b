package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Thins the background of a binary segmentation to one-pixel lines, as the ISBI 2012 leaderboard
 * (2016 script, Arganda-Carreras et al., Front. Neuroanat. 2015) does before V_rand and V_info: a
 * 4-connected watershed of the inverted binary map. Every 4-connected foreground component is a
 * catchment basin; the background is one flooding level that the basins grow into; where two basins
 * meet, a watershed line (label 0) stays.
 *
 * <p>The flooding is Vincent and Soille's (IEEE PAMI 13(6), 1991) with the conventions of Fiji's
 * {@code WatershedTransform2D}, which the challenge's evaluation uses (they move V_rand by up to
 * 1e-3 when done otherwise, see {@code ../shared/MODELS.md} §4.3): pixels of a level are visited
 * in column-major order (x outer, y inner), neighbours in the order (x-1, y), (x, y-1), (x+1, y),
 * (x, y+1), basins are numbered in the order their first pixel is met, and the "watershed pixel
 * next to a watershed pixel" flag of the flooding queue is one flag for the whole run. Background
 * not reached from any basin (an image without foreground) becomes basins of its own.
 */
public final class BorderThinning {
  private static final int INIT = -1;
  private static final int MASK = -2;
  private static final int INQUEUE = -3;
  private static final int WSHED = 0;

  private BorderThinning() {}

  /**
   * Segment labels after thinning: 1, 2, ... for the basins (each grown over the background up to
   * the lines), 0 for the one-pixel watershed lines.
   *
   * @param foreground proposal foreground per pixel, row-major {@code height x width}
   */
  public static int[] thin(boolean[] foreground, int height, int width) {
    checkArgument(foreground.length == height * width,
        "mask has %s pixels, expected %sx%s", foreground.length, height, width);
    int n = foreground.length;
    int[] lab = new int[n];
    java.util.Arrays.fill(lab, INIT);
    // The two levels in Fiji's order: all foreground pixels (value 0 of the inverted map) column-major,
    // then all background pixels (255) column-major.
    int[] order = new int[n];
    int nFg = 0;
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        if (foreground[y * width + x]) {
          order[nFg++] = y * width + x;
        }
      }
    }
    int k = nFg;
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        if (!foreground[y * width + x]) {
          order[k++] = y * width + x;
        }
      }
    }
    int[] queue = new int[n];
    int[] nb = new int[4];
    int next = 0;
    boolean flag = false;
    for (int level = 0; level < 2; level++) {
      int from = level == 0 ? 0 : nFg;
      int to = level == 0 ? nFg : n;
      if (from == to) {
        continue;
      }
      int head = 0;
      int tail = 0;
      // Pixels of this level next to a basin or a line start the queue.
      for (int o = from; o < to; o++) {
        int p = order[o];
        lab[p] = MASK;
        int m = neighbours(p, height, width, nb);
        for (int q = 0; q < m; q++) {
          if (lab[nb[q]] >= WSHED) {
            queue[tail++] = p;
            lab[p] = INQUEUE;
            break;
          }
        }
      }
      while (head < tail) {
        int p = queue[head++];
        int m = neighbours(p, height, width, nb);
        for (int q = 0; q < m; q++) {
          int u = nb[q];
          if (lab[u] > 0) {
            if (lab[p] == INQUEUE || (lab[p] == WSHED && flag)) {
              lab[p] = lab[u];
            } else if (lab[p] > 0 && lab[p] != lab[u]) {
              lab[p] = WSHED;
              flag = false;
            }
          } else if (lab[u] == WSHED) {
            if (lab[p] == INQUEUE) {
              lab[p] = WSHED;
              flag = true;
            }
          } else if (lab[u] == MASK) {
            lab[u] = INQUEUE;
            queue[tail++] = u;
          }
        }
      }
      // New minima: pixels of this level that no basin reached start basins of their own.
      for (int o = from; o < to; o++) {
        int p = order[o];
        if (lab[p] != MASK) {
          continue;
        }
        lab[p] = ++next;
        head = 0;
        tail = 0;
        queue[tail++] = p;
        while (head < tail) {
          int m = neighbours(queue[head++], height, width, nb);
          for (int q = 0; q < m; q++) {
            if (lab[nb[q]] == MASK) {
              lab[nb[q]] = next;
              queue[tail++] = nb[q];
            }
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (lab[i] < 0) {
        lab[i] = 0;
      }
    }
    return lab;
  }

  /** The in-image 4-neighbours of p in Fiji's order (x-1, y), (x, y-1), (x+1, y), (x, y+1). */
  private static int neighbours(int p, int height, int width, int[] out) {
    int y = p / width;
    int x = p % width;
    int m = 0;
    if (x > 0) {
      out[m++] = p - 1;
    }
    if (y > 0) {
      out[m++] = p - width;
    }
    if (x + 1 < width) {
      out[m++] = p + 1;
    }
    if (y + 1 < height) {
      out[m++] = p + width;
    }
    return m;
  }
}
