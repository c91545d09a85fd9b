package org.unetpipelines.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.unet.UNet;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.model.Upsampling;
import org.unetpipelines.train.Batch;
import org.unetpipelines.train.Device;
import org.unetpipelines.train.LossKind;
import org.unetpipelines.train.OptimizerKind;
import org.unetpipelines.train.TrainConfig;
import org.unetpipelines.train.TrainingGraph;
import org.unetpipelines.train.task.Segmentation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines bench train}: training-step time of a U-Net (default: depth 4, 16 filters,
 * same padding, transposed-conv upsampling, sigmoid head, 1.94 M parameters) with pixel-wise
 * sigmoid cross-entropy and SGD momentum 0.99, on a fixed random batch. The same work as
 * {@code bench/unet_torch.py}. The last line is a JSON object.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Time U-Net training steps (TensorFlow Java); last line is JSON with median_step_ms.")
public final class TrainBench implements BenchTarget {
  private static final Logger LOG = LoggerFactory.getLogger(TrainBench.class);

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

  @Option(names = "--depth", description = "Poolings (default ${DEFAULT-VALUE}).", defaultValue = "4")
  int depth;

  @Option(names = "--filters", description = "Base filters (default ${DEFAULT-VALUE}).", defaultValue = "16")
  int filters;

  @Option(names = "--upsampling", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
      defaultValue = "transpose")
  Upsampling upsampling;

  @Option(names = "--device", description = "cpu or gpu (default ${DEFAULT-VALUE}).", defaultValue = "cpu")
  Device device;

  @Override
  public Integer call() throws Exception {
    if (size < 16 || batch < 1 || steps < 1 || warmup < 0 || threads < 0 || interThreads < 0) {
      System.err.println("bench train: need --size >= 16, --batch >= 1, --steps >= 1, --warmup >= 0, threads >= 0");
      return 2;
    }
    UNetConfig model = new UNetConfig(depth, filters, Padding.SAME, upsampling, false, 0f, 1, 1);
    UNet net = UNet.of(model);
    int[] out = net.outputSize(size, size);
    TrainConfig cfg = TrainConfig.defaults(size, size).toBuilder()
        .loss(LossKind.CROSS_ENTROPY).optimizer(OptimizerKind.MOMENTUM).learningRate(1e-3).momentum(0.99)
        .batchSize(batch).threads(threads, interThreads).device(device).build();
    SplittableRandom r = new SplittableRandom(42);
    float[] x = new float[batch * size * size];
    float[] y = new float[batch * out[0] * out[1]];
    float[] w = new float[y.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextDouble() < 0.78 ? 1f : 0f;
      w[i] = 1f;
    }
    Batch b = new Batch(batch, java.util.Map.of(Segmentation.IMAGE, x, Segmentation.TARGET, y, Segmentation.WEIGHTS, w),
        List.of(), 0, 0);
    double[] ms = new double[steps];
    long params;
    long t0 = System.nanoTime();
    try (TrainingGraph tg = createOrReport(net, cfg)) {
      if (tg == null) {
        return 2;
      }
      tg.initialize();
      params = tg.model().parameterCount();
      LOG.info("U-Net {} ({} parameters), {}x{} batch {}, {} intra / {} inter threads", net.variant(), params, size,
          size, batch, threads, interThreads);
      for (int i = 0; i < warmup; i++) {
        tg.step(b, 1e-3, i);
      }
      for (int i = 0; i < steps; i++) {
        long s = System.nanoTime();
        float loss = tg.step(b, 1e-3, warmup + i);
        ms[i] = (System.nanoTime() - s) / 1e6;
        if (!Float.isFinite(loss)) {
          System.err.println("bench train: loss became " + loss);
          return 1;
        }
      }
    }
    double total = (System.nanoTime() - t0) / 1e9;
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    ObjectNode json = new ObjectMapper().createObjectNode();
    json.put("bench", "train");
    json.put("framework", "tensorflow-java");
    json.put("size", size);
    json.put("batch", batch);
    json.put("steps", steps);
    json.put("threads", threads);
    json.put("inter_threads", interThreads);
    json.put("parameters", params);
    json.put("median_step_ms", round(Stats.percentile(sorted, 50)));
    json.put("p10_step_ms", round(Stats.percentile(sorted, 10)));
    json.put("p90_step_ms", round(Stats.percentile(sorted, 90)));
    json.put("peak_rss_mb", peakRssMb());
    json.put("total_s", round(total));
    System.out.println(json);
    return 0;
  }

  private static TrainingGraph createOrReport(UNet net, TrainConfig cfg) {
    try {
      return TrainingGraph.create(new Segmentation(net, cfg.height(), cfg.width(), cfg.loss()), cfg);
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
