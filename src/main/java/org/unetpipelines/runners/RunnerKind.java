package org.unetpipelines.runners;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where a pipeline runs. The YAML / CLI spelling is the lower-case, dashed name. */
public enum RunnerKind {
  /** Beam's DirectRunner in this JVM. */
  DIRECT("direct"),
  /** Flink's embedded mini cluster in this JVM ({@code flinkMaster: "[local]"}). */
  FLINK_LOCAL("flink-local"),
  /** A running standalone Flink cluster, reached through its REST API; the job jar is submitted to it. */
  FLINK_CLUSTER("flink-cluster");

  private final String yamlName;

  RunnerKind(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }

  public boolean isFlink() {
    return this != DIRECT;
  }

  /** Parses {@code direct}, {@code flink-local} or {@code flink-cluster}. */
  public static RunnerKind parse(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (RunnerKind k : values()) {
      if (k.yamlName.equals(n)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown runner '" + name + "'; allowed: " + allowed());
  }

  public static String allowed() {
    return Arrays.stream(values()).map(RunnerKind::yamlName).collect(Collectors.joining(", "));
  }
}
