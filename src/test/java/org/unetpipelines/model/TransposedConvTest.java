package org.unetpipelines.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Layers#transposedConv(String, org.tensorflow.Operand, int, int, int, int, long, long)}: the
 * Stacked U-Net decoder's 3x3 stride-2 transposed convolution, against PyTorch's
 * {@code conv_transpose2d(x, w, stride=2, padding=1, output_padding=op)} (values recorded from
 * PyTorch 1.13 with w[ci, co, a, b] = kernel[a, b, co, ci]).
 */
class TransposedConvTest {
  // NHWC [1, 2, 2, 2]: x[0, h, w, c] = 1 + (2h + w) * 2 + c
  private static final float[] X = {1, 2, 3, 4, 5, 6, 7, 8};
  // kernel [3, 3, 1, 2] row-major: ((5 i) mod 7) - 3
  private static final float[] K = {-3, 2, 0, -2, 3, 1, -1, -3, 2, 0, -2, 3, 1, -1, -3, 2, 0, -2};

  private static LayerHarness harness(long out) {
    return new LayerHarness(new long[] {1, 2, 2, 2}, Initializer.ONES,
        (l, x) -> Map.of("y", l.transposedConv("up", x, 3, 2, 1, 1, out, out)));
  }

  @Test
  void matchesPyTorchWithOutputPaddingOneAndZero() {
    try (LayerHarness h = harness(4)) {
      h.set("up/kernel", K);
      h.set("up/bias", 0.5f);
      assertArrayEquals(new long[] {-1, 4, 4, 1}, h.shape("y"));
      float[] want = {2, -11, 6, 6, -11, 11, -17, 21, 10, -23, 14, 10, -3, -13, -5, -16};
      for (int i = 0; i < want.length; i++) {
        want[i] += 0.5f;
      }
      assertArrayEquals(want, h.run("y", X), 1e-5f);
      h.assertScoped("y", "up");
    }
    try (LayerHarness h = harness(3)) {
      h.set("up/kernel", K);
      h.set("up/bias", 0f);
      assertArrayEquals(new float[] {2, -11, 6, -11, 11, -17, 10, -23, 14}, h.run("y", X), 1e-5f);
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    try (LayerHarness h = new LayerHarness(new long[] {1, 2, 2, 2}, Initializer.ONES, (l, x) -> Map.of("s",
        LayerHarness.probe(l.tf(), l.transposedConv("up", x, 3, 2, 1, 3, 3, 4), new long[] {1, 3, 4, 3})))) {
      float[] k = new float[3 * 3 * 3 * 2];
      for (int i = 0; i < k.length; i++) {
        k[i] = ((i * 5) % 7) / 7f - 0.4f;
      }
      h.set("up/kernel", k);
      h.checkGradient("s", X, 1e-2f, 2e-3f);
    }
  }

  @Test
  void rejectsOutputSizesTheStrideCannotGive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> harness(5).close());
    assertTrue(e.getMessage().contains("a 2-pixel input side gives 3..4 pixels (kernel 3, stride 2, padding 1), not 5"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> harness(2).close());
  }
}
