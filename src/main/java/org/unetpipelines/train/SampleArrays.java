package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Sample;

/**
 * Turns {@link Sample} records into the float arrays a step feeds: the image window scaled to
 * [0, 1], the target (center of the window, the network's output size) and the weight map.
 *
 * <p>Targets: for a sigmoid net (1 class) the foreground is mask > half the mask's depth maximum
 * (ISBI: 255 = cell = 1); for 2 classes integer masks are binarised the same way (class 1 =
 * foreground); for more classes the mask value is the class index.
 */
public final class SampleArrays {
  private final int height;
  private final int width;
  private final int channels;
  private final int outHeight;
  private final int outWidth;
  private final int classes;

  public SampleArrays(int height, int width, int channels, int outHeight, int outWidth, int classes) {
    checkArgument(outHeight <= height && outWidth <= width && (height - outHeight) % 2 == 0
        && (width - outWidth) % 2 == 0, "output %sx%s must be centered in input %sx%s", outHeight, outWidth, height, width);
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.outHeight = outHeight;
    this.outWidth = outWidth;
    this.classes = classes;
  }

  public int imageSize() {
    return height * width * channels;
  }

  public int targetSize() {
    return outHeight * outWidth * classes;
  }

  public int weightSize() {
    return outHeight * outWidth;
  }

  /** Top-left corner of the input window: seeded random (training) or centered. */
  public int[] window(Sample s, long seed, long epoch, boolean random) {
    return window(s, sampleKey(seed, epoch, s.getId()), random);
  }

  /** The per-sample random key of (seed, epoch, sample id) that training batches draw from. */
  public static long sampleKey(long seed, long epoch, String id) {
    return Hashing.murmur3_128().newHasher().putLong(seed).putLong(epoch)
        .putString(id, StandardCharsets.UTF_8).hash().asLong();
  }

  /** Top-left corner of the input window: random from {@code key} (training) or centered. */
  public int[] window(Sample s, long key, boolean random) {
    int h = s.getImage().getHeight();
    int w = s.getImage().getWidth();
    checkArgument(h >= height && w >= width, "sample %s is %sx%s, smaller than the %sx%s input",
        s.getId(), h, w, height, width);
    if (!random) {
      return new int[] {(h - height) / 2, (w - width) / 2};
    }
    SplittableRandom r = new SplittableRandom(key);
    return new int[] {r.nextInt(h - height + 1), r.nextInt(w - width + 1)};
  }

  /** Writes the sample's window into {@code image[offset..]}, {@code target[..]}, {@code weights[..]}. */
  public void fill(Sample s, int[] window, int index, float[] image, float[] target, float[] weights) {
    ImageArray img = Tensors.toImage(s.getImage());
    checkArgument(img.channels() == channels, "sample %s has %s channels, the network takes %s",
        s.getId(), img.channels(), channels);
    float[] px = img.normalized();
    int y0 = window[0];
    int x0 = window[1];
    int base = index * imageSize();
    for (int y = 0; y < height; y++) {
      System.arraycopy(px, ((y0 + y) * img.width() + x0) * channels, image, base + y * width * channels, width * channels);
    }
    if (s.getMask() == null) {
      throw new IllegalArgumentException("sample " + s.getId() + " has no mask; training needs label masks");
    }
    ImageArray mask = Tensors.toImage(s.getMask());
    checkArgument(mask.sameSize(img), "sample %s: mask %s and image %s differ in size", s.getId(),
        mask.shapeString(), img.shapeString());
    int oy = y0 + (height - outHeight) / 2;
    int ox = x0 + (width - outWidth) / 2;
    float threshold = mask.depth().isInteger() ? mask.depth().max() / 2f : 0.5f;
    boolean binary = classes <= 2;
    int tbase = index * targetSize();
    for (int y = 0; y < outHeight; y++) {
      for (int x = 0; x < outWidth; x++) {
        float v = mask.get(oy + y, ox + x);
        int p = y * outWidth + x;
        if (classes == 1) {
          target[tbase + p] = v > threshold ? 1f : 0f;
        } else {
          int k = binary ? (v > threshold ? 1 : 0) : Math.round(v);
          if (k < 0 || k >= classes) {
            throw new IllegalArgumentException(String.format("sample %s: mask value %s at (%d, %d) is not a class "
                + "index 0..%d", s.getId(), v, oy + y, ox + x, classes - 1));
          }
          for (int c = 0; c < classes; c++) {
            target[tbase + p * classes + c] = c == k ? 1f : 0f;
          }
        }
      }
    }
    int wbase = index * weightSize();
    if (s.getWeights() == null) {
      java.util.Arrays.fill(weights, wbase, wbase + weightSize(), 1f);
    } else {
      ImageArray wm = Tensors.toImage(s.getWeights());
      checkArgument(wm.sameSize(img), "sample %s: weight map %s and image %s differ in size", s.getId(),
          wm.shapeString(), img.shapeString());
      for (int y = 0; y < outHeight; y++) {
        for (int x = 0; x < outWidth; x++) {
          weights[wbase + y * outWidth + x] = wm.get(oy + y, ox + x);
        }
      }
    }
  }
}
