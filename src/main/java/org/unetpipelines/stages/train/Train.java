package org.unetpipelines.stages.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.service.AutoService;
import com.google.common.collect.Iterables;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.io.ShardReader;
import org.unetpipelines.model.Initializer;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.UNet;
import org.unetpipelines.model.UNetConfig;
import org.unetpipelines.model.Upsampling;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.stages.Coders;
import org.unetpipelines.train.Device;
import org.unetpipelines.train.LearningRateSchedule;
import org.unetpipelines.train.LossKind;
import org.unetpipelines.train.OptimizerKind;
import org.unetpipelines.train.TrainConfig;
import org.unetpipelines.train.Trainer;

/**
 * Trains a U-Net on the shards written upstream, on ONE worker: every incoming {@link ShardSet}
 * (emitted by WriteAvro / WriteTFRecord once its shards and manifest are written) is keyed to a
 * single key and gathered, and one {@link Trainer} run reads them. Emits one {@link ModelArtifact}.
 * Validation comes from a second ShardSet collection ({@link #withValidation}) or from a
 * deterministic split by sample-id hash ({@link #withValidationFraction}).
 *
 * <pre>{@code
 * PCollection<ModelArtifact> model = shardSets.apply(
 *     Train.unet(UNetConfig.small(), TrainConfig.defaults(128, 128), "/out/model").withValidationFraction(0.1));
 * }</pre>
 */
public final class Train extends PTransform<PCollection<ShardSet>, PCollection<ModelArtifact>> {
  private final UNetConfig model;
  private final TrainConfig train;
  private final String outputDir;
  private final double validationFraction;
  private final transient PCollection<ShardSet> validation;
  private final String run;
  private final String configJson;

  private Train(UNetConfig model, TrainConfig train, String outputDir, double validationFraction,
      PCollection<ShardSet> validation, String run, String configJson) {
    this.model = model;
    this.train = train;
    this.outputDir = outputDir;
    this.validationFraction = validationFraction;
    this.validation = validation;
    this.run = run;
    this.configJson = configJson;
  }

  /** Trains {@code model} with {@code train} settings, writing under {@code outputDir}. */
  public static Train unet(UNetConfig model, TrainConfig train, String outputDir) {
    checkNotNull(model, "model config must not be null");
    checkNotNull(train, "train config must not be null");
    checkArgument(outputDir != null && !outputDir.isBlank(), "output directory must not be empty, got '%s'", outputDir);
    UNet.of(model).outputSize(train.height(), train.width()); // rejects sizes that do not fit, naming valid ones
    return new Train(model, train, outputDir, 0, null, "train", "{}");
  }

  /** Validates on these shard sets after every epoch. */
  public Train withValidation(PCollection<ShardSet> shardSets) {
    checkNotNull(shardSets, "validation shard sets must not be null");
    return new Train(model, train, outputDir, validationFraction, shardSets, run, configJson);
  }

  /** Holds out the samples whose id hashes below this fraction (0 = none) for validation. */
  public Train withValidationFraction(double fraction) {
    checkArgument(fraction >= 0 && fraction < 1, "validation fraction must be in [0, 1), got %s", fraction);
    return new Train(model, train, outputDir, fraction, validation, run, configJson);
  }

  /** Run id recorded in the curve and the artifact. */
  public Train withRun(String id) {
    checkArgument(id != null && !id.isBlank() && !id.contains(","), "run id must be non-empty without commas, got '%s'", id);
    return new Train(model, train, outputDir, validationFraction, validation, id, configJson);
  }

  /** The config recorded in the artifact (JSON). */
  public Train withConfigJson(String json) {
    checkNotNull(json, "config json must not be null");
    return new Train(model, train, outputDir, validationFraction, validation, run, json);
  }

  @Override
  public PCollection<ModelArtifact> expand(PCollection<ShardSet> input) {
    checkArgument(validation == null || validationFraction == 0,
        "give either a validation input or a validation fraction (%s), not both", validationFraction);
    PCollectionView<List<ShardSet>> view = validation == null ? null
        : validation.apply("ValidationView", View.asList());
    ParDo.SingleOutput<KV<String, Iterable<ShardSet>>, ModelArtifact> fn =
        ParDo.of(new TrainFn(model, train, outputDir, validationFraction, view, run, configJson));
    if (view != null) {
      fn = fn.withSideInputs(view);
    }
    return input
        .apply("KeyToOneWorker", WithKeys.<String, ShardSet>of("train").withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), Coders.shardSet()))
        .apply("Gather", GroupByKey.create())
        .apply("Train", fn)
        .setCoder(Coders.modelArtifact());
  }

  /** A fan-out suffix added by augmentation stages: {@code /<StageName>#<copy>}. */
  private static final java.util.regex.Pattern COPY_SUFFIX =
      java.util.regex.Pattern.compile("/[A-Za-z][A-Za-z0-9_\\-]*#\\d+$");

  /**
   * The id a sample is split by: its id without augmentation fan-out suffixes, so every deformed
   * copy of an image lands on the same side of the train / validation split (no leakage).
   */
  static String splitKey(String id) {
    String key = id;
    java.util.regex.Matcher m = COPY_SUFFIX.matcher(key);
    while (m.find()) {
      key = key.substring(0, m.start());
      m = COPY_SUFFIX.matcher(key);
    }
    return key;
  }

  /** Position of a sample in [0, 1) for the validation split (murmur3 of its {@link #splitKey}). */
  static double idFraction(String id) {
    return (Hashing.murmur3_32_fixed().hashString(splitKey(id), StandardCharsets.UTF_8).asInt() & 0xffffffffL)
        / 4294967296.0;
  }

  /** Samples of shard sets, read in directory order (re-read on every iteration). */
  static Iterable<Sample> samples(Iterable<ShardSet> sets) {
    List<ShardSet> sorted = new ArrayList<>();
    sets.forEach(sorted::add);
    sorted.sort(Comparator.comparing(ShardSet::getDirectory));
    List<Iterable<Sample>> parts = new ArrayList<>();
    for (ShardSet s : sorted) {
      try {
        parts.add(ShardReader.read(Path.of(s.getDirectory())));
      } catch (IOException e) {
        throw new UncheckedIOException("reading shard folder " + s.getDirectory() + ": " + e.getMessage(), e);
      }
    }
    return Iterables.concat(parts);
  }

  /** Runs the trainer once for the gathered shard sets. */
  static final class TrainFn extends DoFn<KV<String, Iterable<ShardSet>>, ModelArtifact> {
    private final UNetConfig model;
    private final TrainConfig train;
    private final String outputDir;
    private final double validationFraction;
    private final PCollectionView<List<ShardSet>> validation;
    private final String run;
    private final String configJson;

    TrainFn(UNetConfig model, TrainConfig train, String outputDir, double validationFraction,
        PCollectionView<List<ShardSet>> validation, String run, String configJson) {
      this.model = model;
      this.train = train;
      this.outputDir = outputDir;
      this.validationFraction = validationFraction;
      this.validation = validation;
      this.run = run;
      this.configJson = configJson;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      Iterable<Sample> all = samples(c.element().getValue());
      Iterable<Sample> trainSet = all;
      Iterable<Sample> validationSet = null;
      if (validationFraction > 0) {
        double f = validationFraction;
        trainSet = Iterables.filter(all, s -> idFraction(s.getId()) >= f);
        validationSet = Iterables.filter(all, s -> idFraction(s.getId()) < f);
      } else if (validation != null) {
        validationSet = samples(c.sideInput(validation));
      }
      c.output(Trainer.train(UNet.of(model), train, trainSet, validationSet, Path.of(outputDir), run, configJson));
    }
  }

  /** Model families the stage can build. */
  public enum Model {
    UNET
  }

  /** The random weight initializers a pipeline may choose (see {@link Initializer}). */
  public enum WeightInit {
    XAVIER_NORMAL(Initializer.XAVIER_NORMAL),
    XAVIER_UNIFORM(Initializer.XAVIER_UNIFORM),
    HE_NORMAL(Initializer.HE_NORMAL),
    PAPER(Initializer.PAPER);

    private final Initializer initializer;

    WeightInit(Initializer initializer) {
      this.initializer = initializer;
    }

    public Initializer initializer() {
      return initializer;
    }
  }

  /** YAML config of {@code Train}. */
  public record Config(
      @Param(doc = "output folder (checkpoints/, saved_model/, model.json, curve.csv/.avro), relative to the output root")
      String path,
      @Param(doc = "model family", def = "unet") Model model,
      @Param(doc = "number of 2x2 poolings (the paper: 4 -> five levels), 1..6", def = "4") int depth,
      @Param(doc = "filters of the first level (doubling per level; the paper: 64)", def = "16") int filters,
      @Param(doc = "valid (paper geometry, output smaller than input, cropped skips) or same", def = "same")
      Padding padding,
      @Param(doc = "transpose | bilinear | nearest | pixel_shuffle", def = "transpose") Upsampling upsampling,
      @Param(doc = "batch norm after each 3x3 convolution", def = "false") boolean batch_norm,
      @Param(doc = "dropout rate at the end of the contracting path, 0..0.95 (the paper: 0.5)", def = "0.0")
      double dropout,
      @Param(doc = "1 = sigmoid foreground probability, >= 2 = softmax classes", def = "1") int classes,
      @Param(doc = "image channels", def = "1") int channels,
      @Param(doc = "input tile height; larger samples are cropped at random (validation: centre)") int height,
      @Param(doc = "input tile width") int width,
      @Param(doc = "cross_entropy (weighted by the samples' weight maps) | dice | bce_dice", def = "cross_entropy")
      LossKind loss,
      @Param(doc = "momentum | adam", def = "momentum") OptimizerKind optimizer,
      @Param(doc = "learning rate", def = "0.01") double learning_rate,
      @Param(doc = "SGD momentum (the paper: 0.99)", def = "0.99") double momentum,
      @Param(doc = "constant | exponential | plateau", def = "constant") LearningRateSchedule.Kind schedule,
      @Param(doc = "exponential: factor per decay_steps", def = "0.96") double decay_rate,
      @Param(doc = "exponential: steps per decay_rate factor", def = "1000") long decay_steps,
      @Param(doc = "plateau: multiplier when the monitored loss stalls", def = "0.5") double plateau_factor,
      @Param(doc = "plateau: epochs without improvement before reducing", def = "3") int plateau_patience,
      @Param(doc = "samples per step (the paper: 1)", def = "1") int batch,
      @Param(doc = "shuffle buffer, samples", def = "64") int shuffle_buffer,
      @Param(doc = "total training steps") long steps,
      @Param(doc = "stop after this many epochs without validation improvement (0 = off)", def = "0")
      int early_stopping,
      @Param(doc = "write a checkpoint every N steps (0 = only at the end)", def = "0") long checkpoint_every,
      @Param(doc = "continue from the last checkpoint in 'path' when there is one", def = "true") boolean resume,
      @Param(doc = "held-out share of images (by hash of the id without augmentation copy suffixes) when no "
          + "validation input is given, 0..0.9", def = "0.0")
      double validation_fraction,
      @Param(doc = "xavier_normal | xavier_uniform | he_normal | paper (N(0, sqrt(2/N)))", def = "paper")
      WeightInit initializer,
      @Param(doc = "cpu | gpu", def = "cpu") Device device,
      @Param(doc = "TensorFlow intra-op threads (0 = all cores)", def = "0") int threads,
      @Param(doc = "steps between progress lines", def = "10") int log_every,
      @Param(doc = "training seed; default: the pipeline seed", def = Param.NULL) Long seed) {

    UNetConfig unet() {
      return new UNetConfig(depth, filters, padding, upsampling, batch_norm, (float) dropout, classes, channels);
    }

    TrainConfig trainConfig(long pipelineSeed) {
      return TrainConfig.defaults(height, width).toBuilder()
          .loss(loss).optimizer(optimizer).learningRate(learning_rate).momentum(momentum).schedule(schedule)
          .exponentialDecay(decay_rate, decay_steps).plateau(plateau_factor, plateau_patience, 0)
          .batchSize(batch).shuffleBuffer(shuffle_buffer).steps(steps).earlyStopping(early_stopping, 0)
          .checkpointEvery(checkpoint_every).resume(resume).seed(seed == null ? pipelineSeed : seed)
          .initializer(initializer.initializer()).device(device).threads(threads, threads == 0 ? 0 : 1).logEvery(log_every)
          .build();
    }
  }

  /** The {@code Train} stage type. */
  @AutoService(Stage.class)
  public static final class Provider implements Stage<Config> {
    @Override
    public String type() {
      return "Train";
    }

    @Override
    public String description() {
      return "Train a U-Net with TensorFlow Java on the shards written upstream (one worker); emits a ModelArtifact";
    }

    @Override
    public Class<Config> configClass() {
      return Config.class;
    }

    @Override
    public InputSpec inputs() {
      return InputSpec.of(1, 2, ShardSet.class);
    }

    @Override
    public Class<?> outputType() {
      return ModelArtifact.class;
    }

    @Override
    public List<String> check(Config c) {
      List<String> errors = new ArrayList<>();
      try {
        UNetConfig u = c.unet();
        UNet.of(u).outputSize(c.height(), c.width());
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
      try {
        c.trainConfig(0).newSchedule();
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
      if (c.validation_fraction() < 0 || c.validation_fraction() > 0.9) {
        errors.add(String.format(Locale.ROOT, "'validation_fraction' must be in [0, 0.9], got %s", c.validation_fraction()));
      }
      if (c.dropout() > 0.95) {
        errors.add(String.format(Locale.ROOT, "'dropout' must be in [0, 0.95], got %s", c.dropout()));
      }
      return errors;
    }

    @Override
    @SuppressWarnings("unchecked")
    public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, Config c) {
      checkArgument(!(inputs.size() == 2 && c.validation_fraction() > 0),
          "stage %s: give either a second input (validation shards) or 'validation_fraction', not both", ctx.stageName());
      Train t = unet(c.unet(), c.trainConfig(ctx.seed()), ctx.output(c.path()))
          .withRun(ctx.pipelineName() + "/" + ctx.stageName() + "/" + (c.seed() == null ? ctx.seed() : c.seed()))
          .withConfigJson(ctx.configJson())
          .withValidationFraction(c.validation_fraction());
      if (inputs.size() == 2) {
        t = t.withValidation((PCollection<ShardSet>) inputs.get(1));
      }
      return ((PCollection<ShardSet>) inputs.get(0)).apply(ctx.stageName(), t);
    }
  }
}
