package org.unetpipelines.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auto.service.AutoService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.unetpipelines.engine.cli.BenchTarget;
import java.util.LinkedHashMap;
import java.util.Map;
import org.unetpipelines.engine.ConfigBinder;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.model.ModelConfig;
import com.google.common.collect.Iterables;
import org.unetpipelines.augment.BorderWeights;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.augment.ElasticWarp;
import org.unetpipelines.augment.Flips;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.augment.Rotation;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.Batch;
import org.unetpipelines.train.BatchStream;
import org.unetpipelines.train.OnlineAugment;
import org.unetpipelines.train.Device;
import org.unetpipelines.train.LossKind;
import org.unetpipelines.train.OptimizerKind;
import org.unetpipelines.train.Precision;
import org.unetpipelines.train.TrainConfig;
import org.unetpipelines.train.TrainingGraph;
import org.unetpipelines.train.task.Task;
import org.unetpipelines.train.task.Tasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines bench train}: training-step time of any model family on a fixed random batch.
 * Default: a U-Net (depth 4, 16 filters, same padding, transposed-conv upsampling, sigmoid head,
 * 1.94 M parameters) with pixel-wise sigmoid cross-entropy and SGD momentum 0.99 — the same work as
 * {@code bench/unet_torch.py}. {@code --family unetpp --deep-supervision} is the UNet++ of
 * {@code bench/unetpp_torch.py}. The model is built from the same typed config as the YAML
 * {@code model:} mapping ({@code --model key=value} sets any of its keys). The last line is JSON.
 *
 * <p>{@code --augment}: {@code fixed} (default) times steps on one fixed random batch; {@code none}
 * streams synthetic ellipse samples ({@code --sample-size}, with border weight maps) through the
 * trainer's {@link BatchStream} (background thread, {@code --prefetch} batches ahead);
 * {@code elastic} streams them through the online chain Crop random (size + 64) -> ElasticDeform
 * (grid 3, sigma 10, cubic, centred size x size) -> Flip -> Rotate right, as Train's {@code augment:}
 * runs it. A streamed step is timed from asking for the batch to the end of the step, so
 * {@code median_step_ms} includes any wait for input ({@code median_wait_ms}, {@code total_wait_ms});
 * {@code augment_ms_per_sample} is the chain alone, timed on the calling thread beforehand.
 */
@AutoService(BenchTarget.class)
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Time training steps of a model family (TensorFlow Java); last line is JSON with median_step_ms.")
public final class TrainBench implements BenchTarget {
  private static final Logger LOG = LoggerFactory.getLogger(TrainBench.class);

  @Option(names = "--family", description = "Model family (default ${DEFAULT-VALUE}).", defaultValue = "unet")
  String family;

  @Option(names = "--deep-supervision", description = "UNet++: train on all four heads.")
  boolean deepSupervision;

  @Option(names = "--model", description = "A key of the family's model config, key=value (repeatable).")
  List<String> modelKeys = new ArrayList<>();

  @Option(names = "--size", description = "Input side in pixels (default ${DEFAULT-VALUE}).", defaultValue = "128")
  int size;

  @Option(names = "--batch", description = "Batch size (default ${DEFAULT-VALUE}).", defaultValue = "4")
  int batch;

  @Option(names = "--steps", description = "Timed steps (default ${DEFAULT-VALUE}).", defaultValue = "20")
  int steps;

  @Option(names = "--warmup", description = "Untimed steps first (default ${DEFAULT-VALUE}).", defaultValue = "3")
  int warmup;

  @Option(names = "--threads", description = "TensorFlow intra-op threads (default ${DEFAULT-VALUE}).",
      defaultValue = "2")
  int threads;

  @Option(names = "--inter-threads", description = "TensorFlow inter-op threads (default ${DEFAULT-VALUE}).",
      defaultValue = "1")
  int interThreads;

  @Option(names = "--loss", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
      defaultValue = "cross_entropy", converter = LossConverter.class)
  LossKind loss;

  @Option(names = "--optimizer", description = "momentum or adam (default ${DEFAULT-VALUE}).", defaultValue = "momentum",
      converter = OptimizerConverter.class)
  OptimizerKind optimizer;

  @Option(names = "--device", description = "cpu or gpu (default ${DEFAULT-VALUE}).", defaultValue = "cpu")
  Device device;

  @Option(names = "--precision", description = "fp32 or bf16 (default ${DEFAULT-VALUE}).", defaultValue = "fp32",
      converter = PrecisionConverter.class)
  Precision precision;

  @Option(names = "--augment", description = "fixed (one fixed batch), none (streamed samples), elastic (streamed "
      + "through the online chain); default ${DEFAULT-VALUE}.", defaultValue = "fixed")
  String augment;

  @Option(names = "--sample-size", description = "Side of the streamed samples (default: size + 128).")
  Integer sampleSize;

  @Option(names = "--prefetch", description = "Batches prepared ahead when streaming (default ${DEFAULT-VALUE}).",
      defaultValue = "4")
  int prefetch;

  /** The online chain of {@code --augment elastic}: the same ops as the stages of the same names. */
  static OnlineAugment elasticChain(int size) {
    return OnlineAugment.NONE
        .then("Crop", Crops.op(Crops.Mode.RANDOM, size + 64, size + 64))
        .then("ElasticDeform", ElasticWarp.op(3, 10.0, Interpolation.CUBIC, size, size))
        .then("Flip", Flips.op(0.5, 0.5))
        .then("Rotate", Rotation.op(Rotation.Mode.RIGHT, 0, Interpolation.CUBIC));
  }

  /** Synthetic ellipse samples (image, mask, border weight map) of side {@code side}. */
  static List<Sample> ellipseSamples(int count, int side) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Synthetic.Pair p = Synthetic.ellipses(42, i, side, side, 6, side / 16.0, side / 8.0, 8.0);
      out.add(Sample.newBuilder().setId("bench#" + i).setSource("synthetic:ellipses")
          .setImage(Tensors.toTensor(p.image())).setMask(Tensors.toTensor(p.mask()))
          .setWeights(Tensors.toTensor(BorderWeights.weightMap(p.mask(), 10.0, 5.0, true))).setSeed(42L).build());
    }
    return out;
  }

  static final class PrecisionConverter implements picocli.CommandLine.ITypeConverter<Precision> {
    @Override
    public Precision convert(String v) {
      return Precision.valueOf(v.toUpperCase(java.util.Locale.ROOT));
    }
  }

  static final class LossConverter implements picocli.CommandLine.ITypeConverter<LossKind> {
    @Override
    public LossKind convert(String v) {
      return LossKind.valueOf(v.toUpperCase(java.util.Locale.ROOT));
    }
  }

  static final class OptimizerConverter implements picocli.CommandLine.ITypeConverter<OptimizerKind> {
    @Override
    public OptimizerKind convert(String v) {
      return OptimizerKind.valueOf(v.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** The model config from --family and --model keys, bound like the YAML {@code model:} mapping. */
  private ModelConfig modelConfig() {
    StringBuilder yaml = new StringBuilder("{family: ").append(family);
    if (deepSupervision) {
      yaml.append(", deep_supervision: true");
    }
    for (String kv : modelKeys) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--model takes key=value, got '" + kv + "'");
      }
      yaml.append(", ").append(kv, 0, eq).append(": ").append(kv.substring(eq + 1));
    }
    yaml.append('}');
    record Holder(@Param(doc = "the model") ModelConfig model) {}
    List<String> errors = new ArrayList<>();
    Holder h = ConfigBinder.bind(Holder.class, (org.yaml.snakeyaml.nodes.MappingNode) PipelineFile.parseFragment(
        "{model: " + yaml + "}"), 1, (line, msg) -> errors.add(msg));
    if (h == null) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
    return h.model();
  }

  @Override
  public Integer call() throws Exception {
    if (size < 16 || batch < 1 || steps < 1 || warmup < 0 || threads < 0 || interThreads < 0 || prefetch < 1) {
      System.err.println("bench train: need --size >= 16, --batch >= 1, --steps >= 1, --warmup >= 0, threads >= 0, "
          + "--prefetch >= 1");
      return 2;
    }
    if (!List.of("fixed", "none", "elastic").contains(augment)) {
      System.err.println("bench train: --augment must be fixed, none or elastic, got '" + augment + "'");
      return 2;
    }
    int side = sampleSize == null ? size + 128 : sampleSize;
    if (!augment.equals("fixed") && side < size + (augment.equals("elastic") ? 64 : 0)) {
      System.err.println("bench train: --sample-size " + side + " is smaller than the input" + (augment.equals("elastic")
          ? " + 64 (the chain's random crop)" : "") + "; give at least " + (size + (augment.equals("elastic") ? 64 : 0)));
      return 2;
    }
    TrainConfig cfg = TrainConfig.defaults(size, size).toBuilder()
        .loss(loss).optimizer(optimizer).learningRate(1e-3).momentum(0.99)
        .batchSize(batch).threads(threads, interThreads).device(device).precision(precision).build();
    Task task;
    try {
      task = Tasks.of(modelConfig(), cfg);
    } catch (IllegalArgumentException e) {
      System.err.println("bench train: " + e.getMessage());
      return 2;
    }
    Batch b = randomBatch(task, batch);
    boolean streamed = !augment.equals("fixed");
    OnlineAugment chain = augment.equals("elastic") ? elasticChain(size) : OnlineAugment.NONE;
    List<Sample> base = streamed ? ellipseSamples(8, side) : List.of();
    double augmentMs = Double.NaN;
    if (!chain.isEmpty()) {
      int reps = 8;
      long a0 = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        chain.apply(base.get(i % base.size()), 42, i, 0);
      }
      augmentMs = (System.nanoTime() - a0) / 1e6 / reps;
    }
    double[] waits = new double[steps];
    double[] ms = new double[steps];
    long params;
    long t0 = System.nanoTime();
    double buildS;
    try (TrainingGraph tg = createOrReport(task, cfg)) {
      if (tg == null) {
        return 2;
      }
      buildS = (System.nanoTime() - t0) / 1e9; // graph construction (networks, losses, gradients, optimizers)
      tg.initialize();
      params = tg.model().parameterCount();
      LOG.info("{} {} ({} parameters), {}x{} batch {}, {} intra / {} inter threads", task.family(), task.variant(),
          params, size, size, batch, threads, interThreads);
      Iterable<Sample> source = Iterables.limit(Iterables.cycle(base), (warmup + steps) * batch);
      try (BatchStream stream = streamed
          ? new BatchStream(source, task, batch, 0, 42, 0, 0, prefetch, true, chain, 0) : null) {
        for (int i = 0; i < warmup + steps; i++) {
          long s = System.nanoTime();
          Batch in = streamed ? stream.next() : b;
          long got = System.nanoTime();
          float l = tg.step(in, 1e-3, i);
          if (i >= warmup) {
            waits[i - warmup] = (got - s) / 1e6;
            ms[i - warmup] = (System.nanoTime() - s) / 1e6;
          }
          if (!Float.isFinite(l)) {
            System.err.println("bench train: loss became " + l);
            return 1;
          }
        }
      }
    }
    double total = (System.nanoTime() - t0) / 1e9;
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median = Stats.percentile(sorted, 50);
    ObjectNode json = new ObjectMapper().createObjectNode();
    json.put("bench", "train");
    json.put("framework", "tensorflow-java");
    json.put("family", task.family());
    json.put("precision", precision.name().toLowerCase(java.util.Locale.ROOT));
    json.put("variant", task.variant());
    json.put("size", size);
    json.put("batch", batch);
    json.put("steps", steps);
    json.put("threads", threads);
    json.put("inter_threads", interThreads);
    json.put("parameters", params);
    json.put("params", params);
    json.put("augment", augment);
    if (streamed) {
      double[] w = waits.clone();
      Arrays.sort(w);
      json.put("sample_size", side);
      json.put("prefetch", prefetch);
      json.put("augment_chain", chain.toString());
      json.put("median_wait_ms", round(Stats.percentile(w, 50)));
      json.put("total_wait_ms", round(Arrays.stream(waits).sum()));
      if (!chain.isEmpty()) {
        json.put("augment_ms_per_sample", round(augmentMs));
      }
    }
    json.put("median_step_ms", round(median));
    json.put("p10_step_ms", round(Stats.percentile(sorted, 10)));
    json.put("p90_step_ms", round(Stats.percentile(sorted, 90)));
    json.put("images_per_s", round(batch * 1000.0 / median));
    json.put("peak_rss_mb", peakRssMb());
    json.put("graph_build_s", round(buildS));
    json.put("total_s", round(total));
    System.out.println(json);
    return 0;
  }

  /**
   * A fixed random batch for the task's feeds: images uniform in [0, 1), targets and labels drawn
   * as 0/1 (one-hot over the last axis when it has several entries), weights 1.
   */
  static Batch randomBatch(Task task, int n) {
    SplittableRandom r = new SplittableRandom(42);
    Map<String, float[]> arrays = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> f : task.feeds().entrySet()) {
      long[] shape = f.getValue();
      long per = 1;
      for (long d : shape) {
        per *= d;
      }
      float[] a = new float[(int) (n * per)];
      String name = f.getKey();
      int k = (int) shape[shape.length - 1];
      if (name.equals("weights")) {
        Arrays.fill(a, 1f);
      } else if (name.equals("target") || name.equals("label")) {
        for (int i = 0; i < a.length / k; i++) {
          if (k == 1) {
            a[i] = r.nextDouble() < 0.78 ? 1f : 0f;
          } else {
            a[i * k + r.nextInt(k)] = 1f;
          }
        }
      } else {
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) r.nextDouble();
        }
      }
      arrays.put(name, a);
    }
    return new Batch(n, arrays, List.of(), 0, 0);
  }

  private static TrainingGraph createOrReport(Task task, TrainConfig cfg) {
    try {
      return TrainingGraph.create(task, cfg);
    } catch (IllegalStateException e) {
      System.err.println("bench train: " + e.getMessage());
      return null;
    }
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** VmHWM of this process (Linux), MiB; -1 elsewhere. */
  static long peakRssMb() {
    try {
      List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("/proc/self/status")));
      for (String l : lines) {
        if (l.startsWith("VmHWM:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.debug("no peak RSS: {}", e.toString());
    }
    return -1;
  }
}
