package org.unetpipelines.runners;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Finds the runner profile that {@code --runner NAME} names and turns it into Beam
 * {@link PipelineOptions}: {@code runners/NAME.yaml} under the working directory, or a path to a
 * profile file. A known runner name without a file ({@code direct}, {@code flink-local},
 * {@code flink-cluster}) gets that runner's defaults ({@link RunnerProfile#of}).
 */
public final class RunnerProfiles {
  public static final String DEFAULT = "direct";
  /** The built-in runner names. */
  public static final List<String> NAMES =
      Stream.of(RunnerKind.values()).map(RunnerKind::yamlName).toList();
  static final String DIR = "runners";

  private RunnerProfiles() {}

  /** Options for profile {@code nameOrPath}, with extra Beam options ({@code --key=value}) applied first. */
  public static PipelineOptions options(String nameOrPath, Map<String, String> extra) {
    return options(resolve(nameOrPath), "unet-pipeline", extra);
  }

  /** Options for a profile; the job is named after the pipeline (unique per run, see {@link PipelineRunner#jobName}). */
  public static PipelineOptions options(RunnerProfile profile, String pipelineName, Map<String, String> extra) {
    return profile.pipelineOptions(PipelineRunner.jobName(pipelineName), extra);
  }

  /** Resolves against the working directory. */
  public static RunnerProfile resolve(String nameOrPath) {
    return resolve(nameOrPath, Path.of("").toAbsolutePath());
  }

  public static RunnerProfile resolve(String nameOrPath, Path base) {
    String n = nameOrPath == null || nameOrPath.isBlank() ? DEFAULT : nameOrPath.trim();
    try {
      if (n.endsWith(".yaml") || n.endsWith(".yml")) {
        Path p = base.resolve(n);
        if (!Files.isRegularFile(p)) {
          throw new IllegalArgumentException("runner profile file " + p + " does not exist; profiles: " + known(base));
        }
        return RunnerProfile.load(p);
      }
      Path p = base.resolve(DIR).resolve(n + ".yaml");
      if (Files.isRegularFile(p)) {
        return RunnerProfile.load(p);
      }
      try {
        return RunnerProfile.of(RunnerKind.parse(n));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown runner '" + n + "'; profiles: " + known(base)
            + " (or a path to a profile .yaml)", e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read runner profile '" + n + "'", e);
    }
  }

  /** Profile names found under {@code base/runners}, plus the built-in runner names. */
  public static List<String> known(Path base) {
    List<String> names = new ArrayList<>(NAMES);
    Path dir = base.resolve(DIR);
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.map(p -> p.getFileName().toString())
            .filter(f -> f.endsWith(".yaml"))
            .map(f -> f.substring(0, f.length() - 5))
            .filter(f -> !names.contains(f))
            .sorted()
            .forEach(names::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
    }
    return names;
  }
}
