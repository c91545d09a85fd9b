package org.unetpipelines.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.unetpipelines.image.ImageArray;

class InferenceModeTest {
  static Predictor shape(int in, int out) {
    return new Predictor() {
      public int inputHeight() { return in; }
      public int inputWidth() { return in; }
      public int inputChannels() { return 1; }
      public int outputHeight() { return out; }
      public int outputWidth() { return out; }
      public int classes() { return 1; }
      public float[][] predict(float[][] tiles) { throw new UnsupportedOperationException(); }
    };
  }

  @Test
  void autoPicksOverlapTileForValidAndSlidingWindowForSamePadding() {
    assertEquals(InferenceMode.OVERLAP_TILE, InferenceMode.AUTO.resolve(shape(572, 388)));
    assertEquals(InferenceMode.SLIDING_WINDOW, InferenceMode.AUTO.resolve(shape(128, 128)));
    assertEquals(InferenceMode.OVERLAP_TILE, InferenceMode.OVERLAP_TILE.resolve(shape(128, 128)));
  }

  @Test
  void normalizedIsATrueDivision() {
    float[] v = new float[256];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    float[] n = ImageArray.wrap(16, 16, 1, ImageArray.Depth.U8, v).normalized();
    for (int i = 0; i < n.length; i++) {
      assertEquals(i / 255f, n[i], 0f, "value " + i);
    }
    assertEquals(0.2f, n[51], 0f);
  }
}
