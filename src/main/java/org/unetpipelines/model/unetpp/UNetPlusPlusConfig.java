package org.unetpipelines.model.unetpp;

import java.util.List;
import java.util.Locale;
import org.unetpipelines.engine.ConfigChecks;
import org.unetpipelines.engine.Param;
import org.unetpipelines.model.ModelConfig;
import org.unetpipelines.model.SegmentationModel;

/**
 * The typed config of UNet++ ({@code family: unetpp}, dense skips) and UNet+ ({@code family:
 * unetplus}, neighbour skips), as the original code builds them (MODELS.md §1): the YAML
 * {@code model:} mapping of those families.
 *
 * @param family {@code unetpp}: X^{i,j} reads X^{i,0..j-1}; {@code unetplus}: only X^{i,j-1}
 * @param filters filters per level f_0..f_4 (default 32, 64, 128, 256, 512)
 * @param dropout dropout rate after every 3x3 convolution's ReLU (the code: 0.5; 0 = none)
 * @param batchNorm batch norm after every 3x3 convolution (then it has no bias); the code has none
 * @param deepSupervision heads L1..L4 on X^{0,1..4}; without it the only head is on X^{0,4}
 * @param inferenceHead what inference serves: {@code ENSEMBLE} (mean of the heads' probabilities) or one
 *     head L1..L4; must be a head the network builds ({@code ENSEMBLE} of a single-head network is that head)
 * @param headLoss how the heads' losses combine in training: {@code SUM} (Keras) or {@code MEAN}
 * @param prune 0: the full network; d = 1..4: UNet++ L_d, only the nodes X^{i,j} with i + j <= d and the
 *     head on X^{0,d} (needs deep supervision: L_d is cut from a deeply supervised network)
 * @param classes 1 -> sigmoid foreground probability, >= 2 -> softmax over classes
 * @param inputChannels image channels
 */
public record UNetPlusPlusConfig(
    @Param(doc = "unetpp (dense skips X^{i,0..j-1}) | unetplus (neighbour skip X^{i,j-1} only)") String family,
    @Param(doc = "filters of the five levels X^{0,j} .. X^{4,j}", def = "[32, 64, 128, 256, 512]", min = 1,
        max = UNetPlusPlusConfig.MAX_FILTERS) List<Integer> filters,
    @Param(doc = "dropout rate after every 3x3 convolution (the original code: 0.5)", def = "0.5", min = 0,
        max = 0.95) float dropout,
    @Param(name = "batch_norm", doc = "batch norm after each 3x3 convolution (the original code: none)",
        def = "false") boolean batchNorm,
    @Param(name = "deep_supervision", doc = "heads L1..L4 on X^{0,1..4} (false: one head on X^{0,4})",
        def = "false") boolean deepSupervision,
    @Param(name = "inference_head", doc = "served at inference: ensemble (mean of the heads' probabilities) or"
        + " one head L1..L4", def = "ensemble") Head inferenceHead,
    @Param(name = "head_loss", doc = "training loss of several heads: sum (Keras) or mean of theirs",
        def = "sum") HeadLoss headLoss,
    @Param(doc = "0 = the full network; d = 1..4: UNet++ L_d, only the nodes with i + j <= d and head L_d"
        + " (needs deep_supervision)", def = "0", min = 0, max = UNetPlusPlusConfig.DEPTH) int prune,
    @Param(doc = "1 = sigmoid foreground probability, >= 2 = softmax classes", def = "1", min = 1,
        max = ModelConfig.MAX_CLASSES) int classes,
    @Param(name = "channels", doc = "image channels", def = "1", min = 1, max = ModelConfig.MAX_CHANNELS)
    int inputChannels)
    implements SegmentationModel, java.io.Serializable {

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

  public static final String UNETPP = "unetpp";
  public static final String UNETPLUS = "unetplus";
  /** Resolution levels X^{0,.} .. X^{4,.}. */
  public static final int LEVELS = 5;
  /** The deepest level: four 2x2 poolings. */
  public static final int DEPTH = LEVELS - 1;
  public static final List<Integer> DEFAULT_FILTERS = List.of(32, 64, 128, 256, 512);
  /** The original code's dropout after every convolution. */
  public static final float DEFAULT_DROPOUT = 0.5f;
  public static final float MAX_DROPOUT = 0.95f;
  /** Most filters of one level. */
  public static final int MAX_FILTERS = 2048;

  /** Every rule at once ({@link ConfigChecks}): all problems are reported together. */
  public UNetPlusPlusConfig {
    ConfigChecks c = new ConfigChecks();
    c.check(UNETPP.equals(family) || UNETPLUS.equals(family), "family must be unetpp or unetplus, got %s", family);
    if (c.check(filters != null && filters.size() == LEVELS,
        "filters must list %s levels (X^{0,j} .. X^{4,j}), e.g. [32, 64, 128, 256, 512], got %s", LEVELS, filters)) {
      boolean each = true;
      for (Integer f : filters) {
        each &= f != null && f >= 1 && f <= MAX_FILTERS;
      }
      if (c.check(each, "filters must be 1..%s per level, got %s", MAX_FILTERS, filters)) {
        filters = List.copyOf(filters);
      }
    }
    c.check(dropout >= 0f && dropout <= MAX_DROPOUT, "dropout must be in [0, %s], got %s", MAX_DROPOUT, dropout);
    boolean headOk = c.check(inferenceHead != null, "inference_head must be ensemble, L1, L2, L3 or L4");
    c.check(headLoss != null, "head_loss must be sum or mean");
    boolean pruneOk = c.check(prune >= 0 && prune <= DEPTH,
        "prune must be 0 (full network) or 1..4 (UNet++ L1..L4), got %s", prune);
    boolean supervisedOk = c.check(prune == 0 || deepSupervision,
        "prune %s needs deep_supervision: true (UNet++ L_d is cut from a deeply supervised network; without deep"
            + " supervision the only head is on X^{0,4})", prune);
    c.check(classes >= 1 && classes <= ModelConfig.MAX_CLASSES,
        "classes must be >= 1 (1 = sigmoid, >= 2 = softmax) and at most %s, got %s", ModelConfig.MAX_CLASSES, classes);
    c.check(inputChannels >= 1 && inputChannels <= ModelConfig.MAX_CHANNELS, "input channels must be 1..%s, got %s",
        ModelConfig.MAX_CHANNELS, inputChannels);
    if (headOk && pruneOk && supervisedOk) {
      boolean singleHead = prune > 0 || !deepSupervision;
      int deepest = prune > 0 ? prune : DEPTH;
      c.check(inferenceHead == Head.ENSEMBLE || !singleHead || inferenceHead.depth() == deepest,
          "inference_head %s is not built: %s has only the head L%s (allowed: ensemble, L%s)",
          inferenceHead.label(), prune > 0 ? "UNet++ pruned to L" + prune : "a network without deep supervision",
          deepest, deepest);
    }
    c.done();
  }


  /** UNet++ as the code builds it: filters 32..512, dropout 0.5, no batch norm, no deep supervision, 1 class. */
  public static UNetPlusPlusConfig unetpp() {
    return new UNetPlusPlusConfig(UNETPP, DEFAULT_FILTERS, DEFAULT_DROPOUT, false, false, Head.ENSEMBLE,
        HeadLoss.SUM, 0, 1, 1);
  }

  /** UNet+ (neighbour skips only), otherwise as {@link #unetpp()}. */
  public static UNetPlusPlusConfig unetplus() {
    return unetpp().withFamily(UNETPLUS);
  }

  @Override
  public UNetPlusPlus net() {
    return UNetPlusPlus.of(this);
  }

  /** {@code DENSE} for unetpp, {@code NEIGHBOUR} for unetplus. */
  public Skips skips() {
    return UNETPP.equals(family) ? Skips.DENSE : Skips.NEIGHBOUR;
  }

  /** The deepest node column built: d for UNet++ L_d, 4 for the full network. */
  public int builtDepth() {
    return prune > 0 ? prune : DEPTH;
  }

  /** Whether the network has one head (no deep supervision, or pruned). */
  public boolean singleHead() {
    return prune > 0 || !deepSupervision;
  }

  public UNetPlusPlusConfig withFamily(String f) {
    return new UNetPlusPlusConfig(f, filters, dropout, batchNorm, deepSupervision, inferenceHead, headLoss, prune,
        classes, inputChannels);
  }

  public UNetPlusPlusConfig withFilters(List<Integer> f) {
    return new UNetPlusPlusConfig(family, f, dropout, batchNorm, deepSupervision, inferenceHead, headLoss, prune,
        classes, inputChannels);
  }

  public UNetPlusPlusConfig withDropout(float rate) {
    return new UNetPlusPlusConfig(family, filters, rate, batchNorm, deepSupervision, inferenceHead, headLoss, prune,
        classes, inputChannels);
  }

  public UNetPlusPlusConfig withBatchNorm(boolean bn) {
    return new UNetPlusPlusConfig(family, filters, dropout, bn, deepSupervision, inferenceHead, headLoss, prune,
        classes, inputChannels);
  }

  public UNetPlusPlusConfig withDeepSupervision(boolean ds) {
    return new UNetPlusPlusConfig(family, filters, dropout, batchNorm, ds, inferenceHead, headLoss, prune, classes,
        inputChannels);
  }

  public UNetPlusPlusConfig withInferenceHead(Head h) {
    return new UNetPlusPlusConfig(family, filters, dropout, batchNorm, deepSupervision, h, headLoss, prune, classes,
        inputChannels);
  }

  public UNetPlusPlusConfig withHeadLoss(HeadLoss h) {
    return new UNetPlusPlusConfig(family, filters, dropout, batchNorm, deepSupervision, inferenceHead, h, prune,
        classes, inputChannels);
  }

  /**
   * UNet++ L_d of this (deeply supervised) network: same variables, only the nodes with i + j <= d,
   * serving head L_d. {@code d = 0}: the full network again (the inference head stays).
   */
  public UNetPlusPlusConfig withPrune(int d) {
    Head h = d >= 1 && d <= DEPTH ? Head.values()[d] : inferenceHead;
    return new UNetPlusPlusConfig(family, filters, dropout, batchNorm, deepSupervision, h, headLoss, d, classes,
        inputChannels);
  }

  public UNetPlusPlusConfig withClasses(int k) {
    return new UNetPlusPlusConfig(family, filters, dropout, batchNorm, deepSupervision, inferenceHead, headLoss, prune,
        k, inputChannels);
  }

  public UNetPlusPlusConfig withInputChannels(int c) {
    return new UNetPlusPlusConfig(family, filters, dropout, batchNorm, deepSupervision, inferenceHead, headLoss, prune,
        classes, c);
  }

  /** Lower-case enum name, as YAML writes it. */
  static String yaml(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
