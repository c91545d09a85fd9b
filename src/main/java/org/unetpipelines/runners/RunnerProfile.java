package org.unetpipelines.runners;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A runner profile ({@code runners/direct.yaml}, {@code runners/flink-local.yaml},
 * {@code runners/flink-cluster.yaml}): which Beam runner runs a pipeline and how. Immutable; the
 * {@code withX} methods return changed copies (for command-line overrides).
 *
 * <pre>
 * runner: flink-cluster          # direct | flink-local | flink-cluster
 * flinkMaster: 127.0.0.1:8081    # flink-cluster: REST address; flink-local: "[local]"
 * parallelism: 2
 * restartStrategy: {type: fixed-delay, attempts: 3, delay: 2s}   # or {type: none}
 * attached: true                 # flink-cluster: wait for the job and print its progress
 * jobJar: target/unet-pipelines-job.jar
 * </pre>
 */
public final class RunnerProfile {

  /** Restart strategy types a profile may name. */
  public enum RestartType {
    NONE("none"),
    FIXED_DELAY("fixed-delay");

    private final String yamlName;

    RestartType(String yamlName) {
      this.yamlName = yamlName;
    }

    public String yamlName() {
      return yamlName;
    }

    static RestartType parse(String s, String where) {
      for (RestartType t : values()) {
        if (t.yamlName.equals(s)) {
          return t;
        }
      }
      throw new IllegalArgumentException(where + ": unknown restartStrategy.type '" + s + "'; allowed: none, fixed-delay");
    }
  }

  /** How Flink restarts a failed job: {@code attempts} restarts, {@code delay} apart. */
  public record RestartStrategy(RestartType type, int attempts, Duration delay) {
    public static final RestartStrategy NONE = new RestartStrategy(RestartType.NONE, 0, Duration.ZERO);

    public RestartStrategy {
      checkArgument(type != null, "restart strategy type must not be null");
      checkArgument(attempts >= 0, "restartStrategy.attempts must be >= 0, got %s", attempts);
      checkArgument(delay != null && !delay.isNegative(), "restartStrategy.delay must be >= 0, got %s", delay);
      checkArgument(type != RestartType.FIXED_DELAY || attempts > 0,
          "restartStrategy fixed-delay needs attempts >= 1, got %s", attempts);
    }

    public static RestartStrategy fixedDelay(int attempts, Duration delay) {
      return new RestartStrategy(RestartType.FIXED_DELAY, attempts, delay);
    }

    /**
     * The restart strategy a Flink configuration sets ({@code restart-strategy.type},
     * {@code restart-strategy.fixed-delay.attempts}, {@code .delay}; Flink's defaults where absent).
     * Other types (exponential-delay, failure-rate) are returned as null: profiles cannot name them.
     */
    public static RestartStrategy fromFlinkConfig(java.util.Map<String, String> conf) {
      String type = conf.getOrDefault("restart-strategy.type", conf.getOrDefault("restart-strategy", "none"))
          .trim().toLowerCase(Locale.ROOT);
      switch (type) {
        case "none", "off", "disable" -> {
          return NONE;
        }
        case "fixed-delay", "fixeddelay" -> {
          int attempts = Integer.parseInt(conf.getOrDefault("restart-strategy.fixed-delay.attempts", "1").trim());
          String d = conf.getOrDefault("restart-strategy.fixed-delay.delay", "1 s").replace(" ", "");
          return fixedDelay(attempts, duration(d));
        }
        default -> {
          return null;
        }
      }
    }

    /** Start.sh arguments that give a cluster this restart strategy. */
    public String startShArguments() {
      return type == RestartType.NONE ? "--restart-attempts 0"
          : "--restart-attempts " + attempts + " --restart-delay " + Math.max(1, delay.toSeconds());
    }

    @Override
    public String toString() {
      return type == RestartType.NONE ? "none" : "fixed-delay x" + attempts + " every " + delay.toMillis() + " ms";
    }
  }

  public static final String LOCAL_MASTER = "[local]";
  public static final String DEFAULT_CLUSTER_MASTER = "127.0.0.1:8081";
  public static final String DEFAULT_JOB_JAR = "target/unet-pipelines-job.jar";
  static final Set<String> KEYS =
      Set.of("runner", "description", "flinkMaster", "parallelism", "restartStrategy", "attached", "jobJar");
  static final Set<String> RESTART_KEYS = Set.of("type", "attempts", "delay");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|min)");
  /** Largest restart delay count in any unit (1e6 ms, 1e6 s, 1e6 min): keeps the millisecond value in range. */
  private static final long MAX_DELAY_UNITS = 1_000_000;

  private final String name;
  private final RunnerKind kind;
  private final String flinkMaster;
  private final int parallelism;
  private final RestartStrategy restartStrategy;
  private final boolean attached;
  private final String jobJar;

  private RunnerProfile(String name, RunnerKind kind, String flinkMaster, int parallelism,
      RestartStrategy restartStrategy, boolean attached, String jobJar) {
    this.name = name;
    this.kind = kind;
    this.flinkMaster = flinkMaster;
    this.parallelism = parallelism;
    this.restartStrategy = restartStrategy;
    this.attached = attached;
    this.jobJar = jobJar;
  }

  /** The defaults of a kind: parallelism 2 (this project's 2-core machines), no restarts, attached. */
  public static RunnerProfile of(RunnerKind kind) {
    checkArgument(kind != null, "runner kind must not be null; allowed: %s", RunnerKind.allowed());
    String master = switch (kind) {
      case DIRECT -> null;
      case FLINK_LOCAL -> LOCAL_MASTER;
      case FLINK_CLUSTER -> DEFAULT_CLUSTER_MASTER;
    };
    return new RunnerProfile(kind.yamlName(), kind, master, 2, RestartStrategy.NONE, true,
        kind == RunnerKind.FLINK_CLUSTER ? DEFAULT_JOB_JAR : null);
  }

  public String name() {
    return name;
  }

  public RunnerKind kind() {
    return kind;
  }

  /** {@code host:port} of the cluster's REST API, {@code [local]} for embedded Flink, null for direct. */
  public String flinkMaster() {
    return flinkMaster;
  }

  public int parallelism() {
    return parallelism;
  }

  public RestartStrategy restartStrategy() {
    return restartStrategy;
  }

  public boolean attached() {
    return attached;
  }

  /** The shaded job jar submitted to a cluster (flink-cluster only), relative to the working directory. */
  public String jobJar() {
    return jobJar;
  }

  /** {@code http://host:port} of the cluster's REST API and web UI (flink-cluster only). */
  public String restUrl() {
    checkArgument(kind == RunnerKind.FLINK_CLUSTER, "runner %s has no REST address", name);
    return flinkMaster.startsWith("http") ? flinkMaster : "http://" + flinkMaster;
  }

  public RunnerProfile withName(String newName) {
    checkArgument(newName != null && !newName.isBlank(), "profile name must not be empty, got '%s'", newName);
    return new RunnerProfile(newName, kind, flinkMaster, parallelism, restartStrategy, attached, jobJar);
  }

  public RunnerProfile withParallelism(int p) {
    checkArgument(p >= 1 && p <= 1024, "parallelism must be in 1..1024, got %s", p);
    return new RunnerProfile(name, kind, flinkMaster, p, restartStrategy, attached, jobJar);
  }

  public RunnerProfile withFlinkMaster(String master) {
    checkArgument(kind.isFlink(), "flinkMaster applies to flink-local and flink-cluster, not %s", kind.yamlName());
    checkArgument(master != null && !master.isBlank(), "flinkMaster must not be empty, got '%s'", master);
    if (kind == RunnerKind.FLINK_LOCAL) {
      checkArgument(LOCAL_MASTER.equals(master), "flink-local runs embedded: flinkMaster must be \"[local]\", got '%s'", master);
    } else {
      checkArgument(master.matches("(https?://)?[A-Za-z0-9.\\-]+:\\d{1,5}"),
          "flink-cluster flinkMaster must be host:port of the REST API (e.g. 127.0.0.1:8081), got '%s'", master);
    }
    return new RunnerProfile(name, kind, master, parallelism, restartStrategy, attached, jobJar);
  }

  public RunnerProfile withRestartStrategy(RestartStrategy strategy) {
    checkArgument(strategy != null, "restart strategy must not be null");
    checkArgument(kind.isFlink() || strategy.type() == RestartType.NONE,
        "restartStrategy applies to flink-local and flink-cluster; the direct runner does not restart, got %s", strategy);
    return new RunnerProfile(name, kind, flinkMaster, parallelism, strategy, attached, jobJar);
  }

  public RunnerProfile withAttached(boolean a) {
    return new RunnerProfile(name, kind, flinkMaster, parallelism, restartStrategy, a, jobJar);
  }

  public RunnerProfile withJobJar(String jar) {
    checkArgument(kind == RunnerKind.FLINK_CLUSTER, "jobJar applies to flink-cluster only, not %s", kind.yamlName());
    checkArgument(jar != null && jar.endsWith(".jar"), "jobJar must be a path to a .jar file, got '%s'", jar);
    return new RunnerProfile(name, kind, flinkMaster, parallelism, restartStrategy, attached, jar);
  }

  /** Reads a profile file; errors name the file, the key and what is allowed. */
  public static RunnerProfile load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(file.toString(), in);
    }
  }

  /** Parses profile YAML; {@code where} names the source in error messages. */
  public static RunnerProfile parse(String where, InputStream yaml) {
    Object root;
    try {
      LoaderOptions lo = new LoaderOptions();
      lo.setAllowDuplicateKeys(false);
      lo.setMaxAliasesForCollections(20);
      lo.setAllowRecursiveKeys(false);
      root = new Yaml(new SafeConstructor(lo)).load(yaml);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(where + ": not valid YAML: " + e.getMessage(), e);
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + ": a runner profile must be a mapping with keys " + new TreeSet<>(KEYS));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    map.forEach((k, v) -> m.put(String.valueOf(k), v));
    List<String> unknown = new ArrayList<>();
    for (String k : m.keySet()) {
      if (!KEYS.contains(k)) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(where + ": unknown key(s) " + unknown + "; allowed: " + new TreeSet<>(KEYS));
    }
    if (!(m.get("runner") instanceof String runner)) {
      throw new IllegalArgumentException(where + ": 'runner' is required, one of: " + RunnerKind.allowed());
    }
    try {
      RunnerKind kind = RunnerKind.parse(runner);
      String base = Path.of(where).getFileName().toString().replaceFirst("\\.ya?ml$", "");
      RunnerProfile p = of(kind).withName(base);
      if (m.containsKey("flinkMaster")) {
        p = p.withFlinkMaster(string(m, "flinkMaster", where));
      }
      if (m.containsKey("parallelism")) {
        p = p.withParallelism(integer(m.get("parallelism"), "parallelism", where));
      }
      if (m.containsKey("restartStrategy")) {
        p = p.withRestartStrategy(restart(m.get("restartStrategy"), where));
      }
      if (m.containsKey("attached")) {
        if (!(m.get("attached") instanceof Boolean b)) {
          throw new IllegalArgumentException("'attached' must be true or false, got '" + m.get("attached") + "'");
        }
        p = p.withAttached(b);
      }
      if (m.containsKey("jobJar")) {
        p = p.withJobJar(string(m, "jobJar", where));
      }
      return p;
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(where + ":")) {
        throw e;
      }
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static RestartStrategy restart(Object v, String where) {
    if (!(v instanceof Map<?, ?> rm)) {
      throw new IllegalArgumentException("'restartStrategy' must be a mapping {type, attempts, delay}, got '" + v + "'");
    }
    Map<String, Object> r = new LinkedHashMap<>();
    rm.forEach((k, x) -> r.put(String.valueOf(k), x));
    for (String k : r.keySet()) {
      if (!RESTART_KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown key 'restartStrategy." + k + "'; allowed: " + new TreeSet<>(RESTART_KEYS));
      }
    }
    RestartType type = RestartType.parse(String.valueOf(r.getOrDefault("type", "none")), where);
    if (type == RestartType.NONE) {
      if (r.containsKey("attempts") || r.containsKey("delay")) {
        throw new IllegalArgumentException("restartStrategy type none takes no attempts or delay");
      }
      return RestartStrategy.NONE;
    }
    int attempts = r.containsKey("attempts") ? integer(r.get("attempts"), "restartStrategy.attempts", where) : 3;
    Duration delay = r.containsKey("delay") ? duration(String.valueOf(r.get("delay"))) : Duration.ofSeconds(2);
    checkArgument(!delay.isZero(), "restartStrategy.delay must be > 0 (e.g. 500ms, 2s), got '%s'", r.get("delay"));
    return RestartStrategy.fixedDelay(attempts, delay);
  }

  /** Parses {@code 500ms}, {@code 2s}, {@code 1min}. */
  static Duration duration(String s) {
    Matcher mt = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
    checkArgument(mt.matches(), "restartStrategy.delay must look like 500ms, 2s or 1min, got '%s'", s);
    long n;
    try {
      n = Long.parseLong(mt.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("restartStrategy.delay " + s + " is too long", e);
    }
    checkArgument(n <= MAX_DELAY_UNITS, "restartStrategy.delay must be at most %s of its unit, got '%s'", MAX_DELAY_UNITS, s);
    return switch (mt.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }

  private static String string(Map<String, Object> m, String key, String where) {
    Object v = m.get(key);
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException("'" + key + "' must be a string, got '" + v + "'");
    }
    return s;
  }

  private static int integer(Object v, String key, String where) {
    if (!(v instanceof Integer i)) {
      throw new IllegalArgumentException("'" + key + "' must be an integer, got '" + v + "'");
    }
    return i;
  }

  /**
   * Beam pipeline options for this profile. Beam's DataSet-based batch translation ignores
   * {@code numberOfExecutionRetries}, so the restart strategy is a cluster setting: flink-local gets
   * it through a generated Flink configuration folder for its mini cluster; a flink-cluster job runs
   * under the cluster's (start.sh {@code --restart-attempts}), which {@link PipelineRunner#preflight}
   * checks. A flink-cluster job is submitted detached with the job jar as its only staged file, and
   * {@link PipelineRunner} follows it through the REST API.
   *
   * @param jobName the job's name (Flink shows it and {@link PipelineRunner} finds the job by it)
   */
  public PipelineOptions pipelineOptions(String jobName) {
    return pipelineOptions(jobName, Map.of());
  }

  /**
   * As {@link #pipelineOptions(String)}, with extra Beam options ({@code key -> value}, as
   * {@code --key=value}) applied first; a profile setting never overrides an extra option.
   */
  public PipelineOptions pipelineOptions(String jobName, Map<String, String> extra) {
    checkArgument(jobName != null && jobName.matches("[a-z0-9][a-z0-9-]*"),
        "job name must be lower-case letters, digits and dashes, got '%s'", jobName);
    List<String> args = new ArrayList<>();
    extra.forEach((k, v) -> args.add("--" + k + "=" + v));
    PipelineOptionsFactory.register(ClusterJobOptions.class);
    PipelineOptions base;
    try {
      base = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).create(); // strict: unknown options refused
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--option " + String.join(" ", extra.entrySet().stream()
          .map(x -> x.getKey() + "=" + x.getValue()).toList()) + ": " + e.getMessage()
          + " (options are Beam pipeline options of the chosen runner)", e);
    }
    if (!extra.containsKey("jobName")) {
      base.setJobName(jobName);
    }
    if (kind == RunnerKind.DIRECT) {
      DirectOptions o = base.as(DirectOptions.class);
      o.setRunner(DirectRunner.class);
      if (!extra.containsKey("targetParallelism")) {
        o.setTargetParallelism(parallelism);
      }
      if (!extra.containsKey("blockOnRun")) {
        o.setBlockOnRun(false); // the caller polls for progress
      }
      if (!extra.containsKey("enforceImmutability")) {
        // Immutability enforcement re-encodes every element: a testing aid, costly on images.
        o.setEnforceImmutability(false);
      }
      return o;
    }
    FlinkPipelineOptions o = base.as(FlinkPipelineOptions.class);
    o.setRunner(FlinkRunner.class);
    if (!extra.containsKey("flinkMaster")) {
      o.setFlinkMaster(flinkMaster);
    }
    if (!extra.containsKey("parallelism")) {
      o.setParallelism(parallelism);
    }
    o.setNumberOfExecutionRetries(restartStrategy.attempts());
    o.setExecutionRetryDelay(restartStrategy.delay().toMillis());
    if (!extra.containsKey("jobCheckIntervalInSecs")) {
      o.setJobCheckIntervalInSecs(1);
    }
    if (kind == RunnerKind.FLINK_CLUSTER) {
      // A cluster applies its own default restart strategy to Beam's batch jobs; PipelineRunner.preflight
      // checks that it is the one this profile names. Submitted detached: progress comes from the REST API.
      o.setAttachedMode(false);
      if (!extra.containsKey("followJob")) {
        o.as(ClusterJobOptions.class).setFollowJob(attached);
      }
      if (!extra.containsKey("filesToStage")) {
        o.setFilesToStage(List.of(Path.of(jobJar).toAbsolutePath().toString()));
      }
    } else {
      // The embedded mini cluster takes its restart strategy from this configuration folder.
      o.setFlinkConfDir(FlinkConf.write(this).toString());
      o.setAttachedMode(true);
      if (!extra.containsKey("filesToStage")) {
        o.setFilesToStage(List.of());
      }
    }
    return o;
  }

  @Override
  public String toString() {
    return name + " (" + kind.yamlName() + (flinkMaster == null ? "" : ", " + flinkMaster)
        + ", parallelism " + parallelism + ", restarts " + restartStrategy + ")";
  }
}
