package org.unetpipelines.train;

import java.util.List;
import java.util.Map;
import org.unetpipelines.engine.ConfigBinder;
import org.unetpipelines.engine.ConfigChecks;
import org.unetpipelines.engine.Param;
import org.unetpipelines.model.WeightInit;

/**
 * How to train: the training keys of the YAML {@code Train} stage (inlined into its config) and of
 * the API. The {@code @Param} defaults are the only defaults: {@link #defaults} reads them.
 */
public record TrainConfig(
    @Param(doc = "input tile height; larger samples are cropped at a seeded random position (validation: centre)",
        min = 1, max = TrainConfig.MAX_SIDE) int height,
    @Param(doc = "input tile width", min = 1, max = TrainConfig.MAX_SIDE) int width,
    @Param(doc = "the segmentation loss (cross_entropy is weighted by the samples' weight maps)", def = "cross_entropy")
    LossKind loss,
    @Param(doc = "momentum (SGD) | adam", def = "momentum") OptimizerKind optimizer,
    @Param(name = "learning_rate", doc = "base learning rate", def = "0.01", min = 0, minExclusive = true,
        max = TrainConfig.MAX_LEARNING_RATE) double learningRate,
    @Param(doc = "SGD momentum (the paper: 0.99)", def = "0.99", min = 0, max = 1, maxExclusive = true)
    double momentum,
    @Param(doc = "Nesterov momentum", def = "false") boolean nesterov,
    @Param(name = "adam_beta1", doc = "Adam beta1", def = "0.9", min = 0, max = 1, maxExclusive = true) double beta1,
    @Param(name = "adam_beta2", doc = "Adam beta2", def = "0.999", min = 0, max = 1, maxExclusive = true) double beta2,
    @Param(name = "adam_epsilon", doc = "Adam epsilon", def = "1e-7", min = 0, minExclusive = true, max = 1)
    double epsilon,
    @Param(doc = "learning-rate schedule", def = "constant") LearningRateSchedule.Kind schedule,
    @Param(name = "decay_rate", doc = "exponential, step: factor per decay_steps; multi_step: factor at each boundary",
        def = "0.96", min = 0, minExclusive = true, max = 1) double decayRate,
    @Param(name = "decay_steps", doc = "exponential, step: steps per decay_rate factor", def = "1000", min = 1,
        max = TrainConfig.MAX_STEPS) long decaySteps,
    @Param(doc = "multi_step: the steps at which the rate is multiplied by decay_rate, strictly increasing "
        + "(He et al.: [32000, 48000] with decay_rate 0.1)", def = "[]", min = 1, max = TrainConfig.MAX_STEPS)
    List<Long> boundaries,
    @Param(name = "plateau_factor", doc = "plateau: multiplier when the monitored metric stalls", def = "0.5",
        min = 0, minExclusive = true, max = 1, maxExclusive = true) double plateauFactor,
    @Param(name = "plateau_patience", doc = "plateau: epochs without improvement before reducing (0: after any "
        + "epoch without improvement)", def = "3", min = 0, max = TrainConfig.MAX_EPOCHS) int plateauPatience,
    @Param(name = "min_learning_rate", doc = "plateau: lower bound of the rate", def = "1e-6", min = 0,
        max = TrainConfig.MAX_LEARNING_RATE) double minLearningRate,
    @Param(name = "weight_decay", doc = "L2 penalty lambda * sum(w^2) over conv and dense kernels (Keras l2(lambda); "
        + "PyTorch SGD weight_decay = 2 lambda); default: the task's (classification 1e-4; segmentation none)",
        def = Param.NULL, min = 0, max = 1) Double weightDecay,
    @Param(name = "crop_padding", doc = "classification: zero-pad this many pixels per side, then cut a random "
        + "height x width window (validation: the centre)", def = "0", min = 0, max = TrainConfig.MAX_CROP_PADDING)
    int cropPadding,
    @Param(doc = "classification: random training flips, each with probability 0.5: none | horizontal | vertical | "
        + "both", def = "none") FlipMode flip,
    @Param(doc = "classification: random training rotation, uniform in [-rotation, rotation] degrees (linear "
        + "interpolation, mirrored corners)", def = "0.0", min = 0, max = 180) double rotation,
    @Param(name = "batch", doc = "samples per step (the paper: 1)", def = "1", min = 1, max = TrainConfig.MAX_BATCH)
    int batchSize,
    @Param(name = "shuffle_buffer", doc = "shuffle buffer in samples (0 or 1 = no shuffling)", def = "64", min = 0,
        max = TrainConfig.MAX_SHUFFLE_BUFFER) int shuffleBuffer,
    @Param(doc = "batches prepared ahead by the background thread", def = "4", min = 1, max = 64) int prefetch,
    @Param(doc = "total training steps", def = "1000", min = 1, max = TrainConfig.MAX_STEPS) long steps,
    @Param(name = "early_stopping", doc = "stop after this many epochs without validation improvement (0 = off)",
        def = "0", min = 0, max = TrainConfig.MAX_EPOCHS) int earlyStoppingPatience,
    @Param(name = "min_delta", doc = "smaller improvements do not count (early stopping, plateau)", def = "0.0",
        min = 0, max = 1e6) double minDelta,
    @Param(name = "checkpoint_every", doc = "write a checkpoint every N steps (0 = only at the end)", def = "0",
        min = 0, max = TrainConfig.MAX_STEPS) long checkpointEvery,
    @Param(name = "keep_checkpoints", doc = "how many recent checkpoints to keep (resume falls back to older ones)",
        def = "2", min = 1, max = 1000) int keepCheckpoints,
    @Param(doc = "continue from the newest good checkpoint in the output folder when there is one", def = "true")
    boolean resume,
    @Param(doc = "seeds initial weights, shuffling, crops and dropout (the stage sets the pipeline's or its own)",
        def = "42", internal = true, min = Long.MIN_VALUE, max = Long.MAX_VALUE) long seed,
    @Param(doc = "weight initializer: paper = N(0, sqrt(2/N))", def = "paper") WeightInit initializer,
    @Param(doc = "cpu | gpu", def = "cpu") Device device,
    @Param(doc = "fp32 | bf16 (oneDNN bfloat16 auto-mixed precision on the CPU)", def = "fp32") Precision precision,
    @Param(name = "threads", doc = "TensorFlow intra-op threads (0 = all cores)", def = "0", min = 0,
        max = TrainConfig.MAX_THREADS) int intraOpThreads,
    @Param(name = "inter_threads", doc = "TensorFlow inter-op threads (0 = TensorFlow's choice)", def = "0", min = 0,
        max = TrainConfig.MAX_THREADS) int interOpThreads,
    @Param(name = "log_every", doc = "steps between progress lines", def = "10", min = 1, max = TrainConfig.MAX_STEPS)
    int logEvery,
    @Param(name = "validate_on", doc = "center_tile: the task's validation on each sample's centre window (loss, "
        + "iou); whole_image (segmentation): that plus every validation image predicted whole by the evaluation's "
        + "tiled inference and scored as Evaluate does (v_rand, v_info, rand_error_2012, pixel_error, "
        + "warping_error, iou, dice)", def = "center_tile") ValidationMode validateOn,
    @Param(name = "validate_every", doc = "validate after every N-th epoch (and at the end), >= 1; early stopping "
        + "and the plateau schedule count validations", def = "1", min = 1, max = 1_000_000) int validateEvery,
    @Param(name = "select_by", doc = "export the checkpoint with the best value of this validation metric "
        + "(higher is better for iou, dice, v_rand, v_info, top1, top5, accuracy; lower for loss, pixel_error, "
        + "rand_error_2012, warping_error) instead of the last weights, recorded in model.json; it is also "
        + "what early stopping and the plateau schedule monitor; default: none (the last weights)",
        def = Param.NULL) String selectBy)
    implements java.io.Serializable {

  /** Largest accepted input side (a 16384 x 16384 float tile is 1 GiB). */
  public static final int MAX_SIDE = 16384;
  /** Most training steps (and any step count: decay_steps, boundaries, checkpoint_every, log_every): 10^9. */
  public static final long MAX_STEPS = 1_000_000_000L;
  /** Most epochs of patience (early stopping, plateau). */
  public static final int MAX_EPOCHS = 100_000;
  /** Largest base / minimum learning rate. */
  public static final double MAX_LEARNING_RATE = 10;
  /** Most samples per step. */
  public static final int MAX_BATCH = 4096;
  /** Most samples held by the shuffle buffer. */
  public static final int MAX_SHUFFLE_BUFFER = 1_000_000;
  /** Largest classification crop padding per side, pixels. */
  public static final int MAX_CROP_PADDING = 1024;
  /** Most TensorFlow threads of either pool. */
  public static final int MAX_THREADS = 1024;

  /** Every rule at once ({@link ConfigChecks}): all problems of a config are reported together. */
  public TrainConfig {
    ConfigChecks c = new ConfigChecks();
    c.check(height > 0 && width > 0 && height <= MAX_SIDE && width <= MAX_SIDE,
        "input size must be 1..%s on each side, got %sx%s", MAX_SIDE, height, width);
    c.check(loss != null && optimizer != null && schedule != null && initializer != null && device != null
        && precision != null, "loss, optimizer, schedule, initializer, device and precision must be set");
    c.check(learningRate > 0 && learningRate <= MAX_LEARNING_RATE, "learning_rate must be in (0, %s], got %s",
        (long) MAX_LEARNING_RATE, learningRate);
    c.check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got %s", momentum);
    c.check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam betas must be in [0, 1), got %s, %s",
        beta1, beta2);
    c.check(epsilon > 0 && epsilon <= 1, "adam_epsilon must be in (0, 1], got %s", epsilon);
    c.check(decayRate > 0 && decayRate <= 1, "decay_rate must be in (0, 1], got %s", decayRate);
    c.check(decaySteps >= 1 && decaySteps <= MAX_STEPS, "decay_steps must be 1..%s, got %s", MAX_STEPS, decaySteps);
    c.check(plateauFactor > 0 && plateauFactor < 1, "plateau_factor must be in (0, 1), got %s", plateauFactor);
    c.check(plateauPatience >= 0 && plateauPatience <= MAX_EPOCHS, "plateau_patience must be 0..%s, got %s",
        MAX_EPOCHS, plateauPatience);
    c.check(minLearningRate >= 0 && minLearningRate <= MAX_LEARNING_RATE, "min_learning_rate must be in [0, %s], got %s",
        (long) MAX_LEARNING_RATE, minLearningRate);
    if (c.check(boundaries != null, "boundaries must be a list (empty: none)")) {
      boundaries = List.copyOf(boundaries);
      for (Long b : boundaries) {
        c.check(b != null && b >= 1 && b <= MAX_STEPS, "boundaries must be steps 1..%s, got %s", MAX_STEPS, b);
      }
    }
    c.check(weightDecay == null || (weightDecay >= 0 && weightDecay <= 1),
        "weight_decay must be in [0, 1], got %s", weightDecay);
    c.check(cropPadding >= 0 && cropPadding <= MAX_CROP_PADDING, "crop_padding must be 0..%s, got %s",
        MAX_CROP_PADDING, cropPadding);
    c.check(flip != null, "flip must be none, horizontal, vertical or both");
    c.check(rotation >= 0 && rotation <= 180, "rotation must be in [0, 180] degrees, got %s", rotation);
    c.check(batchSize >= 1 && batchSize <= MAX_BATCH, "batch must be 1..%s, got %s", MAX_BATCH, batchSize);
    c.check(shuffleBuffer >= 0 && shuffleBuffer <= MAX_SHUFFLE_BUFFER, "shuffle_buffer must be 0..%s, got %s",
        MAX_SHUFFLE_BUFFER, shuffleBuffer);
    c.check(prefetch >= 1 && prefetch <= 64, "prefetch must be 1..64, got %s", prefetch);
    c.check(steps >= 1 && steps <= MAX_STEPS, "steps must be 1..%s, got %s", MAX_STEPS, steps);
    c.check(earlyStoppingPatience >= 0 && earlyStoppingPatience <= MAX_EPOCHS, "early_stopping must be 0..%s, got %s",
        MAX_EPOCHS, earlyStoppingPatience);
    c.check(minDelta >= 0 && minDelta <= 1e6, "min_delta must be in [0, 1000000], got %s", minDelta);
    c.check(checkpointEvery >= 0 && checkpointEvery <= MAX_STEPS, "checkpoint_every must be 0..%s, got %s",
        MAX_STEPS, checkpointEvery);
    c.check(keepCheckpoints >= 1 && keepCheckpoints <= 1000, "keep_checkpoints must be 1..1000, got %s",
        keepCheckpoints);
    c.check(intraOpThreads >= 0 && interOpThreads >= 0 && intraOpThreads <= MAX_THREADS
        && interOpThreads <= MAX_THREADS, "thread counts must be 0..%s, got %s/%s", MAX_THREADS, intraOpThreads,
        interOpThreads);
    c.check(logEvery >= 1 && logEvery <= MAX_STEPS, "log_every must be 1..%s, got %s", MAX_STEPS, logEvery);
    c.check(validateOn != null, "validate_on must be center_tile or whole_image");
    c.check(validateEvery >= 1 && validateEvery <= 1_000_000, "validate_every must be 1..1000000, got %s",
        validateEvery);
    if (selectBy != null && c.check(ValidationMetrics.HIGHER_IS_BETTER.containsKey(selectBy),
        "'%s' is not a validation metric to select by; known: %s", selectBy, String.join(", ", ValidationMetrics.names()))) {
      c.check(validateOn != ValidationMode.CENTER_TILE || !ValidationMetrics.WHOLE_IMAGE_ONLY.contains(selectBy),
          "select_by: %s is a whole-image score: set validate_on: whole_image (center_tile validation gives the "
              + "loss and the task's metrics, e.g. iou)", selectBy);
    }
    c.done();
  }

  /** The {@code @Param} defaults (paper-like: cross-entropy, SGD momentum 0.99, lr 0.01 constant, batch 1) for this size. */
  public static TrainConfig defaults(int height, int width) {
    return ConfigBinder.defaults(TrainConfig.class, Map.of("height", Integer.toString(height), "width",
        Integer.toString(width)));
  }

  /** The schedule this config describes (fresh state). */
  public LearningRateSchedule newSchedule() {
    switch (schedule) {
      case EXPONENTIAL:
        return LearningRateSchedule.exponential(learningRate, decayRate, decaySteps);
      case STEP:
        return LearningRateSchedule.step(learningRate, decayRate, decaySteps);
      case MULTI_STEP:
        return LearningRateSchedule.multiStep(learningRate, decayRate, boundaries);
      case PLATEAU:
        return LearningRateSchedule.plateau(learningRate, plateauFactor, plateauPatience, minDelta, minLearningRate);
      default:
        return LearningRateSchedule.constant(learningRate);
    }
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Copy-and-change builder (the record has many components). */
  public static final class Builder {
    private List<Long> boundaries;
    private Double weightDecay;
    private int cropPadding;
    private FlipMode flip;
    private double rotation;
    private int height, width, plateauPatience, batchSize, shuffleBuffer, prefetch, earlyStoppingPatience,
        keepCheckpoints, intraOpThreads, interOpThreads, logEvery;
    private LossKind loss;
    private OptimizerKind optimizer;
    private double learningRate, momentum, beta1, beta2, epsilon, decayRate, plateauFactor, minLearningRate, minDelta;
    private boolean nesterov, resume;
    private LearningRateSchedule.Kind schedule;
    private long decaySteps, steps, checkpointEvery, seed;
    private WeightInit initializer;
    private Device device;
    private Precision precision;
    private ValidationMode validateOn;
    private int validateEvery;
    private String selectBy;

    private Builder(TrainConfig c) {
      validateOn = c.validateOn; validateEvery = c.validateEvery; selectBy = c.selectBy;
      height = c.height; width = c.width; loss = c.loss; optimizer = c.optimizer; learningRate = c.learningRate;
      momentum = c.momentum; nesterov = c.nesterov; beta1 = c.beta1; beta2 = c.beta2; epsilon = c.epsilon;
      schedule = c.schedule; decayRate = c.decayRate; decaySteps = c.decaySteps; plateauFactor = c.plateauFactor;
      plateauPatience = c.plateauPatience; minLearningRate = c.minLearningRate; batchSize = c.batchSize;
      shuffleBuffer = c.shuffleBuffer; prefetch = c.prefetch; steps = c.steps;
      earlyStoppingPatience = c.earlyStoppingPatience; minDelta = c.minDelta; checkpointEvery = c.checkpointEvery;
      keepCheckpoints = c.keepCheckpoints; resume = c.resume; seed = c.seed; initializer = c.initializer;
      boundaries = c.boundaries; weightDecay = c.weightDecay; cropPadding = c.cropPadding; flip = c.flip;
      rotation = c.rotation;
      device = c.device; precision = c.precision; intraOpThreads = c.intraOpThreads; interOpThreads = c.interOpThreads; logEvery = c.logEvery;
    }

    public Builder size(int h, int w) { height = h; width = w; return this; }
    public Builder loss(LossKind v) { loss = v; return this; }
    public Builder optimizer(OptimizerKind v) { optimizer = v; return this; }
    public Builder learningRate(double v) { learningRate = v; return this; }
    public Builder momentum(double v) { momentum = v; return this; }
    public Builder nesterov(boolean v) { nesterov = v; return this; }
    public Builder adam(double b1, double b2, double eps) { beta1 = b1; beta2 = b2; epsilon = eps; return this; }
    public Builder schedule(LearningRateSchedule.Kind v) { schedule = v; return this; }
    public Builder exponentialDecay(double rate, long everySteps) { decayRate = rate; decaySteps = everySteps; return this; }
    public Builder boundaries(List<Long> v) { boundaries = v; return this; }
    /** The L2 weight decay lambda (null: the task's default). */
    public Builder weightDecay(Double v) { weightDecay = v; return this; }
    /** Classification augmentation: zero-padded random crops, random flips, random rotation up to +-degrees. */
    public Builder augment(int padding, FlipMode f, double degrees) { cropPadding = padding; flip = f; rotation = degrees; return this; }
    public Builder plateau(double factor, int patience, double minRate) {
      plateauFactor = factor; plateauPatience = patience; minLearningRate = minRate; return this;
    }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder shuffleBuffer(int v) { shuffleBuffer = v; return this; }
    public Builder prefetch(int v) { prefetch = v; return this; }
    public Builder steps(long v) { steps = v; return this; }
    public Builder earlyStopping(int patience, double delta) { earlyStoppingPatience = patience; minDelta = delta; return this; }
    public Builder checkpointEvery(long v) { checkpointEvery = v; return this; }
    public Builder keepCheckpoints(int v) { keepCheckpoints = v; return this; }
    public Builder resume(boolean v) { resume = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder initializer(WeightInit v) { initializer = v; return this; }
    public Builder device(Device v) { device = v; return this; }
    public Builder precision(Precision v) { precision = v; return this; }
    public Builder threads(int intra, int inter) { intraOpThreads = intra; interOpThreads = inter; return this; }
    public Builder logEvery(int v) { logEvery = v; return this; }
    /** What validation scores, how often (every N-th epoch) and the metric the exported checkpoint is selected by (null: the last). */
    public Builder validation(ValidationMode on, int everyEpochs, String selectByMetric) {
      validateOn = on; validateEvery = everyEpochs; selectBy = selectByMetric; return this;
    }

    public TrainConfig build() {
      return new TrainConfig(height, width, loss, optimizer, learningRate, momentum, nesterov, beta1, beta2, epsilon,
          schedule, decayRate, decaySteps, boundaries, plateauFactor, plateauPatience, minLearningRate, weightDecay,
          cropPadding, flip, rotation, batchSize, shuffleBuffer,
          prefetch, steps, earlyStoppingPatience, minDelta, checkpointEvery, keepCheckpoints, resume, seed,
          initializer, device, precision, intraOpThreads, interOpThreads, logEvery, validateOn, validateEvery, selectBy);
    }
  }
}
