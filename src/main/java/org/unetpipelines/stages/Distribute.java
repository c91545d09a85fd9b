package org.unetpipelines.stages;

import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;

/**
 * Spreads the elements a reading stage lists (files, IDX images, synthetic indices) over the
 * workers before the expensive per-element work: a {@link Reshuffle} onto {@value #BUCKETS} random
 * keys. Flink turns a reshuffle into a round-robin rebalance whatever the keys. The bounded key count
 * matters on the DirectRunner: it gives each key's elements to a downstream step as one bundle, so
 * with a random key per element (plain {@link Reshuffle#viaRandomKey()}) 60,000 images became 60,000
 * one-element bundles, and every later GroupByKey or Combine copied its whole in-memory state once per
 * bundle (quadratic: 13 minutes to write the Fashion-MNIST shards, 15 to aggregate two Evaluates).
 */
public final class Distribute<T> extends PTransform<PCollection<T>, PCollection<T>> {
  /** Keys (and, on the DirectRunner, bundles); well above any worker count this project runs with. */
  public static final int BUCKETS = 32;

  private Distribute() {}

  public static <T> Distribute<T> evenly() {
    return new Distribute<>();
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    return input.apply("Reshuffle", Reshuffle.<T>viaRandomKey().withNumBuckets(BUCKETS));
  }
}
