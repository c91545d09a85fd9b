package org.unetpipelines.image;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.unetpipelines.records.DType;
import org.unetpipelines.records.Tensor;

/** Converts between the {@link Tensor} record (what crosses stage boundaries) and {@link ImageArray}. */
public final class Tensors {
  private Tensors() {}

  /** The record for an image; integer depths are rounded and clamped to their range. */
  public static Tensor toTensor(ImageArray image) {
    float[] src = image.data();
    ByteBuffer buf;
    DType dtype;
    switch (image.depth()) {
      case U8:
        dtype = DType.UINT8;
        buf = ByteBuffer.allocate(src.length);
        for (float v : src) {
          buf.put((byte) clampRound(v, 255));
        }
        break;
      case U16:
        dtype = DType.UINT16;
        buf = ByteBuffer.allocate(src.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : src) {
          buf.putShort((short) clampRound(v, 65535));
        }
        break;
      default:
        dtype = DType.FLOAT32;
        buf = ByteBuffer.allocate(src.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : src) {
          buf.putFloat(v);
        }
    }
    buf.flip();
    return Tensor.newBuilder()
        .setHeight(image.height())
        .setWidth(image.width())
        .setChannels(image.channels())
        .setDtype(dtype)
        .setData(buf)
        .build();
  }

  /** The image held by a record. */
  public static ImageArray toImage(Tensor t) {
    int n = t.getHeight() * t.getWidth() * t.getChannels();
    ByteBuffer buf = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    buf.rewind();
    float[] out = new float[n];
    ImageArray.Depth depth;
    switch (t.getDtype()) {
      case UINT8:
        checkArgument(buf.remaining() == n, "UINT8 tensor %sx%sx%s has %s bytes", t.getHeight(), t.getWidth(), t.getChannels(), buf.remaining());
        for (int i = 0; i < n; i++) {
          out[i] = buf.get() & 0xff;
        }
        depth = ImageArray.Depth.U8;
        break;
      case UINT16:
        checkArgument(buf.remaining() == 2 * n, "UINT16 tensor %sx%sx%s has %s bytes", t.getHeight(), t.getWidth(), t.getChannels(), buf.remaining());
        for (int i = 0; i < n; i++) {
          out[i] = buf.getShort() & 0xffff;
        }
        depth = ImageArray.Depth.U16;
        break;
      default:
        checkArgument(buf.remaining() == 4 * n, "FLOAT32 tensor %sx%sx%s has %s bytes", t.getHeight(), t.getWidth(), t.getChannels(), buf.remaining());
        buf.asFloatBuffer().get(out);
        depth = ImageArray.Depth.F32;
    }
    return ImageArray.wrap(t.getHeight(), t.getWidth(), t.getChannels(), depth, out);
  }

  private static int clampRound(float v, int max) {
    int r = Math.round(v);
    return r < 0 ? 0 : Math.min(r, max);
  }
}
