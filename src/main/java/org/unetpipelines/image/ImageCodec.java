package org.unetpipelines.image;

import static com.google.common.base.Preconditions.checkArgument;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes PNG, JPEG and TIFF (including multi-page stacks) into {@link ImageArray}s and encodes PNG.
 * The codecs are the JDK's ImageIO plugins plus TwelveMonkeys for TIFF and robust JPEG.
 *
 * <p>Supported sample depths: 1-bit (read as 0/255), 8-bit and 16-bit, with 1 (gray), 2 (gray +
 * alpha), 3 (RGB) or 4 (RGBA) channels; palette images are expanded to RGB(A). Anything else is an
 * {@link ImageDecodeException} that says what was found.
 *
 * <p>Sizes are checked before any pixels are decoded: every page's width and height come from its
 * header ({@link ImageReader#getWidth}), and a file whose pages declare more than {@code maxPixels}
 * together ({@link ImageLimits#DEFAULT_MAX_PIXELS} by default) is refused, so a header that claims
 * huge dimensions cannot exhaust memory.
 */
public final class ImageCodec {

  /** Formats this codec reads, by ImageIO format name. */
  public static final List<String> FORMATS = List.of("png", "jpeg", "tiff");

  static {
    ImageIO.setUseCache(false);
    ImageIO.scanForPlugins();
  }

  private ImageCodec() {}

  /** Decodes every page of an image file; most formats have one page, TIFF stacks have many. */
  public static List<ImageArray> decodeAll(byte[] bytes) throws ImageDecodeException {
    return decodeAll(bytes, ImageLimits.DEFAULT_MAX_PIXELS);
  }

  /**
   * Decodes every page, refusing (before decoding pixels) a file whose pages declare more than
   * {@code maxPixels} pixels together.
   */
  public static List<ImageArray> decodeAll(byte[] bytes, long maxPixels) throws ImageDecodeException {
    return decode(bytes, Integer.MAX_VALUE, maxPixels);
  }

  /** Decodes the first page only. */
  public static ImageArray decodeFirst(byte[] bytes) throws ImageDecodeException {
    return decode(bytes, 1, ImageLimits.DEFAULT_MAX_PIXELS).get(0);
  }

  private static List<ImageArray> decode(byte[] bytes, int maxPages, long maxPixels) throws ImageDecodeException {
    checkArgument(maxPixels > 0, "maxPixels must be > 0, got %s", maxPixels);
    if (bytes.length == 0) {
      throw new ImageDecodeException("file is empty");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new ImageDecodeException(
            "not a PNG, JPEG or TIFF image (unrecognised header " + headerHex(bytes) + ")");
      }
      ImageReader reader = readers.next();
      String format = reader.getFormatName().toLowerCase(Locale.ROOT);
      try {
        reader.setInput(in, false, true);
        int pages = Math.min(countPages(reader), maxPages);
        if (pages != Integer.MAX_VALUE) {
          long declared = 0;
          for (int i = 0; i < pages; i++) {
            declared = checkSize(reader, i, declared, maxPixels, format, pages);
          }
        }
        List<ImageArray> out = new ArrayList<>();
        long declared = 0;
        for (int i = 0; i < pages; i++) {
          BufferedImage img;
          try {
            declared = checkSize(reader, i, declared, maxPixels, format, pages); // headers only, before pixels
            img = reader.read(i);
          } catch (IndexOutOfBoundsException e) {
            break; // no more pages (reader could not count them up front)
          }
          out.add(fromBufferedImage(img, format + " page " + i));
        }
        if (out.isEmpty()) {
          throw new ImageDecodeException(format + " file has no images");
        }
        return out;
      } finally {
        reader.dispose();
      }
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ImageDecodeException("corrupt or truncated image: " + e, e);
    }
  }

  /**
   * Adds page {@code i}'s declared pixels (from its header) to {@code before}; throws when the total
   * passes {@code maxPixels}.
   */
  private static long checkSize(ImageReader reader, int i, long before, long maxPixels, String format, int pages)
      throws IOException, ImageDecodeException {
    long w = reader.getWidth(i);
    long h = reader.getHeight(i);
    if (w <= 0 || h <= 0) {
      throw new ImageDecodeException(format + " page " + i + " declares an empty size " + w + "x" + h);
    }
    long total = before + w * h;
    if (w * h > maxPixels) {
      throw new ImageDecodeException(String.format(Locale.ROOT, "%s%s declares %dx%d = %d pixels, more than the "
          + "limit of %d pixels (max_pixels); not decoded", format, pages > 1 ? " page " + i : "", w, h, w * h, maxPixels));
    }
    if (total > maxPixels) {
      throw new ImageDecodeException(String.format(Locale.ROOT, "%s pages 0..%d declare %d pixels together, more "
          + "than the limit of %d pixels (max_pixels) for one file; not decoded", format, i, total, maxPixels));
    }
    return total;
  }

  private static int countPages(ImageReader reader) throws IOException {
    try {
      int n = reader.getNumImages(true);
      return n < 0 ? Integer.MAX_VALUE : n;
    } catch (IllegalStateException e) {
      return Integer.MAX_VALUE;
    }
  }

  /** Converts a decoded image, keeping its bit depth (8 or 16 bit) and channel count. */
  public static ImageArray fromBufferedImage(BufferedImage img, String what) throws ImageDecodeException {
    if (img.getColorModel() instanceof IndexColorModel && img.getColorModel().getPixelSize() > 1) {
      // Palette: expand to RGB(A) 8-bit.
      boolean alpha = img.getColorModel().hasAlpha();
      BufferedImage rgb = new BufferedImage(
          img.getWidth(), img.getHeight(), alpha ? BufferedImage.TYPE_4BYTE_ABGR : BufferedImage.TYPE_3BYTE_BGR);
      rgb.getGraphics().drawImage(img, 0, 0, null);
      img = rgb;
    }
    Raster raster = img.getRaster();
    int bands = raster.getNumBands();
    int bits = raster.getSampleModel().getSampleSize(0);
    int transfer = raster.getTransferType();
    if (bands < 1 || bands > 4) {
      throw new ImageDecodeException(what + ": unsupported channel count " + bands + " (allowed 1-4)");
    }
    if (transfer == DataBuffer.TYPE_FLOAT || transfer == DataBuffer.TYPE_DOUBLE || bits > 16) {
      throw new ImageDecodeException(
          what + ": unsupported sample depth " + bits + "-bit "
              + (transfer == DataBuffer.TYPE_FLOAT || transfer == DataBuffer.TYPE_DOUBLE ? "float" : "integer")
              + " (allowed: 1, 8 or 16-bit integer)");
    }
    if (bits != 1 && bits != 8 && bits != 16) {
      throw new ImageDecodeException(what + ": unsupported sample depth " + bits + "-bit (allowed: 1, 8 or 16)");
    }
    int h = img.getHeight();
    int w = img.getWidth();
    float[] data = new float[h * w * bands];
    raster.getPixels(0, 0, w, h, data);
    ImageArray.Depth depth = bits == 16 ? ImageArray.Depth.U16 : ImageArray.Depth.U8;
    if (bits == 1) {
      for (int i = 0; i < data.length; i++) {
        data[i] = data[i] != 0 ? 255f : 0f;
      }
    }
    return ImageArray.wrap(h, w, bands, depth, data);
  }

  /** Encodes an integer-depth image as PNG (8- or 16-bit, 1-4 channels); values are rounded and clamped. */
  public static byte[] encodePng(ImageArray image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(toBufferedImage(image), "png", out)) {
        throw new IllegalStateException("no PNG writer available");
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A BufferedImage with the image's depth: TYPE_BYTE_GRAY / TYPE_USHORT_GRAY or a custom raster. */
  public static BufferedImage toBufferedImage(ImageArray image) {
    checkArgument(image.depth().isInteger(), "cannot encode a %s image as PNG; convert it first", image.depth());
    int h = image.height();
    int w = image.width();
    int c = image.channels();
    boolean sixteen = image.depth() == ImageArray.Depth.U16;
    float max = image.depth().max();
    BufferedImage img;
    if (c == 1) {
      img = new BufferedImage(w, h, sixteen ? BufferedImage.TYPE_USHORT_GRAY : BufferedImage.TYPE_BYTE_GRAY);
    } else {
      java.awt.color.ColorSpace cs = java.awt.color.ColorSpace.getInstance(
          c <= 2 ? java.awt.color.ColorSpace.CS_GRAY : java.awt.color.ColorSpace.CS_sRGB);
      boolean alpha = c == 2 || c == 4;
      int type = sixteen ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE;
      java.awt.image.ComponentColorModel cm = new java.awt.image.ComponentColorModel(
          cs, alpha, false, alpha ? java.awt.Transparency.TRANSLUCENT : java.awt.Transparency.OPAQUE, type);
      WritableRaster r = cm.createCompatibleWritableRaster(w, h);
      img = new BufferedImage(cm, r, false, null);
    }
    WritableRaster raster = img.getRaster();
    float[] src = image.data();
    int[] px = new int[src.length];
    for (int i = 0; i < src.length; i++) {
      float v = Math.round(src[i]);
      px[i] = (int) (v < 0 ? 0 : Math.min(v, max));
    }
    raster.setPixels(0, 0, w, h, px);
    return img;
  }

  private static String headerHex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(8, bytes.length); i++) {
      sb.append(String.format("%02x", bytes[i] & 0xff));
    }
    return sb.toString();
  }
}
