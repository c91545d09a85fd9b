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
import java.util.Map;
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
import org.unetpipelines.engine.ConfigChecks;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.image.ImageLimits;
import org.unetpipelines.io.ShardReader;
import org.unetpipelines.model.ModelConfig;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.records.Coders;
import org.unetpipelines.stages.augment.AugmentStep;
import org.unetpipelines.train.OnlineAugment;
import org.unetpipelines.train.TrainConfig;
import org.unetpipelines.train.Trainer;
import org.unetpipelines.train.task.Task;
import org.unetpipelines.train.task.Tasks;

/**
 * Trains a model of any family ({@code model: {family: ...}}) on the shards written upstream, on ONE worker: every incoming {@link ShardSet}
 * (emitted by WriteAvro / WriteTFRecord once its shards and manifest are written) is keyed to a
 * single key and gathered, and one {@link Trainer} run reads them. Emits one {@link ModelArtifact}.
 * Validation comes from a second ShardSet collection ({@link #withValidation}) or from a
 * deterministic split by sample-id hash ({@link #withValidationFraction}).
 *
 * <pre>{@code
 * PCollection<ModelArtifact> model = shardSets.apply(
 *     Train.of(UNetConfig.small(), TrainConfig.defaults(128, 128), "/out/model").withValidationFraction(0.1));
 * }</pre>
 */
public final class Train extends PTransform<PCollection<ShardSet>, PCollection<ModelArtifact>> {
  private final ModelConfig model;
  private final TrainConfig train;
  private final String outputDir;
  private final double validationFraction;
  private final transient PCollection<ShardSet> validation;
  private final String run;
  private final String configJson;
  private final OnlineAugment augment;

  private Train(ModelConfig model, TrainConfig train, String outputDir, double validationFraction,
      PCollection<ShardSet> validation, String run, String configJson, OnlineAugment augment) {
    this.augment = augment;
    this.model = model;
    this.train = train;
    this.outputDir = outputDir;
    this.validationFraction = validationFraction;
    this.validation = validation;
    this.run = run;
    this.configJson = configJson;
  }

  /** Trains {@code model} (any family) with {@code train} settings, writing under {@code outputDir}. */
  public static Train of(ModelConfig model, TrainConfig train, String outputDir) {
    checkNotNull(model, "model config must not be null");
    checkNotNull(train, "train config must not be null");
    checkArgument(outputDir != null && !outputDir.isBlank(), "output directory must not be empty, got '%s'", outputDir);
    Tasks.of(model, train); // rejects sizes that do not fit, naming valid ones
    return new Train(model, train, outputDir, 0, null, "train", "{}", OnlineAugment.NONE);
  }

  /** Validates on these shard sets after every epoch. */
  public Train withValidation(PCollection<ShardSet> shardSets) {
    checkNotNull(shardSets, "validation shard sets must not be null");
    return new Train(model, train, outputDir, validationFraction, shardSets, run, configJson, augment);
  }

  /** Holds out the samples whose id hashes below this fraction (0 = none) for validation. */
  public Train withValidationFraction(double fraction) {
    checkArgument(fraction >= 0 && fraction < 1, "validation fraction must be in [0, 1), got %s", fraction);
    return new Train(model, train, outputDir, fraction, validation, run, configJson, augment);
  }

  /** Run id recorded in the curve and the artifact. */
  public Train withRun(String id) {
    checkArgument(id != null && !id.isBlank() && !id.contains(","), "run id must be non-empty without commas, got '%s'", id);
    return new Train(model, train, outputDir, validationFraction, validation, id, configJson, augment);
  }

  /** The config recorded in the artifact (JSON). */
  public Train withConfigJson(String json) {
    checkNotNull(json, "config json must not be null");
    return new Train(model, train, outputDir, validationFraction, validation, run, json, augment);
  }

  /**
   * Augments every training sample of every step with this chain ({@link OnlineAugment}: drawn from
   * (seed, step, index), prepared in the background); validation samples stay as they are.
   */
  public Train withAugment(OnlineAugment chain) {
    checkNotNull(chain, "augmentation chain must not be null (OnlineAugment.NONE for none)");
    return new Train(model, train, outputDir, validationFraction, validation, run, configJson, chain);
  }

  @Override
  public PCollection<ModelArtifact> expand(PCollection<ShardSet> input) {
    checkArgument(validation == null || validationFraction == 0,
        "give either a validation input or a validation fraction (%s), not both", validationFraction);
    PCollectionView<List<ShardSet>> view = validation == null ? null
        : validation.apply("ValidationView", View.asList());
    ParDo.SingleOutput<KV<String, Iterable<ShardSet>>, ModelArtifact> fn =
        ParDo.of(new TrainFn(model, train, outputDir, validationFraction, view, run, configJson, augment));
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
    private final ModelConfig model;
    private final TrainConfig train;
    private final String outputDir;
    private final double validationFraction;
    private final PCollectionView<List<ShardSet>> validation;
    private final String run;
    private final String configJson;
    private final OnlineAugment augment;

    TrainFn(ModelConfig model, TrainConfig train, String outputDir, double validationFraction,
        PCollectionView<List<ShardSet>> validation, String run, String configJson, OnlineAugment augment) {
      this.augment = augment;
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
      c.output(Trainer.train(Tasks.of(model, train), train, augment, trainSet, validationSet, Path.of(outputDir), run,
          configJson));
    }
  }

  /** YAML config of {@code Train}: the output folder, the model (by family), the training keys, the split. */
  public record Config(
      @Param(doc = "output folder (checkpoints/, saved_model/, model.json, curve.csv/.avro), relative to the output root")
      String path,
      @Param(doc = "the network: {family: unet | wide_unet | unetpp | unetplus | ..., <that family's keys>}; "
          + "`unet-pipelines stages --families` lists every family's keys")
      ModelConfig model,
      @Param(doc = "online augmentation, drawn fresh for every training sample of every step from (seed, step, "
          + "index) in the background: a list of steps written as the augmentation stages, e.g. "
          + "[{type: Crop, mode: random, height: 380, width: 380}, {type: ElasticDeform, crop_height: 316, "
          + "crop_width: 316}, {type: Flip}, {type: Rotate, mode: right}] (copies must stay 1); "
          + "`unet-pipelines stages --families` lists each step's keys", def = "[]")
      List<AugmentStep> augment,
      @Param(doc = "training keys", inline = true) TrainConfig training,
      @Param(doc = "held-out share of images (by hash of the id without augmentation copy suffixes) when no "
          + "validation input is given", def = "0.0", min = 0, max = 0.9)
      double validation_fraction,
      @Param(doc = "training seed; default: the pipeline seed", def = Param.NULL, min = Long.MIN_VALUE,
          max = Long.MAX_VALUE) Long seed) {

    TrainConfig trainConfig(long pipelineSeed) {
      return training.toBuilder().seed(seed == null ? pipelineSeed : seed).build();
    }

    /** The {@code augment} steps as a chain (each step's op built and checked by its stage). */
    OnlineAugment onlineAugment() {
      OnlineAugment chain = OnlineAugment.NONE;
      for (AugmentStep step : augment) {
        chain = chain.then(step.type(), step.op());
      }
      return chain;
    }

    /** What is wrong with the {@code augment} steps, each naming its position and type. */
    List<String> augmentProblems() {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < augment.size(); i++) {
        AugmentStep step = augment.get(i);
        String where = "'augment[" + i + "]' (type " + step.type() + "): ";
        if (step.copies() != 1) {
          out.add(where + "copies must be 1 in Train's online augmentation (every step draws a fresh one), got "
              + step.copies());
          continue;
        }
        for (String p : step.problems()) {
          out.add(where + p);
        }
      }
      return out;
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
      return "Train a model (any family) with TensorFlow Java on the shards written upstream (one worker); "
          + "emits a ModelArtifact";
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
        Task task = Tasks.of(c.model(), c.training());
        errors.addAll(batchProblems(task, c.training().batchSize()));
      } catch (IllegalArgumentException e) {
        ConfigChecks.problemsOf(e).forEach(p -> errors.add("model: " + p));
      }
      try {
        c.training().newSchedule();
      } catch (IllegalArgumentException e) {
        errors.addAll(ConfigChecks.problemsOf(e));
      }
      errors.addAll(c.augmentProblems());
      return errors;
    }

    /**
     * One batch's feeds ({@link Task#feeds}: image, target, weights, ...) must each fit one float array
     * ({@link ImageLimits#MAX_VALUES} values), as {@code BatchStream} allocates them: refused here, before
     * anything runs, instead of when the first batch is filled.
     */
    static List<String> batchProblems(Task task, int batch) {
      List<String> out = new ArrayList<>();
      for (Map.Entry<String, long[]> f : task.feeds().entrySet()) {
        long values = batch;
        try {
          for (long d : f.getValue()) {
            values = Math.multiplyExact(values, d);
          }
        } catch (ArithmeticException overflow) {
          values = Long.MAX_VALUE;
        }
        if (values > ImageLimits.MAX_VALUES) {
          out.add(String.format(Locale.ROOT, "one batch's '%s' feed (batch %d x %s) holds %d values, more than the "
              + "%d one array can hold: lower 'batch' or 'height' / 'width'", f.getKey(), batch,
              java.util.Arrays.toString(f.getValue()), values, ImageLimits.MAX_VALUES));
        }
      }
      return out;
    }

    @Override
    @SuppressWarnings("unchecked")
    public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, Config c) {
      checkArgument(!(inputs.size() == 2 && c.validation_fraction() > 0),
          "stage %s: give either a second input (validation shards) or 'validation_fraction', not both", ctx.stageName());
      Train t = of(c.model(), c.trainConfig(ctx.seed()), ctx.output(c.path()))
          .withRun(ctx.pipelineName() + "/" + ctx.stageName() + "/" + (c.seed() == null ? ctx.seed() : c.seed()))
          .withConfigJson(ctx.configJson())
          .withValidationFraction(c.validation_fraction())
          .withAugment(c.onlineAugment());
      if (inputs.size() == 2) {
        t = t.withValidation((PCollection<ShardSet>) inputs.get(1));
      }
      return ((PCollection<ShardSet>) inputs.get(0)).apply(ctx.stageName(), t);
    }
  }
}
