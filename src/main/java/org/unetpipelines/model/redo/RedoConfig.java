package org.unetpipelines.model.redo;

import static com.google.common.base.Preconditions.checkArgument;

import org.unetpipelines.engine.ConfigChecks;
import org.unetpipelines.engine.Param;
import org.unetpipelines.model.ModelConfig;

/**
 * ReDo's typed config ({@code model: {family: redo, ...}}): the four networks' widths, the losses'
 * weights, the per-network optimizers and the collapse restart. Defaults are the original code's
 * ({@code mickaelChen/ReDO:train.py}; MODELS.md section 3), whose README trains Flowers with
 * {@code --nfX 32} and self-attention in G and D. The image size is the training's {@code height} x
 * {@code width} (square: 128 as the original, 64 with one block fewer per network, 16 and 32 for tests).
 *
 * <p>Learning rates are absolute: the trainer's {@code learning_rate} is only the schedule's base, and
 * each network's group scales it by {@code lr_x / learning_rate} (exact with the constant schedule).
 */
public record RedoConfig(
    @Param(doc = "redo") String family,
    @Param(doc = "regions K (masks summing to 1; 2 = object and background, sigmoid)", def = "2",
        min = 2, max = 8) int regions,
    @Param(doc = "size of each region's latent code z_k", def = "32", min = 1, max = 1024) int nz,
    @Param(name = "mask_filters", doc = "mask network F width nf (channels nf/4, nf/2, nf)", def = "64",
        min = 4, max = 1024) int maskFilters,
    @Param(name = "mask_res_blocks", doc = "residual blocks in F", def = "3", min = 0, max = 16) int maskResBlocks,
    @Param(name = "generator_filters", doc = "region generator width nf (16nf at 4x4 down to nf)", def = "32",
        min = 1, max = 256)
    int generatorFilters,
    @Param(name = "discriminator_filters", doc = "discriminator width nf (nf up to 16nf)", def = "64",
        min = 1, max = 256)
    int discriminatorFilters,
    @Param(name = "encoder_filters", doc = "z-encoder (delta) width nf", def = "64",
        min = 1, max = 256) int encoderFilters,
    @Param(name = "generator_attention", doc = "self-attention in each G_k before its last block", def = "true")
    boolean generatorAttention,
    @Param(name = "discriminator_attention", doc = "self-attention in D after its first block", def = "true")
    boolean discriminatorAttention,
    @Param(name = "channels", doc = "image channels", def = "3", min = 1, max = ModelConfig.MAX_CHANNELS) int channels,
    @Param(doc = "mask temperature T: sigmoid(logit / T)", def = "1.0",
        min = 0, minExclusive = true, max = 1000) double temperature,
    @Param(name = "lambda_z", doc = "weight of the z-reconstruction MSE in the generator loss", def = "5.0",
        min = 0, max = 1e6) double lambdaZ,
    @Param(name = "lr_mask", doc = "Adam learning rate of F", def = "1e-5",
        min = 0, minExclusive = true, max = 1, maxExclusive = true) double lrMask,
    @Param(name = "lr_generator", doc = "Adam learning rate of the G_k", def = "1e-4",
        min = 0, minExclusive = true, max = 1, maxExclusive = true) double lrGenerator,
    @Param(name = "lr_discriminator", doc = "Adam learning rate of D", def = "1e-4",
        min = 0, minExclusive = true, max = 1, maxExclusive = true) double lrDiscriminator,
    @Param(name = "lr_encoder", doc = "Adam learning rate of delta", def = "1e-4",
        min = 0, minExclusive = true, max = 1, maxExclusive = true) double lrEncoder,
    @Param(name = "weight_decay_mask", doc = "coupled L2 weight decay of F (PyTorch Adam weight_decay)", def = "1e-4",
        min = 0, max = 1)
    double weightDecayMask,
    @Param(doc = "Adam beta1 of every network", def = "0.0", min = 0, max = 1, maxExclusive = true) double beta1,
    @Param(doc = "Adam beta2 of every network", def = "0.9", min = 0, max = 1, maxExclusive = true) double beta2,
    @Param(doc = "Adam epsilon of every network", def = "1e-8", min = 0, minExclusive = true, max = 1) double epsilon,
    @Param(name = "restart_threshold", doc = "restart when the smallest region's mean area is below this (0 = never)",
        def = "0.1", min = 0, max = 0.5, maxExclusive = true) double restartThreshold,
    @Param(name = "restart_until", doc = "restarts only within this many steps of an attempt (0: none)", def = "7000",
        min = 0,
        max = RedoConfig.MAX_RESTART_STEPS)
    long restartUntil,
    @Param(name = "restart_check_every", doc = "steps between collapse checks", def = "500", min = 1,
        max = RedoConfig.MAX_RESTART_STEPS) long restartCheckEvery,
    @Param(name = "restart_max", doc = "restarts at most this many times in one run", def = "10",
        min = 0, max = 1000) int restartMax)
    implements ModelConfig, java.io.Serializable {

  public static final String FAMILY = "redo";
  /** Longest restart window and check interval, steps (the training steps' own limit, TrainConfig.MAX_STEPS). */
  public static final long MAX_RESTART_STEPS = 1_000_000_000L;

  /** Every rule at once ({@link ConfigChecks}): all problems are reported together. */
  public RedoConfig {
    ConfigChecks c = new ConfigChecks();
    c.check(FAMILY.equals(family), "family must be redo, got %s", family);
    boolean regionsOk = c.check(regions >= 2 && regions <= 8, "regions must be 2..8, got %s", regions);
    c.check(nz >= 1 && nz <= 1024, "nz must be 1..1024, got %s", nz);
    c.check(maskFilters >= 4 && maskFilters % 4 == 0 && maskFilters <= 1024,
        "mask_filters must be a multiple of 4 in 4..1024, got %s", maskFilters);
    c.check(maskResBlocks >= 0 && maskResBlocks <= 16, "mask_res_blocks must be 0..16, got %s", maskResBlocks);
    c.check(generatorFilters >= 1 && generatorFilters <= 256, "generator_filters must be 1..256, got %s",
        generatorFilters);
    c.check(discriminatorFilters >= 1 && discriminatorFilters <= 256,
        "discriminator_filters must be 1..256, got %s", discriminatorFilters);
    c.check(encoderFilters >= 1 && encoderFilters <= 256, "encoder_filters must be 1..256, got %s",
        encoderFilters);
    c.check(!discriminatorAttention || discriminatorFilters % 2 == 0,
        "discriminator attention needs an even discriminator_filters, got %s", discriminatorFilters);
    c.check(channels >= 1 && channels <= ModelConfig.MAX_CHANNELS, "channels must be 1..%s, got %s",
        ModelConfig.MAX_CHANNELS, channels);
    c.check(temperature > 0 && temperature <= 1000, "temperature must be in (0, 1000], got %s", temperature);
    c.check(lambdaZ >= 0 && lambdaZ <= 1e6, "lambda_z must be in [0, 1000000], got %s", lambdaZ);
    for (double lr : new double[] {lrMask, lrGenerator, lrDiscriminator, lrEncoder}) {
      c.check(lr > 0 && lr < 1, "learning rates must be in (0, 1), got %s", lr);
    }
    c.check(weightDecayMask >= 0 && weightDecayMask <= 1, "weight_decay_mask must be in [0, 1], got %s",
        weightDecayMask);
    c.check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam betas must be in [0, 1), got %s, %s",
        beta1, beta2);
    c.check(epsilon > 0 && epsilon <= 1, "epsilon must be in (0, 1], got %s", epsilon);
    if (regionsOk) {
      c.check(restartThreshold >= 0 && restartThreshold < 1.0 / regions,
          "restart_threshold must be in [0, 1/regions) = [0, %s), got %s", 1.0 / regions, restartThreshold);
    }
    c.check(restartUntil >= 0 && restartUntil <= RedoConfig.MAX_RESTART_STEPS,
        "restart_until must be 0..%s steps, got %s", RedoConfig.MAX_RESTART_STEPS, restartUntil);
    c.check(restartCheckEvery >= 1 && restartCheckEvery <= RedoConfig.MAX_RESTART_STEPS,
        "restart_check_every must be 1..%s steps, got %s", RedoConfig.MAX_RESTART_STEPS, restartCheckEvery);
    c.check(restartMax >= 0 && restartMax <= 1000, "restart_max must be 0..1000, got %s", restartMax);
    c.done();
  }


  /** The original code's defaults (Flowers: generator nf 32, self-attention in G and D). */
  public static RedoConfig defaults() {
    return new RedoConfig(FAMILY, 2, 32, 64, 3, 32, 64, 64, true, true, 3, 1.0, 5.0, 1e-5, 1e-4, 1e-4, 1e-4, 1e-4, 0.0,
        0.9, 1e-8, 0.1, 7000, 500, 10);
  }

  /** The same with every network's width set (tests, CPU pipelines). */
  public RedoConfig withFilters(int mask, int generator, int discriminator, int encoder) {
    return new RedoConfig(family, regions, nz, mask, maskResBlocks, generator, discriminator, encoder,
        generatorAttention, discriminatorAttention, channels, temperature, lambdaZ, lrMask, lrGenerator,
        lrDiscriminator, lrEncoder, weightDecayMask, beta1, beta2, epsilon, restartThreshold, restartUntil,
        restartCheckEvery, restartMax);
  }

  /** The same with other image channels. */
  public RedoConfig withChannels(int c) {
    return new RedoConfig(family, regions, nz, maskFilters, maskResBlocks, generatorFilters, discriminatorFilters,
        encoderFilters, generatorAttention, discriminatorAttention, c, temperature, lambdaZ, lrMask, lrGenerator,
        lrDiscriminator, lrEncoder, weightDecayMask, beta1, beta2, epsilon, restartThreshold, restartUntil,
        restartCheckEvery, restartMax);
  }

  /** The same with another latent size. */
  public RedoConfig withNz(int z) {
    return new RedoConfig(family, regions, z, maskFilters, maskResBlocks, generatorFilters, discriminatorFilters,
        encoderFilters, generatorAttention, discriminatorAttention, channels, temperature, lambdaZ, lrMask, lrGenerator,
        lrDiscriminator, lrEncoder, weightDecayMask, beta1, beta2, epsilon, restartThreshold, restartUntil,
        restartCheckEvery, restartMax);
  }

  /** The same with another restart rule (at most {@code max} restarts). */
  public RedoConfig withRestart(double threshold, long until, long checkEvery, int max) {
    return new RedoConfig(family, regions, nz, maskFilters, maskResBlocks, generatorFilters, discriminatorFilters,
        encoderFilters, generatorAttention, discriminatorAttention, channels, temperature, lambdaZ, lrMask, lrGenerator,
        lrDiscriminator, lrEncoder, weightDecayMask, beta1, beta2, epsilon, threshold, until, checkEvery, max);
  }

  /** The same with other learning rates (F; G, D and delta). */
  public RedoConfig withLearningRates(double mask, double others) {
    return new RedoConfig(family, regions, nz, maskFilters, maskResBlocks, generatorFilters, discriminatorFilters,
        encoderFilters, generatorAttention, discriminatorAttention, channels, temperature, lambdaZ, mask, others, others,
        others, weightDecayMask, beta1, beta2, epsilon, restartThreshold, restartUntil, restartCheckEvery, restartMax);
  }

  /** Checks that {@code size} x {@code size} images fit the networks; names the sizes that do. */
  public static void checkSize(int height, int width) {
    checkArgument(height == width && (height == 16 || height == 32 || height == 64 || height == 128),
        "redo needs square images of 128 (the original), 64 (one block fewer per network), 32 or 16 (tests), got %sx%s",
        height, width);
  }
}
