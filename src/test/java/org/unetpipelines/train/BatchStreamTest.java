package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.unetpipelines.model.unet.UNet;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.task.Segmentation;
import org.unetpipelines.train.task.Task;

class BatchStreamTest {
  private static final List<Sample> SAMPLES = TestSamples.ellipses(2, 0, 10, 16);
  private static final Task ARRAYS = new Segmentation(UNet.of(UNetConfig.small().withDepth(2)), 12, 12,
      LossKind.CROSS_ENTROPY);

  private static List<String> ids(Iterable<Sample> src, int shuffle, long epoch, long skip) {
    List<String> out = new ArrayList<>();
    try (BatchStream s = new BatchStream(src, ARRAYS, 3, shuffle, 9, epoch, skip, 2, true)) {
      while (s.hasNext()) {
        Batch b = s.next();
        assertEquals(b.ids().size() * 144, b.array(Segmentation.IMAGE).length);
        out.addAll(b.ids());
      }
    }
    return out;
  }

  @Test
  void shuffleIsAPermutationSeededByEpoch() {
    List<String> a = ids(SAMPLES, 4, 0, 0);
    assertEquals(a, ids(SAMPLES, 4, 0, 0), "same seed and epoch, same order");
    assertNotEquals(a, ids(SAMPLES, 4, 1, 0), "another epoch, another order");
    assertEquals(10, a.size());
    assertEquals(10, new TreeSet<>(a).size(), "every sample once");
    List<String> unshuffled = ids(SAMPLES, 0, 0, 0);
    assertEquals(SAMPLES.stream().map(Sample::getId).toList(), unshuffled);
  }

  @Test
  void skippingBatchesResumesTheSameSequence() {
    List<String> all = ids(SAMPLES, 4, 3, 0);
    assertEquals(all.subList(6, 10), ids(SAMPLES, 4, 3, 2), "batches of 3: skipping 2 drops 6 samples");
  }

  @Test
  void sourceErrorsReachTheTrainingThread() {
    Iterable<Sample> failing = () -> new Iterator<>() {
      int n;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Sample next() {
        if (n++ == 4) {
          throw new IllegalArgumentException("shard part-00001 is truncated");
        }
        return SAMPLES.get(n);
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ids(failing, 0, 0, 0));
    assertTrue(e.getMessage().contains("reading training samples failed: shard part-00001 is truncated"),
        e.getMessage());
  }
}
