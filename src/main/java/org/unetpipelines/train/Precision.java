package org.unetpipelines.train;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * Arithmetic precision of training and inference on the CPU: {@code fp32}, or {@code bf16} =
 * TensorFlow's oneDNN bfloat16 auto-mixed precision (grappler rewrites eligible ops — convolutions,
 * matmuls — to bfloat16 with float32 variables and losses; no graph change). Fast on cores with
 * AVX-512-BF16 / AMX-BF16; see BENCHMARKS.md for what it gives on this machine.
 */
public enum Precision {
  FP32,
  BF16;

  /** Sets the grappler rewrite this precision needs on {@code b}. */
  public ConfigProto.Builder apply(ConfigProto.Builder b) {
    if (this == BF16) {
      b.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(RewriterConfig.newBuilder()
          .setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON)));
    }
    return b;
  }
}
