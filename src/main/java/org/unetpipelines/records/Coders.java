package org.unetpipelines.records;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/** Beam coders for the records that cross stage boundaries (all Avro, declared in schemas/). */
public final class Coders {
  private Coders() {}

  public static AvroCoder<Sample> sample() {
    return AvroCoder.of(Sample.class);
  }

  public static AvroCoder<DeadLetter> deadLetter() {
    return AvroCoder.of(DeadLetter.class);
  }

  public static AvroCoder<ShardSet> shardSet() {
    return AvroCoder.of(ShardSet.class);
  }

  public static AvroCoder<ModelArtifact> modelArtifact() {
    return AvroCoder.of(ModelArtifact.class);
  }

  public static AvroCoder<MetricRecord> metricRecord() {
    return AvroCoder.of(MetricRecord.class);
  }

  public static AvroCoder<CurvePoint> curvePoint() {
    return AvroCoder.of(CurvePoint.class);
  }

  /** Registers every record coder, so hand-written pipelines can use the records without setCoder. */
  public static void register(Pipeline p) {
    CoderRegistry r = p.getCoderRegistry();
    r.registerCoderForClass(Sample.class, sample());
    r.registerCoderForClass(DeadLetter.class, deadLetter());
    r.registerCoderForClass(ShardSet.class, shardSet());
    r.registerCoderForClass(ModelArtifact.class, modelArtifact());
    r.registerCoderForClass(MetricRecord.class, metricRecord());
    r.registerCoderForClass(CurvePoint.class, curvePoint());
  }
}
