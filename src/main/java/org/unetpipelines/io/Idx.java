package org.unetpipelines.io;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.unetpipelines.image.ImageArray;

/**
 * IDX files (MNIST / Fashion-MNIST), gzip-compressed or not: a big-endian header of magic
 * {@code 0x0000TTDD} (TT = 0x08 unsigned byte, DD = number of dimensions), DD dimension sizes, then
 * the values. Images are {@code [n, rows, cols]}, labels {@code [n]}.
 */
public final class Idx {
  private Idx() {}

  /** Decoded images (8-bit, one channel) or labels. */
  public record Data(int count, int rows, int cols, byte[] values) {
    public ImageArray image(int i) {
      float[] px = new float[rows * cols];
      int off = i * rows * cols;
      for (int k = 0; k < px.length; k++) {
        px[k] = values[off + k] & 0xff;
      }
      return ImageArray.wrap(rows, cols, 1, ImageArray.Depth.U8, px);
    }

    public int label(int i) {
      return values[i] & 0xff;
    }
  }

  public static boolean looksLikeIdx(String name) {
    return name.contains("-idx1-") || name.contains("-idx3-") || name.endsWith(".idx") || name.endsWith(".idx.gz");
  }

  public static Data parse(byte[] bytes) throws IOException {
    return parse(bytes, Integer.MAX_VALUE - 8L);
  }

  /**
   * Parses an IDX file whose values ({@code n x rows x cols}) may number at most {@code maxValues};
   * the values are read as they come, so a header that claims more than the file holds fails as
   * truncated without allocating what it claims.
   */
  public static Data parse(byte[] bytes, long maxValues) throws IOException {
    InputStream in = new ByteArrayInputStream(bytes);
    if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
      in = new GZIPInputStream(in);
    }
    try (DataInputStream d = new DataInputStream(in)) {
      int magic = d.readInt();
      int type = (magic >>> 8) & 0xff;
      int dims = magic & 0xff;
      if ((magic >>> 16) != 0 || type != 0x08) {
        throw new IOException(String.format(
            "not an unsigned-byte IDX file (magic 0x%08x; expected 0x00000801 for labels or 0x00000803 for images)", magic));
      }
      if (dims != 1 && dims != 3) {
        throw new IOException("IDX file has " + dims + " dimensions; expected 1 (labels) or 3 (images)");
      }
      int n = d.readInt();
      int rows = dims == 3 ? d.readInt() : 1;
      int cols = dims == 3 ? d.readInt() : 1;
      long size = (long) n * rows * cols;
      if (n < 0 || rows <= 0 || cols <= 0 || size > Integer.MAX_VALUE - 8L) {
        throw new IOException("IDX dimensions out of range: " + n + "x" + rows + "x" + cols);
      }
      if (size > maxValues) {
        throw new IOException("IDX file declares " + n + " items of " + rows + "x" + cols + " = " + size
            + " values, more than the limit of " + maxValues + " (max_pixels); not decoded");
      }
      byte[] values = d.readNBytes((int) size); // grows with the data actually there, not with the header
      if (values.length < size) {
        throw new IOException("IDX file is truncated: header says " + n + " items of " + rows + "x" + cols
            + " (" + size + " values), the file holds " + values.length);
      }
      return new Data(n, rows, cols, values);
    }
  }
}
