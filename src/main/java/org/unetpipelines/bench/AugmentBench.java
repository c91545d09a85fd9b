package org.unetpipelines.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auto.service.AutoService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.unetpipelines.augment.Boundary;
import org.unetpipelines.augment.CopyRandom;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.augment.ElasticWarp;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.augment.ImageStack;
import org.unetpipelines.augment.MirrorPadding;
import org.unetpipelines.engine.cli.BenchTarget;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.Synthetic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines bench augment}: one image+mask pair through mirror pad, elastic deformation
 * (image cubic B-spline, mask nearest) and a centre crop back to the input size, timed per pair.
 * The same work as {@code bench/elastic_scipy.py}. The last line is a JSON object.
 */
@AutoService(BenchTarget.class)
@Command(name = "augment", mixinStandardHelpOptions = true,
    description = "Time pad -> elastic (image order 3 + mask order 0) -> crop of one image+mask pair.")
public final class AugmentBench implements BenchTarget {
  private static final Logger LOG = LoggerFactory.getLogger(AugmentBench.class);

  @Option(names = "--size", description = "Image side in pixels (default ${DEFAULT-VALUE}).", defaultValue = "512")
  int size;

  @Option(names = "--n", description = "Timed pairs per thread (default ${DEFAULT-VALUE}).", defaultValue = "50")
  int n;

  @Option(names = "--warmup", description = "Untimed pairs first, for the JIT (default ${DEFAULT-VALUE}).", defaultValue = "50")
  int warmup;

  @Option(names = "--threads", description = "Worker threads, each doing its own pairs (default ${DEFAULT-VALUE}).",
      defaultValue = "1")
  int threads;

  @Option(names = "--pad", description = "Mirror pad per side before deforming (default ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int pad;

  @Option(names = "--grid", description = "Grid points per axis (default ${DEFAULT-VALUE}).", defaultValue = "3")
  int grid;

  @Option(names = "--sigma", description = "Displacement std in pixels (default ${DEFAULT-VALUE}).",
      defaultValue = "10")
  double sigma;

  @Option(names = "--order", description = "Image interpolation: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
      defaultValue = "cubic")
  Interpolation order;

  @Option(names = "--image", description = "An image file to use instead of a synthetic image (cropped/padded to --size).")
  Path image;

  @Option(names = "--mask", description = "Its mask file.")
  Path mask;

  @Option(names = "--dump", description = "Also write one pair's padded input, lattice and output (raw little-endian "
      + "float32/float64) to this folder, for bench/elastic_crosscheck.py.")
  Path dump;

  @Override
  public Integer call() throws Exception {
    if (size < 8 || n < 1 || threads < 1 || pad < 0 || warmup < 0) {
      System.err.println("bench augment: need --size >= 8, --n >= 1, --threads >= 1, --pad >= 0, --warmup >= 0");
      return 2;
    }
    if ((image == null) != (mask == null)) {
      System.err.println("bench augment: give both --image and --mask, or neither");
      return 2;
    }
    ImageStack input = input();
    if (dump != null) {
      dump(input);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<double[]>> futures = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int worker = t;
      futures.add(pool.submit(() -> run(input, worker)));
    }
    List<double[]> perThread = new ArrayList<>();
    for (Future<double[]> f : futures) {
      perThread.add(f.get());
    }
    pool.shutdown();
    double[] all = perThread.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
    double wallS = (System.nanoTime() - start) / 1e9;
    double mean = Arrays.stream(all).average().orElse(Double.NaN);
    double p50 = Stats.percentile(all, 50);
    ObjectNode json = new ObjectMapper().createObjectNode();
    json.put("bench", "augment");
    json.put("impl", "java");
    json.put("size", size);
    json.put("pad", pad);
    json.put("grid", grid);
    json.put("sigma", sigma);
    json.put("image_order", order.name().toLowerCase());
    json.put("threads", threads);
    json.put("n", all.length);
    json.put("ms_per_pair", round(p50));
    json.put("mean_ms", round(mean));
    json.put("p50_ms", round(p50));
    json.put("p90_ms", round(Stats.percentile(all, 90)));
    json.put("min_ms", round(all[0]));
    json.put("pairs_per_s", round(threads == 1 ? 1000.0 / p50 : (warmup + n) * threads / wallS));
    json.put("source", image == null ? "synthetic" : image.toString());
    System.out.println(json);
    return 0;
  }

  private ImageStack input() throws Exception {
    if (image == null) {
      Synthetic.Pair p = Synthetic.membranes(7, 0, size, size, 40, 0.1);
      return new ImageStack(p.image(), p.mask(), null);
    }
    ImageArray img = ImageCodec.decodeFirst(Files.readAllBytes(image));
    ImageArray msk = ImageCodec.decodeFirst(Files.readAllBytes(mask));
    ImageStack l = new ImageStack(img, msk, null);
    if (l.height() < size || l.width() < size) {
      l = l.map(a -> MirrorPadding.pad(a, 0, Math.max(0, size - a.height()), 0, Math.max(0, size - a.width()),
          Boundary.REFLECT));
    }
    Crops.Window w = Crops.Window.centered(l.height(), l.width(), size, size);
    return Crops.crop(l, w);
  }

  /** One worker: warm-up then timed pairs; returns milliseconds per timed pair. */
  private double[] run(ImageStack input, int worker) {
    double[] ms = new double[n];
    long checksum = 0;
    for (int i = 0; i < warmup + n; i++) {
      long t0 = System.nanoTime();
      ImageStack padded = input.map(a -> MirrorPadding.pad(a, pad, Boundary.REFLECT));
      ElasticWarp.Lattice lattice = ElasticWarp.Lattice.random(grid, sigma,
          CopyRandom.forCopy(42, "bench", worker * 1_000_000 + i, "ElasticDeform"));
      Crops.Window win = Crops.Window.centered(padded.height(), padded.width(), size, size);
      ImageStack out = ElasticWarp.deform(padded, lattice, order, win.y(), win.x(), win.height(), win.width());
      long t1 = System.nanoTime();
      checksum += Float.floatToIntBits(out.image().data()[i % out.image().data().length]);
      if (i >= warmup) {
        ms[i - warmup] = (t1 - t0) / 1e6;
      }
    }
    LOG.debug("worker {} checksum {}", worker, checksum);
    return ms;
  }

  /** One pair with an F32 image (no clamping / rounding), for an exact comparison with scipy. */
  private void dump(ImageStack input) throws java.io.IOException {
    Files.createDirectories(dump);
    ImageStack padded = input.map(a -> MirrorPadding.pad(a, pad, Boundary.REFLECT));
    ElasticWarp.Lattice lattice = ElasticWarp.Lattice.random(grid, sigma, CopyRandom.forCopy(42, "dump", 0, "ElasticDeform"));
    Crops.Window win = Crops.Window.centered(padded.height(), padded.width(), size, size);
    ImageStack f32 = new ImageStack(padded.image().withDepth(ImageArray.Depth.F32), padded.mask(), null);
    ImageStack out = ElasticWarp.deform(f32, lattice, order, win.y(), win.x(), win.height(), win.width());
    writeFloats(dump.resolve("padded_image.f32"), padded.image().data());
    writeFloats(dump.resolve("padded_mask.f32"), padded.mask().data());
    writeFloats(dump.resolve("out_image.f32"), out.image().data());
    writeFloats(dump.resolve("out_mask.f32"), out.mask().data());
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2 * grid * grid * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (double[][] d : new double[][][] {lattice.dy(), lattice.dx()}) {
      for (double[] row : d) {
        for (double v : row) {
          b.putDouble(v);
        }
      }
    }
    Files.write(dump.resolve("lattice.f64"), b.array());
    ObjectNode meta = new ObjectMapper().createObjectNode();
    meta.put("padded", padded.height()).put("size", size).put("grid", grid).put("y0", win.y()).put("x0", win.x())
        .put("order", order.name().toLowerCase());
    Files.writeString(dump.resolve("meta.json"), meta.toString());
    LOG.info("wrote a pair for bench/elastic_crosscheck.py to {}", dump);
  }

  private static void writeFloats(Path p, float[] v) throws java.io.IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    Files.write(p, b.array());
  }


  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
