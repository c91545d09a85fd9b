package org.unetpipelines.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.unetpipelines.augment.BorderWeights;
import org.unetpipelines.engine.cli.BenchTarget;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.io.Globs;
import picocli.CommandLine;
import com.google.auto.service.AutoService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines bench border-weights}: the U-Net border weight map ({@link BorderWeights})
 * of each label mask, timed per image, one thread, next to the implementation it replaced
 * ({@link BorderWeightsBaseline}: one full-image distance transform per cell). Masks: a glob (the
 * ISBI 2012 training labels by default) plus optional synthetic membrane masks with many cells,
 * written as PNGs to {@code --masks-out} so that {@code bench/border_weights_scipy.py} (scipy's
 * {@code distance_transform_edt} per cell) times the very same masks; {@code --dump} writes each
 * map as raw float32 for its value check. Per image and implementation the time is the median over
 * {@code --repeat} passes after {@code --warmup} untimed ones (the baseline, seconds per image,
 * only after the last of them). The last line is a JSON object.
 */
@AutoService(BenchTarget.class)
@Command(name = "border-weights", mixinStandardHelpOptions = true,
    description = "Time the U-Net border weight map per mask: current implementation vs the per-cell full-image baseline.")
public final class BorderWeightsBench implements BenchTarget {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--masks", defaultValue = "../shared/data/isbi2012/train/labels/*.png",
      description = "Label masks (cells > 0): glob, folder or file (default ${DEFAULT-VALUE}); 'none' for synthetic only.")
  String masks;

  @Option(names = "--synthetic", split = ",", description = "Also synthetic 512x512 membrane masks with these cell counts, e.g. 300,600.")
  List<Integer> synthetic = new ArrayList<>();

  @Option(names = "--masks-out", description = "Write the synthetic masks here as synthetic-<cells>.png (for the scipy script).")
  Path masksOut;

  @Option(names = "--impl", split = ",", defaultValue = "current,baseline",
      description = "Implementations to time: current, baseline (default ${DEFAULT-VALUE}).")
  List<String> impls;

  @Option(names = "--repeat", defaultValue = "3", description = "Timed passes over the masks (default ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--warmup", defaultValue = "5",
      description = "Untimed passes first, for the JIT (default ${DEFAULT-VALUE}); the slow baseline does only the last one.")
  int warmup;

  @Option(names = "--w0", defaultValue = "10", description = "w0 (default ${DEFAULT-VALUE}).")
  double w0;

  @Option(names = "--sigma", defaultValue = "5", description = "sigma in pixels (default ${DEFAULT-VALUE}).")
  double sigma;

  @Option(names = "--dump", description = "Write each current map as <mask stem>.f32 (raw little-endian float32) here.")
  Path dump;

  /** One mask under test. */
  record Mask(String name, ImageArray mask, int cells) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (repeat < 1 || warmup < 0 || !(sigma > 0) || !(w0 >= 0)) {
      err.println("bench border-weights: need --repeat >= 1, --warmup >= 0, --sigma > 0, --w0 >= 0");
      return 2;
    }
    for (String i : impls) {
      if (!i.equals("current") && !i.equals("baseline")) {
        err.println("bench border-weights: unknown --impl '" + i + "'; allowed: current, baseline");
        return 2;
      }
    }
    List<Mask> set = masks();
    if (set.isEmpty()) {
      err.println("bench border-weights: no masks (nothing matches --masks '" + masks + "' and no --synthetic)");
      return 2;
    }
    boolean current = impls.contains("current");
    boolean baseline = impls.contains("baseline");
    double[][] currentMs = new double[set.size()][repeat];
    double[][] baselineMs = new double[set.size()][repeat];
    double maxDiff = 0;
    double sink = 0;
    for (int pass = 0; pass < warmup + repeat; pass++) {
      for (int i = 0; i < set.size(); i++) {
        ImageArray m = set.get(i).mask();
        ImageArray c = null;
        ImageArray b = null;
        if (current) {
          long t0 = System.nanoTime();
          c = BorderWeights.weightMap(m, w0, sigma, true);
          long t1 = System.nanoTime();
          if (pass >= warmup) {
            currentMs[i][pass - warmup] = (t1 - t0) / 1e6;
          }
          sink += c.data()[i % c.data().length];
        }
        if (baseline && pass >= warmup - 1) {
          long t0 = System.nanoTime();
          b = BorderWeightsBaseline.weightMap(m, w0, sigma, true);
          long t1 = System.nanoTime();
          if (pass >= warmup) {
            baselineMs[i][pass - warmup] = (t1 - t0) / 1e6;
          }
          sink += b.data()[i % b.data().length];
        }
        if (pass == Math.max(0, warmup - 1) && c != null && b != null) {
          for (int p = 0; p < c.data().length; p++) {
            maxDiff = Math.max(maxDiff, Math.abs(c.data()[p] - b.data()[p]));
          }
        }
        if (pass == 0 && c != null && dump != null) {
          writeFloats(dump.resolve(stem(set.get(i).name()) + ".f32"), c.data());
        }
      }
    }
    ObjectMapper om = new ObjectMapper();
    ObjectNode out = om.createObjectNode();
    out.put("bench", "border-weights").put("impl", "java").put("images", set.size()).put("repeat", repeat)
        .put("warmup", warmup).put("w0", w0).put("sigma", sigma).put("threads", 1);
    double[] cur = new double[set.size()];
    double[] base = new double[set.size()];
    double[] speedup = new double[set.size()];
    ArrayNode perImage = om.createArrayNode();
    for (int i = 0; i < set.size(); i++) {
      ObjectNode o = perImage.addObject().put("name", set.get(i).name()).put("cells", set.get(i).cells())
          .put("height", set.get(i).mask().height()).put("width", set.get(i).mask().width());
      if (current) {
        cur[i] = Stats.median(currentMs[i]);
        o.put("current_ms", round(cur[i]));
      }
      if (baseline) {
        base[i] = Stats.median(baselineMs[i]);
        o.put("baseline_ms", round(base[i]));
      }
      if (current && baseline) {
        speedup[i] = base[i] / cur[i];
        o.put("speedup", round(speedup[i]));
      }
    }
    if (current) {
      out.put("ms_per_image_median", round(Stats.median(cur))).put("ms_per_image_p90", round(Stats.percentile(cur, 90)))
          .put("ms_per_image_max", round(max(cur)));
    }
    if (baseline) {
      out.put("baseline_ms_per_image_median", round(Stats.median(base)));
    }
    if (current && baseline) {
      out.put("speedup_median", round(Stats.median(speedup))).put("speedup_min", round(min(speedup)))
          .put("max_abs_diff_vs_baseline", maxDiff);
    }
    out.put("checksum", sink);
    out.set("per_image", perImage);
    spec.commandLine().getOut().println(out);
    spec.commandLine().getOut().flush();
    return 0;
  }

  private List<Mask> masks() throws Exception {
    List<Mask> out = new ArrayList<>();
    if (!masks.equals("none")) {
      for (Path p : Globs.match(masks)) {
        ImageArray m = ImageCodec.decodeFirst(Files.readAllBytes(p));
        out.add(new Mask(p.toString(), m, BorderWeightsBaseline.label(m, new int[m.height() * m.width()])));
      }
    }
    for (int cells : synthetic) {
      ImageArray m = Synthetic.membranes(7, cells, 512, 512, cells, 0.1).mask();
      String name = "synthetic-" + cells + ".png";
      if (masksOut != null) {
        Files.createDirectories(masksOut);
        Path f = masksOut.resolve(name);
        Files.write(f, ImageCodec.encodePng(m));
        name = f.toString();
      }
      out.add(new Mask(name, m, BorderWeightsBaseline.label(m, new int[m.height() * m.width()])));
    }
    return out;
  }

  private static String stem(String name) {
    String f = Path.of(name).getFileName().toString();
    int dot = f.lastIndexOf('.');
    return dot > 0 ? f.substring(0, dot) : f;
  }

  private static void writeFloats(Path p, float[] v) throws IOException {
    Files.createDirectories(p.getParent());
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    Files.write(p, b.array());
  }

  private static double max(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  private static double min(double[] v) {
    double m = Double.POSITIVE_INFINITY;
    for (double x : v) {
      m = Math.min(m, x);
    }
    return m;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
