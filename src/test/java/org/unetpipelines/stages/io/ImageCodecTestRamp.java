package org.unetpipelines.stages.io;

import org.unetpipelines.image.ImageArray;

final class ImageCodecTestRamp {
  private ImageCodecTestRamp() {}

  static ImageArray ramp() {
    float[] v = new float[64 * 64];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * 37) % 256;
    }
    return ImageArray.wrap(64, 64, 1, ImageArray.Depth.U8, v);
  }
}
