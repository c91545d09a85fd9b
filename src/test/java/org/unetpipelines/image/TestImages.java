package org.unetpipelines.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Builds test image files. */
public final class TestImages {
  private TestImages() {}

  public static byte[] tiffStack(List<ImageArray> pages) throws IOException {
    ImageWriter w = ImageIO.getImageWritersByFormatName("tiff").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      w.setOutput(out);
      w.prepareWriteSequence(null);
      for (ImageArray p : pages) {
        w.writeToSequence(new IIOImage(ImageCodec.toBufferedImage(p), null, null), null);
      }
      w.endWriteSequence();
    } finally {
      w.dispose();
    }
    return bytes.toByteArray();
  }

  /** A minimal little-endian TIFF with one 32-bit IEEE float gray sample per pixel (SampleFormat 3). */
  public static byte[] floatTiff(int h, int w) {
    int dataBytes = h * w * 4;
    int entries = 10;
    int ifdOffset = 8 + dataBytes;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(ifdOffset + 2 + entries * 12 + 4)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifdOffset);
    for (int i = 0; i < h * w; i++) {
      b.putFloat(i * 0.5f);
    }
    b.putShort((short) entries);
    int[][] tags = { // tag, type (3 short, 4 long), value
        {256, 4, w}, {257, 4, h}, {258, 3, 32}, {259, 3, 1}, {262, 3, 1},
        {273, 4, 8}, {277, 3, 1}, {278, 4, h}, {279, 4, dataBytes}, {339, 3, 3}};
    for (int[] t : tags) {
      b.putShort((short) t[0]).putShort((short) t[1]).putInt(1);
      if (t[1] == 3) {
        b.putShort((short) t[2]).putShort((short) 0);
      } else {
        b.putInt(t[2]);
      }
    }
    b.putInt(0);
    return b.array();
  }

  public static void writePng(Path p, ImageArray img) throws IOException {
    Files.createDirectories(p.getParent());
    Files.write(p, ImageCodec.encodePng(img));
  }
}
