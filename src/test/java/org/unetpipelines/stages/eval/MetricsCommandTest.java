package org.unetpipelines.stages.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import picocli.CommandLine;

class MetricsCommandTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(command);
    cl.setCaseInsensitiveEnumValuesAllowed(true); // as Main does
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path png(String name, int h, int w, ImageArray.Depth depth, float... values) throws Exception {
    Path p = tmp.resolve(name);
    Files.write(p, ImageCodec.encodePng(ImageArray.wrap(h, w, 1, depth, values)));
    return p;
  }

  @Test
  void printsOneJsonObjectWithTheIsbiMetrics() throws Exception {
    // 16-bit prediction: 1.0, 0.6, 0.4, 0.0 against truth 1 1 0 0 -> at 0.5 tp 2, tn 2.
    Path pred = png("p.png", 2, 2, ImageArray.Depth.U16, 65535, 39321, 26214, 0);
    Path truth = png("t.png", 2, 2, ImageArray.Depth.U8, 255, 255, 0, 0);
    Run r = run(new MetricsCommand(), "--pred", pred.toString(), "--truth", truth.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(0.0, j.get("pixel_error").asDouble(), 1e-12);
    assertEquals(1.0, j.get("iou").asDouble(), 1e-12);
    assertEquals(1.0, j.get("dice").asDouble(), 1e-12);
    assertEquals(0.0, j.get("adapted_rand_error").asDouble(), 1e-12);
    assertEquals(0.0, j.get("vi_split").asDouble(), 1e-12);
    assertEquals(0.0, j.get("vi_merge").asDouble(), 1e-12);
    // One truth cell (pixels 0, 1): perfect at t = 0.5..; V_info is 0 by the challenge's convention
    // (H(truth) = 0 with a single segment).
    assertEquals(1.0, j.get("v_rand").asDouble(), 1e-12);
    assertEquals(0.0, j.get("v_info").asDouble(), 1e-12);
    assertEquals(0.0, j.get("rand_error_2012").asDouble(), 1e-12);
    assertEquals(0.0, j.get("warping_error").asDouble(), 1e-12);
    // At threshold 0.7 the 0.6 pixel is lost: IoU 1/2.
    r = run(new MetricsCommand(), "--pred", pred.toString(), "--truth", truth.toString(), "--threshold", "0.7");
    assertEquals(0.5, new ObjectMapper().readTree(r.out()).get("iou").asDouble(), 1e-12);
  }

  @Test
  void challengeScoresAreTheBestOverThresholds() throws Exception {
    // 1x5 truth: two cells {0, 1} and {3, 4}; the gap pixel 2 has p = 0.4 (102/255 = 0.4f, and
    // 0.4f > 0.4 in double): the cells are merged for t <= 0.4 and separate from 0.5 on.
    Path pred = png("p.png", 1, 5, ImageArray.Depth.U8, 255, 255, 102, 255, 255);
    Path truth = png("t.png", 1, 5, ImageArray.Depth.U8, 255, 255, 0, 255, 255);
    Run r = run(new MetricsCommand(), "--pred", pred.toString(), "--truth", truth.toString(), "--threshold", "0.3");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(1.0, j.get("v_rand").asDouble(), 1e-12);
    assertEquals(1.0, j.get("v_info").asDouble(), 1e-12);
    assertEquals(0.0, j.get("warping_error").asDouble(), 1e-12);
    // the threshold-bound metrics see the merge at 0.3: one segment for two true ones
    assertTrue(j.get("adapted_rand_error").asDouble() > 0.3, r.out());
  }

  @Test
  void reportsMissingFilesSizeMismatchAndBadThreshold() throws Exception {
    Path pred = png("p.png", 2, 3, ImageArray.Depth.U8, 0, 0, 0, 0, 0, 0);
    Path truth = png("t.png", 3, 2, ImageArray.Depth.U8, 0, 0, 0, 0, 0, 0);
    Run r = run(new MetricsCommand(), "--pred", tmp.resolve("nope.png").toString(), "--truth", truth.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--pred " + tmp.resolve("nope.png") + ": no such file"), r.err());
    r = run(new MetricsCommand(), "--pred", pred.toString(), "--truth", truth.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("is 3x2 (WxH) but --truth " + truth + " is 2x3; they must have the same size"), r.err());
    r = run(new MetricsCommand(), "--pred", pred.toString(), "--truth", pred.toString(), "--threshold", "2");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--threshold must be in [0, 1], got 2.0"), r.err());
    Path text = Files.writeString(tmp.resolve("x.png"), "not an image");
    r = run(new MetricsCommand(), "--pred", text.toString(), "--truth", truth.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--pred " + text + ": not a PNG, JPEG or TIFF image"), r.err());
  }
}
