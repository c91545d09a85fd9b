package org.unetpipelines.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auto.service.AutoService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.unetpipelines.engine.cli.BenchTarget;
import org.unetpipelines.eval.ChallengeMetrics;
import org.unetpipelines.eval.SegmentationMetrics;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.io.Globs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines bench eval-metrics --pred DIR --truth GLOB}: all segmentation metrics
 * ({@link SegmentationMetrics#compute}, 18 of them incl. 4-connected labelling, adapted Rand error
 * and VI) for each truth mask and the prediction of the same file name in DIR, timed per image (one
 * thread; median over repeats after one warm-up pass). {@code bench/metrics_skimage.py} runs the
 * scikit-image equivalent side by side and compares the values. The last line is a JSON object
 * with the timing and, per image, pixel_error, adapted_rand_error, vi_split and vi_merge. With
 * {@code --challenge} it also times the ISBI challenge's scores ({@link ChallengeMetrics#score}: 11
 * thresholds of watershed thinning, two contingency tables and the simple-point warping each) and
 * adds v_rand, v_info, rand_error_2012 and warping_error per image.
 */
@AutoService(BenchTarget.class)
@Command(name = "eval-metrics", mixinStandardHelpOptions = true,
    description = "Time the segmentation metrics (ISBI pixel error, Rand error, VI, IoU, ...) per image.")
public final class EvalMetricsBench implements BenchTarget {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--pred", required = true, description = "Folder of 8/16-bit probability PNGs named like the truth files.")
  Path pred;

  @Option(names = "--truth", required = true, description = "Truth masks: glob, folder or file.")
  String truth;

  @Option(names = "--repeat", defaultValue = "5", description = "Timed passes (default ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--challenge", description = "Also time the ISBI challenge scores (ChallengeMetrics).")
  boolean challenge;

  @Override
  public Integer call() throws Exception {
    List<Path> truths = Globs.match(truth);
    if (truths.isEmpty()) {
      spec.commandLine().getErr().println("eval-metrics: no truth files match '" + truth + "'");
      return 2;
    }
    List<ImageArray[]> pairs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Path t : truths) {
      Path p = pred.resolve(t.getFileName());
      if (!Files.isRegularFile(p)) {
        spec.commandLine().getErr().println("eval-metrics: no prediction " + p + " for " + t);
        return 2;
      }
      pairs.add(new ImageArray[] {ImageCodec.decodeFirst(Files.readAllBytes(p)),
          ImageCodec.decodeFirst(Files.readAllBytes(t))});
      names.add(t.getFileName().toString());
    }
    ObjectMapper om = new ObjectMapper();
    ObjectNode values = om.createObjectNode();
    for (int i = 0; i < pairs.size(); i++) { // warm-up pass, keeps the values
      Map<String, Double> m = SegmentationMetrics.compute(pairs.get(i)[0], pairs.get(i)[1], 0.5);
      ObjectNode v = values.putObject(names.get(i));
      for (String k : List.of("pixel_error", "adapted_rand_error", "vi_split", "vi_merge", "iou", "dice")) {
        v.put(k, m.get(k));
      }
      if (challenge) {
        challenge(pairs.get(i)).values().forEach(v::put);
      }
    }
    double[] msPerImage = new double[repeat];
    double sink = 0;
    for (int r = 0; r < repeat; r++) {
      long t0 = System.nanoTime();
      for (ImageArray[] pair : pairs) {
        sink += SegmentationMetrics.compute(pair[0], pair[1], 0.5).get("vi_merge");
      }
      msPerImage[r] = (System.nanoTime() - t0) / 1e6 / pairs.size();
    }
    double[] sorted = msPerImage.clone();
    Arrays.sort(sorted);
    ObjectNode out = om.createObjectNode();
    if (challenge) {
      double[] challengeMs = new double[repeat];
      for (int r = 0; r < repeat; r++) {
        long t0 = System.nanoTime();
        for (ImageArray[] pair : pairs) {
          sink += challenge(pair).vRand()[5];
        }
        challengeMs[r] = (System.nanoTime() - t0) / 1e6 / pairs.size();
      }
      Arrays.sort(challengeMs);
      out.put("challenge_ms_per_image_median", challengeMs[repeat / 2]);
    }
    out.put("bench", "eval-metrics").put("images", pairs.size()).put("height", pairs.get(0)[1].height())
        .put("width", pairs.get(0)[1].width()).put("repeat", repeat)
        .put("ms_per_image_median", sorted[repeat / 2]).put("checksum", sink);
    out.set("values", values);
    spec.commandLine().getOut().println(out.toString());
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static ChallengeMetrics.Slice challenge(ImageArray[] pair) {
    return ChallengeMetrics.score(SegmentationMetrics.probabilities(pair[0]), SegmentationMetrics.foreground(pair[1]),
        pair[1].height(), pair[1].width());
  }
}
