package org.unetpipelines.stages.eval;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Gathers a (small) collection into one list, on one worker; an empty collection gives an empty
 * list. Used for metric files and the report, which need all records at once.
 */
final class Gather<T> extends Combine.CombineFn<T, List<T>, List<T>> {
  private final Coder<T> coder;

  private Gather(Coder<T> coder) {
    this.coder = coder;
  }

  static <T> Combine.Globally<T, List<T>> of(Coder<T> coder) {
    return Combine.globally(new Gather<>(coder));
  }

  @Override
  public List<T> createAccumulator() {
    return new ArrayList<>();
  }

  @Override
  public List<T> addInput(List<T> acc, T input) {
    acc.add(input);
    return acc;
  }

  @Override
  public List<T> mergeAccumulators(Iterable<List<T>> accs) {
    List<T> out = new ArrayList<>();
    accs.forEach(out::addAll);
    return out;
  }

  @Override
  public List<T> extractOutput(List<T> acc) {
    return acc;
  }

  @Override
  public Coder<List<T>> getAccumulatorCoder(CoderRegistry registry, Coder<T> inputCoder) {
    return ListCoder.of(coder);
  }

  @Override
  public Coder<List<T>> getDefaultOutputCoder(CoderRegistry registry, Coder<T> inputCoder) {
    return ListCoder.of(coder);
  }
}
