package org.unetpipelines.model.redo;

import static com.google.common.base.Preconditions.checkArgument;

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
    @Param(doc = "regions K (masks summing to 1; 2 = object and background, sigmoid)", def = "2") int regions,
    @Param(doc = "size of each region's latent code z_k", def = "32") int nz,
    @Param(name = "mask_filters", doc = "mask network F width nf (channels nf/4, nf/2, nf)", def = "64") int maskFilters,
    @Param(name = "mask_res_blocks", doc = "residual blocks in F", def = "3") int maskResBlocks,
    @Param(name = "generator_filters", doc = "region generator width nf (16nf at 4x4 down to nf)", def = "32")
    int generatorFilters,
    @Param(name = "discriminator_filters", doc = "discriminator width nf (nf up to 16nf)", def = "64")
    int discriminatorFilters,
    @Param(name = "encoder_filters", doc = "z-encoder (delta) width nf", def = "64") int encoderFilters,
    @Param(name = "generator_attention", doc = "self-attention in each G_k before its last block", def = "true")
    boolean generatorAttention,
    @Param(name = "discriminator_attention", doc = "self-attention in D after its first block", def = "true")
    boolean discriminatorAttention,
    @Param(name = "channels", doc = "image channels", def = "3") int channels,
    @Param(doc = "mask temperature T: sigmoid(logit / T)", def = "1.0") double temperature,
    @Param(name = "lambda_z", doc = "weight of the z-reconstruction MSE in the generator loss", def = "5.0") double lambdaZ,
    @Param(name = "lr_mask", doc = "Adam learning rate of F", def = "1e-5") double lrMask,
    @Param(name = "lr_generator", doc = "Adam learning rate of the G_k", def = "1e-4") double lrGenerator,
    @Param(name = "lr_discriminator", doc = "Adam learning rate of D", def = "1e-4") double lrDiscriminator,
    @Param(name = "lr_encoder", doc = "Adam learning rate of delta", def = "1e-4") double lrEncoder,
    @Param(name = "weight_decay_mask", doc = "coupled L2 weight decay of F (PyTorch Adam weight_decay)", def = "1e-4")
    double weightDecayMask,
    @Param(doc = "Adam beta1 of every network", def = "0.0") double beta1,
    @Param(doc = "Adam beta2 of every network", def = "0.9") double beta2,
    @Param(doc = "Adam epsilon of every network", def = "1e-8") double epsilon,
    @Param(name = "restart_threshold", doc = "restart when the smallest region's mean area is below this (0 = never)",
        def = "0.1") double restartThreshold,
    @Param(name = "restart_until", doc = "restarts only within this many steps of an attempt", def = "7000")
    long restartUntil,
    @Param(name = "restart_check_every", doc = "steps between collapse checks", def = "500") long restartCheckEvery,
    @Param(name = "restart_max", doc = "restarts at most this many times in one run", def = "10") int restartMax)
    implements ModelConfig, java.io.Serializable {

  public static final String FAMILY = "redo";

  public RedoConfig {
    checkArgument(FAMILY.equals(family), "family must be redo, got %s", family);
    checkArgument(regions >= 2 && regions <= 8, "regions must be 2..8, got %s", regions);
    checkArgument(nz >= 1 && nz <= 1024, "nz must be 1..1024, got %s", nz);
    checkArgument(maskFilters >= 4 && maskFilters % 4 == 0 && maskFilters <= 1024,
        "mask_filters must be a multiple of 4 in 4..1024, got %s", maskFilters);
    checkArgument(maskResBlocks >= 0 && maskResBlocks <= 16, "mask_res_blocks must be 0..16, got %s", maskResBlocks);
    checkArgument(generatorFilters >= 1 && generatorFilters <= 256, "generator_filters must be 1..256, got %s",
        generatorFilters);
    checkArgument(discriminatorFilters >= 1 && discriminatorFilters <= 256,
        "discriminator_filters must be 1..256, got %s", discriminatorFilters);
    checkArgument(encoderFilters >= 1 && encoderFilters <= 256, "encoder_filters must be 1..256, got %s",
        encoderFilters);
    checkArgument(!generatorAttention || generatorFilters >= 1, "generator attention needs generator_filters >= 1");
    checkArgument(!discriminatorAttention || discriminatorFilters % 2 == 0,
        "discriminator attention needs an even discriminator_filters, got %s", discriminatorFilters);
    checkArgument(channels >= 1 && channels <= 4, "channels must be 1..4, got %s", channels);
    checkArgument(temperature > 0, "temperature must be > 0, got %s", temperature);
    checkArgument(lambdaZ >= 0, "lambda_z must be >= 0, got %s", lambdaZ);
    for (double lr : new double[] {lrMask, lrGenerator, lrDiscriminator, lrEncoder}) {
      checkArgument(lr > 0 && lr < 1, "learning rates must be in (0, 1), got %s", lr);
    }
    checkArgument(weightDecayMask >= 0, "weight_decay_mask must be >= 0, got %s", weightDecayMask);
    checkArgument(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam betas must be in [0, 1), got %s, %s",
        beta1, beta2);
    checkArgument(epsilon > 0, "epsilon must be > 0, got %s", epsilon);
    checkArgument(restartThreshold >= 0 && restartThreshold < 1.0 / regions,
        "restart_threshold must be in [0, 1/regions), got %s", restartThreshold);
    checkArgument(restartUntil >= 0 && restartCheckEvery >= 1, "restart_until must be >= 0 and restart_check_every >= 1");
    checkArgument(restartMax >= 0 && restartMax <= 1000, "restart_max must be 0..1000, got %s", restartMax);
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
