package org.unetpipelines.io;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, as TensorFlow writes it: for each record
 * {@code uint64 length, uint32 masked_crc32c(length), byte data[length], uint32 masked_crc32c(data)},
 * all little-endian, where {@code masked(c) = ((c >>> 15) | (c << 17)) + 0xa282ead8}.
 */
public final class TFRecords {
  private static final int MASK_DELTA = 0xa282ead8;

  private TFRecords() {}

  static int maskedCrc32c(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }

  /** Writes one framed record. */
  public static void write(OutputStream out, byte[] record) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(record.length);
    header.putInt(maskedCrc32c(header.array(), 0, 8));
    out.write(header.array());
    out.write(record);
    ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    footer.putInt(maskedCrc32c(record, 0, record.length));
    out.write(footer.array());
  }

  /** Reads the next record, or null at a clean end of stream; corrupt framing is an IOException. */
  public static byte[] read(InputStream in) throws IOException {
    DataInputStream din = in instanceof DataInputStream d ? d : new DataInputStream(in);
    byte[] header = new byte[12];
    int first = din.read(header, 0, 1);
    if (first < 0) {
      return null;
    }
    try {
      din.readFully(header, 1, 11);
    } catch (EOFException e) {
      throw new IOException("truncated TFRecord header");
    }
    ByteBuffer hb = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long length = hb.getLong(0);
    int lengthCrc = hb.getInt(8);
    if (lengthCrc != maskedCrc32c(header, 0, 8)) {
      throw new IOException("TFRecord length checksum mismatch (corrupt file?)");
    }
    if (length < 0 || length > Integer.MAX_VALUE - 16) {
      throw new IOException("TFRecord length out of range: " + length);
    }
    byte[] data = new byte[(int) length];
    byte[] footer = new byte[4];
    try {
      din.readFully(data);
      din.readFully(footer);
    } catch (EOFException e) {
      throw new IOException("truncated TFRecord (expected " + length + " bytes of data)");
    }
    int dataCrc = ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (dataCrc != maskedCrc32c(data, 0, data.length)) {
      throw new IOException("TFRecord data checksum mismatch (corrupt file?)");
    }
    return data;
  }
}
