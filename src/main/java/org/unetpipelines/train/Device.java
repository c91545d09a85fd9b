package org.unetpipelines.train;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Where training runs: {@code cpu} or {@code gpu}. The GPU needs the {@code linux-x86_64-gpu} native
 * build (Maven profile {@code gpu}) and CUDA 12 / cuDNN 9 libraries on the library path; asking for
 * it without them is an error that says what TensorFlow found instead.
 */
public enum Device {
  CPU,
  GPU;

  private static final Logger LOG = LoggerFactory.getLogger(Device.class);
  private static final Pattern AVAILABLE = Pattern.compile("available devices(?: are)?:?\\s*\\[\\s*([^\\]]*?)\\s*\\]",
      Pattern.CASE_INSENSITIVE);

  /** Session options: thread pools, grappler on, and GPUs hidden for CPU runs. */
  public ConfigProto sessionConfig(int intraOpThreads, int interOpThreads) {
    ConfigProto.Builder b = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(Math.max(0, intraOpThreads))
        .setInterOpParallelismThreads(Math.max(0, interOpThreads))
        .setAllowSoftPlacement(this == GPU); // ops without GPU kernels (e.g. save/restore) fall back to CPU
    if (this == CPU) {
      b.putDeviceCount("GPU", 0);
    } else {
      b.setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true).build());
    }
    return b.build();
  }

  /**
   * Checks that the device exists: for {@code gpu}, places a tiny op on {@code /device:GPU:0} with
   * soft placement off and runs it.
   *
   * @throws IllegalStateException naming the devices TensorFlow found when no GPU is usable
   */
  public void check() {
    if (this == CPU) {
      return;
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.GPU).deviceIndex(0).build());
      var probe = tf.math.add(tf.constant(1f), tf.constant(1f));
      ConfigProto strict = ConfigProto.newBuilder().setAllowSoftPlacement(false)
          .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true).build()).build();
      try (Session s = new Session(g, strict); Result r = s.runner().fetch(probe).run()) {
        LOG.info("GPU found: /device:GPU:0 ran a probe op");
      }
    } catch (TensorFlowException | IllegalArgumentException e) {
      String msg = String.valueOf(e.getMessage());
      Matcher m = AVAILABLE.matcher(msg);
      String found = m.find() ? "[" + m.group(1).trim() + "]" : "none usable (" + firstLine(msg) + ")";
      if (msg.contains("CUDA is not enabled")) {
        found += " (this TensorFlow native build has no CUDA support)";
      }
      throw new IllegalStateException("device: gpu was asked for, but TensorFlow found no usable GPU; devices found: "
          + found + ". A GPU run needs the GPU native build (mvn -Pgpu, classifier linux-x86_64-gpu) and CUDA 12 / "
          + "cuDNN 9 libraries (libcudart.so.12, libcublas.so.12, libcudnn.so.9) on the library path; "
          + "use device: cpu otherwise.", e);
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Run options that record where each op ran (for {@link #logPlacement}). */
  public static RunOptions traceOptions() {
    return RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
  }

  /** Logs how many graph nodes ran on each device during a traced step. */
  public static Map<String, Integer> logPlacement(RunMetadata metadata) {
    Map<String, Integer> perDevice = new TreeMap<>();
    for (DeviceStepStats d : metadata.getStepStats().getDevStatsList()) {
      perDevice.merge(d.getDevice(), d.getNodeStatsCount(), Integer::sum);
    }
    LOG.info("op placement (nodes run per device in one training step): {}", perDevice);
    return perDevice;
  }

  public String yaml() {
    return name().toLowerCase(Locale.ROOT);
  }
}
