package org.unetpipelines.model;

/**
 * The serving contract between training (which exports SavedModels) and evaluation (which loads
 * them): tag, signature, input and output keys. Models with several heads (UNet++ with deep
 * supervision) serve the chosen head as {@link #OUTPUT} and every head as {@link #headOutput}; the
 * head names are listed in {@code model.json} under {@code serving.heads}.
 */
public final class Serving {
  private Serving() {}

  /** SavedModel tag. */
  public static final String TAG = "serve";
  /** Signature key. */
  public static final String SIGNATURE = "serving_default";
  /** Input key: float32 [N, H, W, C] in [0, 1]. */
  public static final String INPUT = "image";
  /** Output key of the served (default) head: probabilities [N, H', W', K]. */
  public static final String OUTPUT = "probabilities";

  /** Output key of a named head, e.g. {@code probabilities_L2} or {@code probabilities_ensemble}. */
  public static String headOutput(String head) {
    return OUTPUT + "_" + head;
  }
}
