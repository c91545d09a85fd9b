package org.unetpipelines.model.unetpp;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Locale;

/**
 * The typed config of UNet++ (family {@code unetpp}) and UNet+ (family {@code unetplus}), as the
 * original code builds them (MODELS.md §1).
 *
 * @param filters filters per level f_0..f_4 (default 32, 64, 128, 256, 512)
 * @param dropout dropout rate after every 3x3 convolution's ReLU (the code: 0.5; 0 = none)
 * @param batchNorm batch norm after every 3x3 convolution (then it has no bias); the code has none
 * @param skips {@code DENSE}: X^{i,j} reads X^{i,0..j-1} (UNet++); {@code NEIGHBOUR}: only X^{i,j-1} (UNet+)
 * @param deepSupervision heads L1..L4 on X^{0,1..4}; without it the only head is on X^{0,4}
 * @param inferenceHead what inference serves: {@code ENSEMBLE} (mean of the heads' probabilities) or one
 *     head L1..L4; must be a head the network builds ({@code ENSEMBLE} of a single-head network is that head)
 * @param headLoss how the heads' losses combine in training: {@code SUM} (Keras) or {@code MEAN}
 * @param prune 0: the full network; d = 1..4: UNet++ L_d, only the nodes X^{i,j} with i + j <= d and the
 *     head on X^{0,d} (needs deep supervision: L_d is cut from a deeply supervised network)
 * @param classes 1 -> sigmoid foreground probability, >= 2 -> softmax over classes
 * @param inputChannels image channels
 */
public record UNetPlusPlusConfig(List<Integer> filters, float dropout, boolean batchNorm, Skips skips,
    boolean deepSupervision, Head inferenceHead, HeadLoss headLoss, int prune, int classes, int inputChannels)
    implements java.io.Serializable {

  /** Which earlier nodes of its level a skip-pathway node X^{i,j} concatenates. */
  public enum Skips {
    /** UNet++: X^{i,0}, ..., X^{i,j-1}. */
    DENSE,
    /** UNet+: X^{i,j-1} only. */
    NEIGHBOUR
  }

  /** The inference head: the mean of the heads' probabilities, or the head on X^{0,d}. */
  public enum Head {
    ENSEMBLE,
    L1,
    L2,
    L3,
    L4;

    /** {@code ensemble} or the head name {@code L1..L4}. */
    public String label() {
      return this == ENSEMBLE ? "ensemble" : name();
    }

    /** The depth d of head L_d (0 for the ensemble). */
    public int depth() {
      return ordinal();
    }
  }

  /** How the heads' training losses combine. */
  public enum HeadLoss {
    SUM,
    MEAN
  }

  public static final List<Integer> DEFAULT_FILTERS = List.of(32, 64, 128, 256, 512);
  /** The original code's dropout after every convolution. */
  public static final float DEFAULT_DROPOUT = 0.5f;

  public UNetPlusPlusConfig {
    filters = Nodes.checkedFilters(filters);
    checkArgument(dropout >= 0f && dropout < 1f, "dropout must be in [0, 1), got %s", dropout);
    checkArgument(skips != null, "skips must be dense (unetpp) or neighbour (unetplus)");
    checkArgument(inferenceHead != null, "inference_head must be ensemble, L1, L2, L3 or L4");
    checkArgument(headLoss != null, "head_loss must be sum or mean");
    checkArgument(prune >= 0 && prune <= Nodes.DEPTH, "prune must be 0 (full network) or 1..4 (UNet++ L1..L4), got %s",
        prune);
    checkArgument(prune == 0 || deepSupervision,
        "prune %s needs deep_supervision: true (UNet++ L_d is cut from a deeply supervised network; without deep"
            + " supervision the only head is on X^{0,4})", prune);
    checkArgument(classes >= 1, "classes must be >= 1 (1 = sigmoid, >= 2 = softmax), got %s", classes);
    checkArgument(inputChannels >= 1 && inputChannels <= 4, "input channels must be 1..4, got %s", inputChannels);
    int deepest = prune > 0 ? prune : Nodes.DEPTH;
    boolean singleHead = prune > 0 || !deepSupervision;
    checkArgument(inferenceHead == Head.ENSEMBLE || !singleHead || inferenceHead.depth() == deepest,
        "inference_head %s is not built: %s has only the head L%s (allowed: ensemble, L%s)",
        inferenceHead.label(), prune > 0 ? "UNet++ pruned to L" + prune : "a network without deep supervision",
        deepest, deepest);
  }

  /** UNet++ as the code builds it: filters 32..512, dropout 0.5, no batch norm, no deep supervision, 1 class. */
  public static UNetPlusPlusConfig unetpp() {
    return new UNetPlusPlusConfig(DEFAULT_FILTERS, DEFAULT_DROPOUT, false, Skips.DENSE, false, Head.ENSEMBLE,
        HeadLoss.SUM, 0, 1, 1);
  }

  /** UNet+ (neighbour skips only), otherwise as {@link #unetpp()}. */
  public static UNetPlusPlusConfig unetplus() {
    return unetpp().withSkips(Skips.NEIGHBOUR);
  }

  /** {@code unetpp} or {@code unetplus}. */
  public String family() {
    return skips == Skips.DENSE ? "unetpp" : "unetplus";
  }

  /** The deepest node column built: d for UNet++ L_d, 4 for the full network. */
  public int builtDepth() {
    return prune > 0 ? prune : Nodes.DEPTH;
  }

  /** Whether the network has one head (no deep supervision, or pruned). */
  public boolean singleHead() {
    return prune > 0 || !deepSupervision;
  }

  public UNetPlusPlusConfig withFilters(List<Integer> f) {
    return new UNetPlusPlusConfig(f, dropout, batchNorm, skips, deepSupervision, inferenceHead, headLoss, prune,
        classes, inputChannels);
  }

  public UNetPlusPlusConfig withDropout(float rate) {
    return new UNetPlusPlusConfig(filters, rate, batchNorm, skips, deepSupervision, inferenceHead, headLoss, prune,
        classes, inputChannels);
  }

  public UNetPlusPlusConfig withBatchNorm(boolean bn) {
    return new UNetPlusPlusConfig(filters, dropout, bn, skips, deepSupervision, inferenceHead, headLoss, prune,
        classes, inputChannels);
  }

  public UNetPlusPlusConfig withSkips(Skips s) {
    return new UNetPlusPlusConfig(filters, dropout, batchNorm, s, deepSupervision, inferenceHead, headLoss, prune,
        classes, inputChannels);
  }

  public UNetPlusPlusConfig withDeepSupervision(boolean ds) {
    return new UNetPlusPlusConfig(filters, dropout, batchNorm, skips, ds, inferenceHead, headLoss, prune, classes,
        inputChannels);
  }

  public UNetPlusPlusConfig withInferenceHead(Head h) {
    return new UNetPlusPlusConfig(filters, dropout, batchNorm, skips, deepSupervision, h, headLoss, prune, classes,
        inputChannels);
  }

  public UNetPlusPlusConfig withHeadLoss(HeadLoss h) {
    return new UNetPlusPlusConfig(filters, dropout, batchNorm, skips, deepSupervision, inferenceHead, h, prune,
        classes, inputChannels);
  }

  /**
   * UNet++ L_d of this (deeply supervised) network: same variables, only the nodes with i + j <= d,
   * serving head L_d. {@code d = 0}: the full network again (the inference head stays).
   */
  public UNetPlusPlusConfig withPrune(int d) {
    Head h = d >= 1 && d <= Nodes.DEPTH ? Head.values()[d] : inferenceHead;
    return new UNetPlusPlusConfig(filters, dropout, batchNorm, skips, deepSupervision, h, headLoss, d, classes,
        inputChannels);
  }

  public UNetPlusPlusConfig withClasses(int k) {
    return new UNetPlusPlusConfig(filters, dropout, batchNorm, skips, deepSupervision, inferenceHead, headLoss, prune,
        k, inputChannels);
  }

  public UNetPlusPlusConfig withInputChannels(int c) {
    return new UNetPlusPlusConfig(filters, dropout, batchNorm, skips, deepSupervision, inferenceHead, headLoss, prune,
        classes, c);
  }

  /** Lower-case enum name, as YAML writes it. */
  static String yaml(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
