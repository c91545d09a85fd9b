package org.unetpipelines.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageArray.Depth;

/**
 * A contact sheet: one row per sample with three cells — the original image, the augmented image,
 * and the augmented image with its mask overlaid (foreground, {@code mask > 0}, tinted green;
 * background tinted magenta) — each scaled (bilinear) to fit a square cell. Output: 8-bit RGB.
 */
public final class ContactSheets {
  private ContactSheets() {}

  /** One row: the original and its augmented version (mask may be null). */
  public record Row(ImageArray original, ImageArray augmented, ImageArray augmentedMask) {
    public Row {
      checkNotNull(original, "original");
    }
  }

  static final int GAP = 4;
  private static final float[] FOREGROUND = {40, 220, 60};
  private static final float[] BACKGROUND = {230, 40, 200};
  private static final float ALPHA = 0.35f;

  public static ImageArray render(List<Row> rows, int cell) {
    checkArgument(!rows.isEmpty(), "a contact sheet needs at least one row");
    checkArgument(cell >= 16, "cell must be >= 16 pixels, got %s", cell);
    int cols = 3;
    int h = rows.size() * cell + (rows.size() + 1) * GAP;
    int w = cols * cell + (cols + 1) * GAP;
    float[] out = new float[h * w * 3];
    java.util.Arrays.fill(out, 255f);
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      int y0 = GAP + r * (cell + GAP);
      paste(out, w, y0, GAP, gray(row.original()), null, cell);
      if (row.augmented() != null) {
        ImageArray aug = gray(row.augmented());
        paste(out, w, y0, GAP + (cell + GAP), aug, null, cell);
        paste(out, w, y0, GAP + 2 * (cell + GAP), aug, row.augmentedMask(), cell);
      }
    }
    return ImageArray.wrap(h, w, 3, Depth.U8, out);
  }

  /** Channel 0 scaled to 0..255. */
  private static ImageArray gray(ImageArray img) {
    ImageArray c0 = img.channel(0);
    float[] v = c0.data();
    float[] o = new float[v.length];
    if (img.depth().isInteger()) {
      float s = 255f / img.depth().max();
      for (int i = 0; i < v.length; i++) {
        o[i] = v[i] * s;
      }
    } else {
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (float f : v) {
        min = Math.min(min, f);
        max = Math.max(max, f);
      }
      float s = max > min ? 255f / (max - min) : 0f;
      for (int i = 0; i < v.length; i++) {
        o[i] = (v[i] - min) * s;
      }
    }
    return ImageArray.wrap(c0.height(), c0.width(), 1, Depth.F32, o);
  }

  /** Scales {@code img} (and the mask, nearest) to fit {@code cell x cell} and writes it at (y0, x0). */
  private static void paste(float[] out, int outW, int y0, int x0, ImageArray img, ImageArray mask, int cell) {
    double scale = Math.min(cell / (double) img.height(), cell / (double) img.width());
    int sh = Math.max(1, (int) Math.round(img.height() * scale));
    int sw = Math.max(1, (int) Math.round(img.width() * scale));
    float inv = (float) (1 / scale);
    CoordinateMap map = (y, xs, n, sy, sx) -> {
      for (int i = 0; i < n; i++) {
        sy[i] = (y + 0.5f) * inv - 0.5f;
        sx[i] = (xs + i + 0.5f) * inv - 0.5f;
      }
    };
    ImageStack scaled = Warp.warp(new ImageStack(img, mask, null), map, Interpolation.LINEAR, 0, 0, sh, sw);
    float[] g = scaled.image().data();
    float[] m = scaled.mask() == null ? null : scaled.mask().data();
    for (int y = 0; y < sh; y++) {
      for (int x = 0; x < sw; x++) {
        float v = Math.max(0, Math.min(255, g[y * sw + x]));
        int o = ((y0 + y) * outW + x0 + x) * 3;
        for (int c = 0; c < 3; c++) {
          float tint = m == null ? v : (m[y * sw + x] > 0 ? FOREGROUND[c] : BACKGROUND[c]);
          out[o + c] = m == null ? v : (1 - ALPHA) * v + ALPHA * tint;
        }
      }
    }
  }
}
