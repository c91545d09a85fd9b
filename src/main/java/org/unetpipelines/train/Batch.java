package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Map;

/**
 * A batch as flat arrays, one per feed of the task ({@code [n, shape...]}): for segmentation
 * {@code image} [n, H, W, C], {@code target} [n, H', W', K] and {@code weights} [n, H', W', 1].
 *
 * @param epoch the epoch the batch belongs to
 * @param index the batch's index within its epoch
 */
public record Batch(int size, Map<String, float[]> arrays, List<String> ids, long epoch, long index) {

  public Batch {
    arrays = Map.copyOf(arrays);
    ids = List.copyOf(ids);
  }

  /** A segmentation batch ({@code image}, {@code target}, {@code weights}). */
  public static Batch segmentation(int size, float[] images, float[] targets, float[] weights, List<String> ids,
      long epoch, long index) {
    return new Batch(size, Map.of("image", images, "target", targets, "weights", weights), ids, epoch, index);
  }

  /** The array of one feed. */
  public float[] array(String feed) {
    float[] a = arrays.get(feed);
    checkArgument(a != null, "batch has no feed '%s'; it has %s", feed, arrays.keySet());
    return a;
  }
}
