package org.unetpipelines.stages.eval;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTagList;
import java.util.Optional;
import org.unetpipelines.engine.BaseStage;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.Overlays;
import org.unetpipelines.eval.Predictor;
import org.unetpipelines.eval.ProbabilityMap;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.Coders;
import org.unetpipelines.stages.SampleResult;

/**
 * Predicts segmentations of (unlabelled) images with a model: for each sample, a 16-bit
 * foreground-probability PNG ({@code STEM_prob.png}, p * 65535) and a label PNG
 * ({@code STEM_label.png}: 255 = foreground p &gt; threshold, 0 = background, for a sigmoid model; the
 * most probable class index for a softmax model) in the output folder. Emits one sample per input
 * and model: image = the FLOAT32 foreground probability, mask = the label image. With several
 * models, file stems are prefixed with the model's run.
 *
 * <pre>{@code
 * images.apply(Predict.model(ModelSpec.read(Path.of("out/model"))).writeTo("out/predictions"));
 * }</pre>
 */
public final class Predict extends PTransform<PCollection<Sample>, SampleResult> {
  private final PCollection<ModelArtifact> artifacts;
  private final ModelArtifact fixed;
  private final InferenceConfig inference;
  private final String directory;
  private final String stageName;

  private Predict(PCollection<ModelArtifact> artifacts, ModelArtifact fixed, InferenceConfig inference, String directory,
      String stageName) {
    this.stageName = stageName;
    this.artifacts = artifacts;
    this.fixed = fixed;
    this.inference = inference;
    this.directory = directory;
  }

  public static Predict models(PCollection<ModelArtifact> artifacts) {
    checkArgument(artifacts != null, "model artifacts must not be null");
    return new Predict(artifacts, null, InferenceConfig.DEFAULT, null, "Predict");
  }

  public static Predict model(ModelSpec spec) {
    checkArgument(spec != null, "model spec must not be null");
    return new Predict(null, Evaluate.artifactOf(spec, "predict"), InferenceConfig.DEFAULT, null, "Predict");
  }

  public Predict withInference(InferenceConfig inference) {
    checkArgument(inference != null, "inference settings must not be null");
    return new Predict(artifacts, fixed, inference, directory, stageName);
  }

  /** Writes the probability and label PNGs into this folder (without it, only the samples are emitted). */
  public Predict writeTo(String directory) {
    checkArgument(directory != null && !directory.isBlank(), "output directory must not be empty");
    return new Predict(artifacts, fixed, inference, Path.of(directory).toAbsolutePath().normalize().toString(),
        stageName);
  }

  /** The name recorded in dead letters (default "Predict"). */
  public Predict withStageName(String name) {
    checkArgument(name != null && !name.isBlank(), "stage name must not be empty");
    return new Predict(artifacts, fixed, inference, directory, name);
  }

  @Override
  public SampleResult expand(PCollection<Sample> samples) {
    PCollection<ModelArtifact> models = artifacts != null ? artifacts
        : samples.getPipeline().apply("Model", Create.of(fixed).withCoder(Coders.modelArtifact()));
    PCollectionView<List<ModelArtifact>> view = models.apply("ModelsAsList", View.asList());
    PCollectionTuple out = samples.apply("Predict", ParDo.of(new PredictFn(view, inference, directory, stageName))
        .withSideInputs(view).withOutputTags(SampleResult.SAMPLES, TupleTagList.of(SampleResult.DEAD_LETTERS)));
    return new SampleResult(samples.getPipeline(), out.get(SampleResult.SAMPLES).setCoder(Coders.sample()),
        out.get(SampleResult.DEAD_LETTERS).setCoder(Coders.deadLetter()));
  }

  /**
   * Runs the models on one image and writes its PNGs; an image the model cannot read (wrong channel
   * count) becomes a dead letter, a model that fails fails the run.
   */
  static final class PredictFn extends ModelFn<Sample, Sample> {
    private final String directory;
    private final Counter images = Metrics.counter(Predict.class, "images");

    PredictFn(PCollectionView<List<ModelArtifact>> view, InferenceConfig inference, String directory, String stage) {
      super(view, inference, stage);
      this.directory = directory;
    }

    @ProcessElement
    public void process(@Element Sample s, ProcessContext ctx) {
      List<ModelArtifact> models = ctx.sideInput(view);
      ImageArray image = Tensors.toImage(s.getImage());
      List<Sample> results = new ArrayList<>();
      for (ModelArtifact a : models) {
        Predictor p = predictor(a);
        ProbabilityMap probs;
        try {
          probs = inference.predict(p, image);
        } catch (IllegalArgumentException e) {
          ctx.output(SampleResult.DEAD_LETTERS, DeadLetter.newBuilder().setInput(s.getId()).setStage(stage)
              .setReason("model " + a.getRun() + ": " + e.getMessage()).build());
          return;
        }
        ImageArray fg = probs.foregroundImage();
        int[] labels = probs.labels(inference.threshold());
        float[] lab = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
          lab[i] = probs.classes() == 1 ? labels[i] * 255f : labels[i];
        }
        ImageArray label = ImageArray.wrap(image.height(), image.width(), 1, ImageArray.Depth.U8, lab);
        if (directory != null) {
          String stem = (models.size() > 1 ? a.getRun() + "__" : "") + s.getId();
          write(Overlays.stem(stem), fg, label);
        }
        results.add(Sample.newBuilder(s).setImage(Tensors.toTensor(fg)).setMask(Tensors.toTensor(label))
            .setWeights(null).build());
      }
      results.forEach(r -> ctx.output(SampleResult.SAMPLES, r));
      images.inc();
    }

    private void write(String stem, ImageArray fg, ImageArray label) {
      try {
        Path dir = Files.createDirectories(Path.of(directory));
        Files.write(dir.resolve(stem + "_prob.png"), ImageCodec.encodePng(
            Overlays.probabilityImage(fg.height(), fg.width(), fg.data(), ImageArray.Depth.U16)));
        Files.write(dir.resolve(stem + "_label.png"), ImageCodec.encodePng(label));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write predictions for " + stem + " into " + directory, e);
      }
    }
  }

  /** YAML config of {@code Predict}. */
  public record Config(
      @Param(doc = "SavedModel folder with model.json; absent: use the ModelArtifact input (a Train stage)",
          def = Param.NULL) String model,
      @Param(doc = "how the model runs over whole images: its keys (mode, tile, overlap, batch, tta, head, "
          + "threshold of the label PNGs) are written in this mapping", inline = true) InferenceConfig inference,
      @Param(doc = "output folder (under the output root) for STEM_prob.png (16-bit) and STEM_label.png",
          def = "predictions") String path) {}

  /** The {@code Predict} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends BaseStage<Config> {
    public Provider() {
      super("Predict",
          "Run a model on images; write 16-bit probability PNGs and label PNGs",
          Config.class, InputSpec.of(1, 2, Sample.class, ModelArtifact.class), Sample.class);
    }

    @Override
    public List<String> check(Config c) {
      return c.inference().check(c.model());
    }

    @Override
    public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, Config c) {
      PCollection<Sample> samples = ModelSource.samples(ctx, inputs);
      Optional<PCollection<ModelArtifact>> models = ModelSource.artifacts(ctx, inputs, c.model());
      Predict t = models.isPresent() ? models(models.get()) : model(ModelSpec.read(Path.of(ctx.input(c.model()))));
      t = t.withInference(c.inference()).writeTo(ctx.output(c.path()));
      SampleResult r = samples.apply(ctx.stageName(), t.withStageName(ctx.stageName()));
      ctx.addDeadLetters(r.deadLetters());
      return r.samples();
    }
  }
}
