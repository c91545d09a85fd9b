package org.unetpipelines.train;

import java.util.ArrayList;
import java.util.List;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Sample;

/** Synthetic ellipse samples for trainer tests. */
final class TestSamples {
  private TestSamples() {}

  static List<Sample> ellipses(long seed, int first, int count, int size) {
    List<Sample> out = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      Synthetic.Pair p = Synthetic.ellipses(seed, i, size, size, 3, size / 10.0, size / 5.0, 8.0);
      out.add(Sample.newBuilder()
          .setId("ellipses#" + i)
          .setSource("synthetic:ellipses")
          .setImage(Tensors.toTensor(p.image()))
          .setMask(Tensors.toTensor(p.mask()))
          .setSeed(seed)
          .build());
    }
    return out;
  }
}
