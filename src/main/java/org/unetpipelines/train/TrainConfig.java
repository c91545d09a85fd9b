package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Map;
import org.unetpipelines.engine.ConfigBinder;
import org.unetpipelines.engine.Param;
import org.unetpipelines.model.WeightInit;

/**
 * How to train: the training keys of the YAML {@code Train} stage (inlined into its config) and of
 * the API. The {@code @Param} defaults are the only defaults: {@link #defaults} reads them.
 */
public record TrainConfig(
    @Param(doc = "input tile height; larger samples are cropped at a seeded random position (validation: centre)")
    int height,
    @Param(doc = "input tile width") int width,
    @Param(doc = "the segmentation loss (cross_entropy is weighted by the samples' weight maps)", def = "cross_entropy")
    LossKind loss,
    @Param(doc = "momentum (SGD) | adam", def = "momentum") OptimizerKind optimizer,
    @Param(name = "learning_rate", doc = "base learning rate, (0, 10]", def = "0.01") double learningRate,
    @Param(doc = "SGD momentum, [0, 1) (the paper: 0.99)", def = "0.99") double momentum,
    @Param(doc = "Nesterov momentum", def = "false") boolean nesterov,
    @Param(name = "adam_beta1", doc = "Adam beta1, [0, 1)", def = "0.9") double beta1,
    @Param(name = "adam_beta2", doc = "Adam beta2, [0, 1)", def = "0.999") double beta2,
    @Param(name = "adam_epsilon", doc = "Adam epsilon, > 0", def = "1e-7") double epsilon,
    @Param(doc = "learning-rate schedule", def = "constant") LearningRateSchedule.Kind schedule,
    @Param(name = "decay_rate", doc = "exponential, step: factor per decay_steps; multi_step: factor at each boundary; (0, 1]",
        def = "0.96") double decayRate,
    @Param(name = "decay_steps", doc = "exponential, step: steps per decay_rate factor, >= 1", def = "1000") long decaySteps,
    @Param(doc = "multi_step: the steps at which the rate is multiplied by decay_rate, strictly increasing "
        + "(He et al.: [32000, 48000] with decay_rate 0.1)", def = "[]") List<Long> boundaries,
    @Param(name = "plateau_factor", doc = "plateau: multiplier when the monitored metric stalls, (0, 1)", def = "0.5")
    double plateauFactor,
    @Param(name = "plateau_patience", doc = "plateau: epochs without improvement before reducing, >= 0", def = "3")
    int plateauPatience,
    @Param(name = "min_learning_rate", doc = "plateau: lower bound of the rate, >= 0", def = "1e-6")
    double minLearningRate,
    @Param(name = "weight_decay", doc = "L2 penalty lambda * sum(w^2) over conv and dense kernels (Keras l2(lambda); "
        + "PyTorch SGD weight_decay = 2 lambda), >= 0; default: the task's (classification 1e-4; segmentation none)",
        def = Param.NULL) Double weightDecay,
    @Param(name = "crop_padding", doc = "classification: zero-pad this many pixels per side, then cut a random "
        + "height x width window (validation: the centre), 0..1024", def = "0") int cropPadding,
    @Param(doc = "classification: random training flips, each with probability 0.5: none | horizontal | vertical | "
        + "both", def = "none") FlipMode flip,
    @Param(doc = "classification: random training rotation, uniform in [-rotation, rotation] degrees (linear "
        + "interpolation, mirrored corners), 0..180", def = "0.0") double rotation,
    @Param(name = "batch", doc = "samples per step, 1..4096 (the paper: 1)", def = "1") int batchSize,
    @Param(name = "shuffle_buffer", doc = "shuffle buffer in samples, 0..1000000 (0 or 1 = no shuffling)", def = "64")
    int shuffleBuffer,
    @Param(doc = "batches prepared ahead by the background thread, 1..64", def = "4") int prefetch,
    @Param(doc = "total training steps, >= 1", def = "1000") long steps,
    @Param(name = "early_stopping", doc = "stop after this many epochs without validation improvement (0 = off)",
        def = "0") int earlyStoppingPatience,
    @Param(name = "min_delta", doc = "smaller improvements do not count (early stopping, plateau), >= 0", def = "0.0")
    double minDelta,
    @Param(name = "checkpoint_every", doc = "write a checkpoint every N steps (0 = only at the end)", def = "0")
    long checkpointEvery,
    @Param(name = "keep_checkpoints", doc = "how many recent checkpoints to keep, >= 1 (resume falls back to older ones)",
        def = "2") int keepCheckpoints,
    @Param(doc = "continue from the newest good checkpoint in the output folder when there is one", def = "true")
    boolean resume,
    @Param(doc = "seeds initial weights, shuffling, crops and dropout (the stage sets the pipeline's or its own)",
        def = "42", internal = true) long seed,
    @Param(doc = "weight initializer: paper = N(0, sqrt(2/N))", def = "paper") WeightInit initializer,
    @Param(doc = "cpu | gpu", def = "cpu") Device device,
    @Param(doc = "fp32 | bf16 (oneDNN bfloat16 auto-mixed precision on the CPU)", def = "fp32") Precision precision,
    @Param(name = "threads", doc = "TensorFlow intra-op threads (0 = all cores)", def = "0") int intraOpThreads,
    @Param(name = "inter_threads", doc = "TensorFlow inter-op threads (0 = TensorFlow's choice)", def = "0")
    int interOpThreads,
    @Param(name = "log_every", doc = "steps between progress lines, >= 1", def = "10") int logEvery,
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

  public TrainConfig {
    checkArgument(height > 0 && width > 0 && height <= MAX_SIDE && width <= MAX_SIDE,
        "input size must be 1..%s on each side, got %sx%s", MAX_SIDE, height, width);
    checkArgument(loss != null && optimizer != null && schedule != null && initializer != null && device != null
        && precision != null, "loss, optimizer, schedule, initializer, device and precision must be set");
    checkArgument(learningRate > 0 && learningRate <= 10, "learning_rate must be in (0, 10], got %s", learningRate);
    checkArgument(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got %s", momentum);
    checkArgument(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam betas must be in [0, 1), got %s, %s",
        beta1, beta2);
    checkArgument(epsilon > 0, "adam_epsilon must be > 0, got %s", epsilon);
    checkArgument(decayRate > 0 && decayRate <= 1, "decay_rate must be in (0, 1], got %s", decayRate);
    checkArgument(decaySteps >= 1, "decay_steps must be >= 1, got %s", decaySteps);
    checkArgument(plateauFactor > 0 && plateauFactor < 1, "plateau_factor must be in (0, 1), got %s", plateauFactor);
    checkArgument(plateauPatience >= 0, "plateau_patience must be >= 0, got %s", plateauPatience);
    checkArgument(minLearningRate >= 0, "min_learning_rate must be >= 0, got %s", minLearningRate);
    checkArgument(boundaries != null, "boundaries must be a list (empty: none)");
    boundaries = List.copyOf(boundaries);
    checkArgument(weightDecay == null || (weightDecay >= 0 && weightDecay <= 1),
        "weight_decay must be in [0, 1], got %s", weightDecay);
    checkArgument(cropPadding >= 0 && cropPadding <= 1024, "crop_padding must be 0..1024, got %s", cropPadding);
    checkArgument(flip != null, "flip must be none, horizontal, vertical or both");
    checkArgument(rotation >= 0 && rotation <= 180, "rotation must be in [0, 180] degrees, got %s", rotation);
    checkArgument(batchSize >= 1 && batchSize <= 4096, "batch must be 1..4096, got %s", batchSize);
    checkArgument(shuffleBuffer >= 0 && shuffleBuffer <= 1_000_000, "shuffle_buffer must be 0..1000000, got %s",
        shuffleBuffer);
    checkArgument(prefetch >= 1 && prefetch <= 64, "prefetch must be 1..64, got %s", prefetch);
    checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
    checkArgument(earlyStoppingPatience >= 0, "early_stopping must be >= 0, got %s", earlyStoppingPatience);
    checkArgument(minDelta >= 0, "min_delta must be >= 0, got %s", minDelta);
    checkArgument(checkpointEvery >= 0, "checkpoint_every must be >= 0, got %s", checkpointEvery);
    checkArgument(keepCheckpoints >= 1, "keep_checkpoints must be >= 1, got %s", keepCheckpoints);
    checkArgument(intraOpThreads >= 0 && interOpThreads >= 0 && intraOpThreads <= 1024 && interOpThreads <= 1024,
        "thread counts must be 0..1024, got %s/%s", intraOpThreads, interOpThreads);
    checkArgument(logEvery >= 1, "log_every must be >= 1, got %s", logEvery);
    checkArgument(validateOn != null, "validate_on must be center_tile or whole_image");
    checkArgument(validateEvery >= 1, "validate_every must be >= 1, got %s", validateEvery);
    if (selectBy != null) {
      ValidationMetrics.higherIsBetter(selectBy); // a known metric
      checkArgument(validateOn == ValidationMode.WHOLE_IMAGE || !ValidationMetrics.WHOLE_IMAGE_ONLY.contains(selectBy),
          "select_by: %s is a whole-image score: set validate_on: whole_image (center_tile validation gives the "
              + "loss and the task's metrics, e.g. iou)", selectBy);
    }
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
