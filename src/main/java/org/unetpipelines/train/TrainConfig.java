package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;

import org.unetpipelines.model.Initializer;

/**
 * How to train (the network itself is a {@link org.unetpipelines.model.SegmentationNet}).
 *
 * @param height input tile height; larger samples are cropped at a seeded random position (center for validation)
 * @param width input tile width
 * @param loss the loss
 * @param optimizer momentum or adam
 * @param learningRate base learning rate
 * @param momentum momentum coefficient (the paper: 0.99)
 * @param nesterov Nesterov momentum
 * @param beta1 Adam beta1
 * @param beta2 Adam beta2
 * @param epsilon Adam epsilon
 * @param schedule learning-rate schedule
 * @param decayRate exponential decay: factor per {@code decaySteps}
 * @param decaySteps exponential decay: steps per factor
 * @param plateauFactor plateau: rate multiplier when stuck
 * @param plateauPatience plateau: epochs without improvement before reducing
 * @param minLearningRate plateau: lower bound
 * @param batchSize samples per step
 * @param shuffleBuffer shuffle buffer size (0 or 1 = no shuffling)
 * @param prefetch batches prepared ahead by the background thread
 * @param steps total training steps
 * @param earlyStoppingPatience epochs without validation improvement before stopping (0 = off)
 * @param minDelta improvement smaller than this does not count (early stopping and plateau)
 * @param checkpointEvery steps between checkpoints (0 = only at the end)
 * @param keepCheckpoints how many recent checkpoints to keep
 * @param resume continue from the last checkpoint in the output folder when there is one
 * @param seed seeds initial weights, shuffling, crops and dropout
 * @param initializer weight initializer
 * @param device cpu or gpu
 * @param intraOpThreads TensorFlow intra-op threads (0 = TensorFlow's choice)
 * @param interOpThreads TensorFlow inter-op threads (0 = TensorFlow's choice)
 * @param logEvery steps between progress lines
 */
public record TrainConfig(
    int height, int width, LossKind loss, OptimizerKind optimizer, double learningRate, double momentum,
    boolean nesterov, double beta1, double beta2, double epsilon, LearningRateSchedule.Kind schedule, double decayRate,
    long decaySteps, double plateauFactor, int plateauPatience, double minLearningRate, int batchSize,
    int shuffleBuffer, int prefetch, long steps, int earlyStoppingPatience, double minDelta, long checkpointEvery,
    int keepCheckpoints, boolean resume, long seed, Initializer initializer, Device device, int intraOpThreads,
    int interOpThreads, int logEvery) implements java.io.Serializable {

  public TrainConfig {
    checkArgument(height > 0 && width > 0, "input size must be positive, got %sx%s", height, width);
    checkArgument(loss != null && optimizer != null && schedule != null && initializer != null && device != null,
        "loss, optimizer, schedule, initializer and device must be set");
    checkArgument(initializer != Initializer.ZEROS && initializer != Initializer.ONES,
        "initializer must be a random weight initializer (xavier_normal, xavier_uniform, he_normal, paper), got %s",
        initializer);
    checkArgument(learningRate > 0, "learning rate must be > 0, got %s", learningRate);
    checkArgument(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got %s", momentum);
    checkArgument(batchSize >= 1, "batch size must be >= 1, got %s", batchSize);
    checkArgument(shuffleBuffer >= 0, "shuffle buffer must be >= 0, got %s", shuffleBuffer);
    checkArgument(prefetch >= 1, "prefetch must be >= 1, got %s", prefetch);
    checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
    checkArgument(earlyStoppingPatience >= 0, "early stopping patience must be >= 0, got %s", earlyStoppingPatience);
    checkArgument(checkpointEvery >= 0, "checkpoint every must be >= 0, got %s", checkpointEvery);
    checkArgument(keepCheckpoints >= 1, "keep checkpoints must be >= 1, got %s", keepCheckpoints);
    checkArgument(intraOpThreads >= 0 && interOpThreads >= 0, "thread counts must be >= 0, got %s/%s",
        intraOpThreads, interOpThreads);
    checkArgument(logEvery >= 1, "log every must be >= 1, got %s", logEvery);
  }

  /** Paper-like defaults: cross-entropy, SGD momentum 0.99, lr 0.01 constant, batch 1. */
  public static TrainConfig defaults(int height, int width) {
    return new TrainConfig(height, width, LossKind.CROSS_ENTROPY, OptimizerKind.MOMENTUM, 0.01, 0.99, false, 0.9,
        0.999, 1e-7, LearningRateSchedule.Kind.CONSTANT, 0.96, 1000, 0.5, 3, 1e-6, 1, 64, 4, 1000, 0, 0.0, 0, 2,
        true, 42L, Initializer.PAPER, Device.CPU, 0, 0, 10);
  }

  /** The schedule this config describes (fresh state). */
  public LearningRateSchedule newSchedule() {
    switch (schedule) {
      case EXPONENTIAL:
        return LearningRateSchedule.exponential(learningRate, decayRate, decaySteps);
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
    private int height, width, plateauPatience, batchSize, shuffleBuffer, prefetch, earlyStoppingPatience,
        keepCheckpoints, intraOpThreads, interOpThreads, logEvery;
    private LossKind loss;
    private OptimizerKind optimizer;
    private double learningRate, momentum, beta1, beta2, epsilon, decayRate, plateauFactor, minLearningRate, minDelta;
    private boolean nesterov, resume;
    private LearningRateSchedule.Kind schedule;
    private long decaySteps, steps, checkpointEvery, seed;
    private Initializer initializer;
    private Device device;

    private Builder(TrainConfig c) {
      height = c.height; width = c.width; loss = c.loss; optimizer = c.optimizer; learningRate = c.learningRate;
      momentum = c.momentum; nesterov = c.nesterov; beta1 = c.beta1; beta2 = c.beta2; epsilon = c.epsilon;
      schedule = c.schedule; decayRate = c.decayRate; decaySteps = c.decaySteps; plateauFactor = c.plateauFactor;
      plateauPatience = c.plateauPatience; minLearningRate = c.minLearningRate; batchSize = c.batchSize;
      shuffleBuffer = c.shuffleBuffer; prefetch = c.prefetch; steps = c.steps;
      earlyStoppingPatience = c.earlyStoppingPatience; minDelta = c.minDelta; checkpointEvery = c.checkpointEvery;
      keepCheckpoints = c.keepCheckpoints; resume = c.resume; seed = c.seed; initializer = c.initializer;
      device = c.device; intraOpThreads = c.intraOpThreads; interOpThreads = c.interOpThreads; logEvery = c.logEvery;
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
    public Builder initializer(Initializer v) { initializer = v; return this; }
    public Builder device(Device v) { device = v; return this; }
    public Builder threads(int intra, int inter) { intraOpThreads = intra; interOpThreads = inter; return this; }
    public Builder logEvery(int v) { logEvery = v; return this; }

    public TrainConfig build() {
      return new TrainConfig(height, width, loss, optimizer, learningRate, momentum, nesterov, beta1, beta2, epsilon,
          schedule, decayRate, decaySteps, plateauFactor, plateauPatience, minLearningRate, batchSize, shuffleBuffer,
          prefetch, steps, earlyStoppingPatience, minDelta, checkpointEvery, keepCheckpoints, resume, seed,
          initializer, device, intraOpThreads, interOpThreads, logEvery);
    }
  }
}
