package org.unetpipelines.train.task;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Sample;

/**
 * A synthetic 3-class image task (8-bit, one channel, noisy background): class 0 a horizontal bar,
 * class 1 a vertical bar, class 2 a filled square, each at a random position and brightness.
 */
final class ClassSamples {
  private ClassSamples() {}

  static List<Sample> bars(long seed, int first, int count, int size) {
    List<Sample> out = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
      int label = i % 3;
      float[] px = new float[size * size];
      for (int p = 0; p < px.length; p++) {
        px[p] = 20 + r.nextInt(40);
      }
      float level = 150 + r.nextInt(100);
      int len = size / 2 + r.nextInt(size / 4);
      int a = r.nextInt(size - len + 1);
      int b = r.nextInt(size - 3);
      int side = size / 4 + r.nextInt(size / 8 + 1);
      int sy = r.nextInt(size - side + 1);
      int sx = r.nextInt(size - side + 1);
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          boolean on = switch (label) {
            case 0 -> y >= b && y < b + 3 && x >= a && x < a + len;
            case 1 -> x >= b && x < b + 3 && y >= a && y < a + len;
            default -> y >= sy && y < sy + side && x >= sx && x < sx + side;
          };
          if (on) {
            px[y * size + x] = Math.min(255, level + r.nextInt(10));
          }
        }
      }
      out.add(Sample.newBuilder().setId("bars#" + i).setSource("synthetic:bars")
          .setImage(Tensors.toTensor(ImageArray.wrap(size, size, 1, ImageArray.Depth.U8, px)))
          .setLabel(label).setSeed(seed).build());
    }
    return out;
  }
}
