package org.unetpipelines.runners;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Runner profiles → Beam {@link PipelineOptions}. {@code direct} (the default): the DirectRunner on
 * this machine's cores. {@code flink-local}: an embedded Flink mini cluster in this JVM.
 */
public final class RunnerProfiles {
  public static final List<String> NAMES = List.of("direct", "flink-local");

  private RunnerProfiles() {}

  /** Options for {@code profile}, with extra Beam options ({@code --key=value}) appended. */
  public static PipelineOptions options(String profile, Map<String, String> extra) {
    List<String> args = new ArrayList<>();
    extra.forEach((k, v) -> args.add("--" + k + "=" + v));
    PipelineOptions o = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).withoutStrictParsing().create();
    switch (profile) {
      case "direct": {
        DirectOptions d = o.as(DirectOptions.class);
        d.setRunner(DirectRunner.class);
        d.setBlockOnRun(false);
        // Immutability enforcement re-encodes every element: a testing aid, costly on images.
        d.setEnforceImmutability(false);
        if (!extra.containsKey("targetParallelism")) {
          d.setTargetParallelism(Math.max(1, Runtime.getRuntime().availableProcessors()));
        }
        return d;
      }
      case "flink-local": {
        FlinkPipelineOptions f = o.as(FlinkPipelineOptions.class);
        f.setRunner(FlinkRunner.class);
        f.setFlinkMaster("[local]");
        if (!extra.containsKey("parallelism")) {
          f.setParallelism(Math.max(1, Runtime.getRuntime().availableProcessors()));
        }
        return f;
      }
      default:
        throw new IllegalArgumentException("unknown runner '" + profile + "'; allowed: " + String.join(", ", NAMES));
    }
  }
}
