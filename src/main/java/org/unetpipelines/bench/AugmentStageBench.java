package org.unetpipelines.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auto.service.AutoService;
import java.nio.file.Path;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.engine.cli.BenchTarget;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.Coders;
import org.unetpipelines.stages.augment.ElasticDeform;
import org.unetpipelines.stages.augment.MirrorPad;
import org.unetpipelines.stages.io.ReadImageSet;
import org.unetpipelines.stages.io.WriteShards;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines bench augment-stage}: the stage-level figure. DirectRunner: ReadImageSet
 * over an image set -> MirrorPad -> ElasticDeform (copies, crop back to the input size) -> Count
 * (or WriteAvro). Run under {@code /usr/bin/time -v} for peak memory. Last line: JSON.
 */
@AutoService(BenchTarget.class)
@Command(name = "augment-stage", mixinStandardHelpOptions = true,
    description = "DirectRunner throughput of ReadImageSet -> MirrorPad -> ElasticDeform copies -> Count/WriteAvro.")
public final class AugmentStageBench implements BenchTarget {

  @Option(names = "--images", defaultValue = "../shared/data/isbi2012/train/images/*.png",
      description = "Image glob (default ${DEFAULT-VALUE}).")
  String images;

  @Option(names = "--masks", defaultValue = "../shared/data/isbi2012/train/labels/*.png",
      description = "Mask glob (default ${DEFAULT-VALUE}).")
  String masks;

  @Option(names = "--copies", defaultValue = "8", description = "Deformed copies per image (default ${DEFAULT-VALUE}).")
  int copies;

  @Option(names = "--pad", defaultValue = "64", description = "Mirror pad per side (default ${DEFAULT-VALUE}).")
  int pad;

  @Option(names = "--parallelism", defaultValue = "2", description = "DirectRunner targetParallelism (default ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(names = "--avro", description = "Write Avro shards to this folder instead of counting.")
  Path avro;

  @Override
  public Integer call() {
    DirectOptions opts = PipelineOptionsFactory.as(DirectOptions.class);
    opts.setTargetParallelism(parallelism);
    opts.setBlockOnRun(true);
    Pipeline p = Pipeline.create(opts);
    Coders.register(p);
    PCollection<Sample> samples = p.apply("Read", ReadImageSet.from(images).withMasks(masks).withSeed(42)).samples();
    PCollection<Sample> deformed = samples
        .apply("Pad", MirrorPad.of(pad).withSeed(42)).samples()
        .apply("Deform", ElasticDeform.create().withCopies(copies).withSeed(42)
            .withStageName("Deform")).samples();
    if (avro != null) {
      deformed.apply("Write", WriteShards.avro(avro.toString()).withShards(4).withSeed(42));
    } else {
      // count through Longs: the DirectRunner does not lift combiners, so Count.globally over the
      // samples themselves would group (hold) every sample before counting
      deformed.apply("Ones", MapElements.into(TypeDescriptors.longs()).via((Sample s) -> 1L))
          .apply("Count", Sum.longsGlobally());
    }
    long t0 = System.nanoTime();
    PipelineResult result = p.run();
    result.waitUntilFinish();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long emitted = counter(result, "Deform", "augmented");
    long read = counter(result, ReadImageSet.class.getSimpleName(), ReadImageSet.READ_COUNTER);
    ObjectNode json = new ObjectMapper().createObjectNode();
    json.put("bench", "augment-stage");
    json.put("runner", "direct");
    json.put("parallelism", parallelism);
    json.put("inputs", read);
    json.put("copies", copies);
    json.put("pad", pad);
    json.put("samples", emitted);
    json.put("seconds", Math.round(seconds * 1000) / 1000.0);
    json.put("samples_per_s", Math.round(emitted / seconds * 100) / 100.0);
    json.put("sink", avro == null ? "count" : "avro");
    json.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    System.out.println(json);
    return emitted == (long) read * copies ? 0 : 1;
  }

  private static long counter(PipelineResult r, String namespace, String name) {
    MetricQueryResults q = r.metrics().queryMetrics(
        MetricsFilter.builder().addNameFilter(MetricNameFilter.named(namespace, name)).build());
    long total = 0;
    for (MetricResult<Long> c : q.getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }
}
