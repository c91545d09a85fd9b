package org.unetpipelines.stages.augment;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.beam.sdk.transforms.DoFn;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.Sample;

/** Test sink: collects a DirectRunner pipeline's outputs in this JVM (tests run one pipeline at a time). */
final class Collect {
  static final List<Sample> SAMPLES = new CopyOnWriteArrayList<>();
  static final List<DeadLetter> DEAD = new CopyOnWriteArrayList<>();

  private Collect() {}

  static void reset() {
    SAMPLES.clear();
    DEAD.clear();
  }

  static final class SamplesFn extends DoFn<Sample, Void> {
    @ProcessElement
    public void process(@Element Sample s) {
      SAMPLES.add(s);
    }
  }

  static final class DeadFn extends DoFn<DeadLetter, Void> {
    @ProcessElement
    public void process(@Element DeadLetter d) {
      DEAD.add(d);
    }
  }
}
