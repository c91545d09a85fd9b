package org.unetpipelines.stages.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auto.service.AutoService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.unetpipelines.engine.cli.CliCommand;
import org.unetpipelines.eval.ChallengeMetrics;
import org.unetpipelines.eval.SegmentationMetrics;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.ImageDecodeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code unet-pipelines metrics --pred P.png --truth T.png}: the segmentation metrics of one
 * probability map against one mask, printed as one JSON object: those of {@link SegmentationMetrics}
 * (at {@code --threshold}) and the ISBI challenge's {@link ChallengeMetrics} ({@code v_rand},
 * {@code v_info}, {@code rand_error_2012}, {@code warping_error}; each the best over the challenge's
 * thresholds 0.0 ... 1.0).
 */
@AutoService(CliCommand.class)
@Command(name = "metrics", mixinStandardHelpOptions = true,
    description = "Segmentation metrics of a probability map against a truth mask, as one JSON object "
        + "(pixel_error, iou, dice, adapted_rand_error, vi_split, vi_merge, ...; the ISBI challenge's v_rand, "
        + "v_info, rand_error_2012 and warping_error, best over thresholds 0.0..1.0).")
public final class MetricsCommand implements CliCommand, Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--pred", required = true,
      description = "Probability map: 8- or 16-bit grayscale PNG/TIFF, probability = value / 255 or / 65535.")
  Path pred;

  @Option(names = "--truth", required = true, description = "Truth mask: foreground (cell) = value > 0.")
  Path truth;

  @Option(names = "--threshold", defaultValue = "0.5",
      description = "Binarisation threshold for everything but pixel_error and the challenge scores (p > t), "
          + "in [0, 1]; default ${DEFAULT-VALUE}.")
  double threshold;

  @Override
  public Integer call() {
    try {
      ImageArray p = read(pred, "--pred");
      ImageArray t = read(truth, "--truth");
      if (p.channels() != 1) {
        return fail("--pred " + pred + " has " + p.channels() + " channels; a probability map must be grayscale");
      }
      if (!p.sameSize(t)) {
        return fail("--pred " + pred + " is " + p.width() + "x" + p.height() + " (WxH) but --truth " + truth
            + " is " + t.width() + "x" + t.height() + "; they must have the same size");
      }
      if (threshold < 0 || threshold > 1) {
        return fail("--threshold must be in [0, 1], got " + threshold);
      }
      Map<String, Double> m = SegmentationMetrics.compute(p, t, threshold);
      ObjectNode json = new ObjectMapper().createObjectNode();
      json.put("pred", pred.toString()).put("truth", truth.toString())
          .put("height", p.height()).put("width", p.width()).put("threshold", threshold);
      m.forEach(json::put);
      ChallengeMetrics.score(SegmentationMetrics.probabilities(p), SegmentationMetrics.foreground(t), p.height(),
          p.width()).values().forEach(json::put);
      spec.commandLine().getOut().println(json.toString());
      spec.commandLine().getOut().flush();
      return 0;
    } catch (BadInput e) {
      return fail(e.getMessage());
    }
  }

  private int fail(String message) {
    spec.commandLine().getErr().println("metrics: " + message);
    spec.commandLine().getErr().flush();
    return 2;
  }

  private static ImageArray read(Path file, String option) throws BadInput {
    if (!Files.isRegularFile(file)) {
      throw new BadInput(option + " " + file + ": no such file");
    }
    try {
      return ImageCodec.decodeFirst(Files.readAllBytes(file));
    } catch (ImageDecodeException | IOException e) {
      throw new BadInput(option + " " + file + ": " + e.getMessage());
    }
  }

  private static final class BadInput extends Exception {
    BadInput(String message) {
      super(message);
    }
  }
}
