package org.unetpipelines.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageCodecTest {

  static ImageArray ramp(int h, int w, int c, ImageArray.Depth d) {
    float[] v = new float[h * w * c];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * 37) % (int) (d.max() + 1);
    }
    return ImageArray.wrap(h, w, c, d, v);
  }

  @Test
  void sixteenBitPngRoundTripsExactly() throws Exception {
    ImageArray img = ramp(7, 5, 1, ImageArray.Depth.U16);
    img.set(0, 0, 0, 65535);
    ImageArray back = ImageCodec.decodeFirst(ImageCodec.encodePng(img));
    assertEquals(ImageArray.Depth.U16, back.depth());
    assertArrayEquals(img.data(), back.data());
  }

  @Test
  void rgbAndRgbaRoundTrip() throws Exception {
    for (int c : new int[] {2, 3, 4}) {
      ImageArray img = ramp(4, 6, c, ImageArray.Depth.U8);
      ImageArray back = ImageCodec.decodeFirst(ImageCodec.encodePng(img));
      assertEquals(c, back.channels());
      assertArrayEquals(img.data(), back.data(), "channels " + c);
    }
  }

  @Test
  void multiPageTiffGivesOnePerPage() throws Exception {
    byte[] tiff = TestImages.tiffStack(List.of(ramp(8, 9, 1, ImageArray.Depth.U8),
        ramp(8, 9, 1, ImageArray.Depth.U8).withDepth(ImageArray.Depth.U8), ramp(8, 9, 1, ImageArray.Depth.U8)));
    List<ImageArray> pages = ImageCodec.decodeAll(tiff);
    assertEquals(3, pages.size());
    assertEquals(8, pages.get(2).height());
    assertArrayEquals(ramp(8, 9, 1, ImageArray.Depth.U8).data(), pages.get(1).data());
  }

  @Test
  void sixteenBitTiff() throws Exception {
    ImageArray img = ramp(5, 5, 1, ImageArray.Depth.U16);
    List<ImageArray> pages = ImageCodec.decodeAll(TestImages.tiffStack(List.of(img)));
    assertEquals(ImageArray.Depth.U16, pages.get(0).depth());
    assertArrayEquals(img.data(), pages.get(0).data());
  }

  @Test
  void jpegDecodes() throws Exception {
    BufferedImage b = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    javax.imageio.ImageIO.write(b, "jpeg", out);
    ImageArray img = ImageCodec.decodeFirst(out.toByteArray());
    assertEquals(16, img.width());
  }

  @Test
  void badInputsSayWhatIsWrong() {
    ImageDecodeException empty = assertThrows(ImageDecodeException.class, () -> ImageCodec.decodeAll(new byte[0]));
    assertEquals("file is empty", empty.getMessage());
    ImageDecodeException text = assertThrows(ImageDecodeException.class,
        () -> ImageCodec.decodeAll("hello, not an image".getBytes(StandardCharsets.UTF_8)));
    assertTrue(text.getMessage().startsWith("not a PNG, JPEG or TIFF image"), text.getMessage());
    byte[] png = ImageCodec.encodePng(ramp(64, 64, 1, ImageArray.Depth.U8));
    ImageDecodeException trunc = assertThrows(ImageDecodeException.class,
        () -> ImageCodec.decodeAll(Arrays.copyOf(png, png.length / 2)));
    assertTrue(trunc.getMessage().startsWith("corrupt or truncated image"), trunc.getMessage());
  }

  @Test
  void floatSamplesAreAnUnsupportedDepth() throws Exception {
    ImageDecodeException e = assertThrows(ImageDecodeException.class,
        () -> ImageCodec.decodeAll(TestImages.floatTiff(4, 4)));
    assertTrue(e.getMessage().contains("unsupported sample depth 32-bit float"), e.getMessage());
  }

  @Test
  void sizesAreCheckedFromTheHeaderBeforeDecoding() throws Exception {
    byte[] png = ImageCodec.encodePng(ramp(16, 16, 1, ImageArray.Depth.U8));
    assertEquals(16, ImageCodec.decodeAll(png, 256).get(0).height());
    ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageCodec.decodeAll(png, 255));
    assertEquals("png declares 16x16 = 256 pixels, more than the limit of 255 pixels (max_pixels); not decoded",
        e.getMessage());
    byte[] stack = TestImages.tiffStack(List.of(ramp(8, 8, 1, ImageArray.Depth.U8), ramp(8, 8, 1, ImageArray.Depth.U8)));
    assertEquals(2, ImageCodec.decodeAll(stack, 128).size());
    ImageDecodeException pages = assertThrows(ImageDecodeException.class, () -> ImageCodec.decodeAll(stack, 127));
    assertTrue(pages.getMessage().contains("pages 0..1 declare 128 pixels together, more than the limit of 127"),
        pages.getMessage());
    IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
        () -> ImageArray.zeros(65536, 65536, 1, ImageArray.Depth.U8));
    assertTrue(tooBig.getMessage().contains("more than " + ImageLimits.MAX_VALUES + " values"), tooBig.getMessage());
  }

  @Test
  void tensorsRoundTrip() {
    for (ImageArray.Depth d : ImageArray.Depth.values()) {
      ImageArray img = d == ImageArray.Depth.F32
          ? ImageArray.wrap(2, 3, 1, d, new float[] {0.5f, -1f, 3.25f, 1e-3f, 7f, 0f})
          : ramp(3, 4, 2, d);
      assertEquals(img, Tensors.toImage(Tensors.toTensor(img)), d.name());
    }
  }
}
