package org.unetpipelines.stages;

import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;

/**
 * Spreads the elements a reading stage lists (files, IDX images, synthetic indices) over the
 * workers before the expensive per-element work: a {@link Reshuffle} onto {@value #BUCKETS} random
 * keys. Flink's batch translation groups by that key (hash-partitioned), so 32 keys spread over up to
 * 32 subtasks, a little unevenly at low parallelism. The bounded key count matters on the DirectRunner, which hands each key's elements (per input bundle) to the next step as
 * one bundle: with a random key per element (plain {@link Reshuffle#viaRandomKey()}) every element
 * became its own bundle, and every later GroupByKey or Combine then copied its in-memory state once
 * per bundle (quadratic in the element count; see BENCHMARKS.md, "The DirectRunner and bundles").
 */
public final class Distribute<T> extends PTransform<PCollection<T>, PCollection<T>> {
  /** Keys (and, on the DirectRunner, bundles per input bundle); above any worker count this project runs with. */
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
