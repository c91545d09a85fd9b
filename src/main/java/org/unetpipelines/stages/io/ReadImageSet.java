package org.unetpipelines.stages.io;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.unetpipelines.io.Idx;
import org.unetpipelines.stages.Distribute;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.unetpipelines.engine.BaseStage;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.image.ImageLimits;
import org.unetpipelines.io.ImageSets;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/**
 * Reads a raw image set: PNG, JPEG, TIFF (multi-page stacks: one sample per page), 8/16-bit gray,
 * RGB(A); optionally paired with label masks; or IDX files (MNIST / Fashion-MNIST) with labels.
 * Unreadable inputs are never dropped: they come out as dead letters with the reason — also entries
 * that are not regular files (FIFOs, dangling links, folders named like images) and images whose
 * headers declare more than {@link #withMaxPixels max pixels} (refused before decoding).
 *
 * <pre>{@code
 * SampleResult r = p.apply(ReadImageSet.from("data/train/images/*.png").withMasks("data/train/labels/*.png"));
 * r.samples().apply(WriteShards.tfrecord("/tmp/out"));
 * }</pre>
 */
public final class ReadImageSet extends PTransform<PBegin, SampleResult> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReadImageSet.class);
  /** Counter of inputs considered (files, pages, IDX items), in namespace = stage name. */
  public static final String READ_COUNTER = "read";

  private final String images;
  private final String masks;
  private final String pair;
  private final String labels;
  private final long seed;
  private final String stageName;
  private final long maxPixels;

  private ReadImageSet(String images, String masks, String pair, String labels, long seed, String stageName,
      long maxPixels) {
    this.images = images;
    this.masks = masks;
    this.pair = pair;
    this.labels = labels;
    this.seed = seed;
    this.stageName = stageName;
    this.maxPixels = maxPixels;
  }

  /** Images from a glob ({@code dir/*.png}, {@code dir/**}{@code /*.tif}), a folder or one file. */
  public static ReadImageSet from(String images) {
    checkArgument(images != null && !images.isBlank(), "images pattern must not be empty");
    return new ReadImageSet(images, null, "{stem}", null, 0L, "ReadImageSet", ImageLimits.DEFAULT_MAX_PIXELS);
  }

  /** Label masks, paired with images by {@link #withPairRule the pair rule}. */
  public ReadImageSet withMasks(String masks) {
    checkArgument(masks != null && !masks.isBlank(), "masks pattern must not be empty");
    return new ReadImageSet(images, masks, pair, labels, seed, stageName, maxPixels);
  }

  /** Mask stem for an image stem: {@code "{stem}"} (default) or e.g. {@code "{stem}_mask"}. */
  public ReadImageSet withPairRule(String rule) {
    checkArgument(rule != null && rule.contains("{stem}"), "pair rule must contain {stem}, got '%s'", rule);
    return new ReadImageSet(images, masks, rule, labels, seed, stageName, maxPixels);
  }

  /**
   * IDX labels file for IDX images, or {@link ImageSets#FOLDER_LABELS} ("folders"): {@code images}
   * is a folder of class folders, and each image's label is its class folder's index in sorted order.
   */
  public ReadImageSet withLabels(String labels) {
    checkArgument(labels != null && !labels.isBlank(), "labels path must not be empty");
    return new ReadImageSet(images, masks, pair, labels, seed, stageName, maxPixels);
  }

  /** The pipeline seed recorded in each sample. */
  public ReadImageSet withSeed(long seed) {
    return new ReadImageSet(images, masks, pair, labels, seed, stageName, maxPixels);
  }

  /** The name used for this stage's counters and in its dead letters (default "ReadImageSet"). */
  public ReadImageSet withStageName(String name) {
    checkArgument(name != null && !name.isBlank(), "stage name must not be empty");
    return new ReadImageSet(images, masks, pair, labels, seed, name, maxPixels);
  }

  /**
   * The most pixels decoded from one file (all pages of a stack together; for IDX files, all
   * values); larger files become dead letters before their pixels are decoded. Default
   * {@link ImageLimits#DEFAULT_MAX_PIXELS}.
   */
  public ReadImageSet withMaxPixels(long max) {
    checkArgument(max >= 1 && max <= ImageLimits.MAX_VALUES, "max pixels must be 1..%s, got %s",
        ImageLimits.MAX_VALUES, max);
    return new ReadImageSet(images, masks, pair, labels, seed, stageName, max);
  }

  /** Problems with the inputs that can be found before running (nothing matches...). */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (ImageSets.FOLDER_LABELS.equals(labels)) {
      if (masks != null) {
        out.add("'labels: " + ImageSets.FOLDER_LABELS + "' gives image-level classes; it does not go with 'masks'");
      }
      if (!Files.isDirectory(Path.of(images))) {
        out.add("'labels: " + ImageSets.FOLDER_LABELS + "' needs 'images' to be a folder of class folders, got '"
            + images + "'");
      } else if (ImageSets.folderClasses(images).isEmpty()) {
        out.add("'labels: " + ImageSets.FOLDER_LABELS + "': '" + images + "' has no class folders (images/<class>/...)");
      }
      return out;
    }
    if (ImageSets.inputs(images).isEmpty()) {
      out.add("'images': no files match '" + images + "' (relative paths resolve against "
          + Path.of("").toAbsolutePath() + ")");
    }
    if (masks != null && ImageSets.inputs(masks).isEmpty()) {
      out.add("'masks': no files match '" + masks + "'");
    }
    if (labels != null && !Files.isRegularFile(Path.of(labels))) {
      out.add("'labels': no such file '" + labels + "'");
    }
    return out;
  }

  @Override
  public SampleResult expand(PBegin input) {
    List<String> problems = problems();
    checkArgument(problems.isEmpty(), "%s", String.join("; ", problems));
    boolean folders = ImageSets.FOLDER_LABELS.equals(labels);
    if (folders) {
      List<String> classes = ImageSets.folderClasses(images);
      StringBuilder m = new StringBuilder();
      for (int k = 0; k < classes.size(); k++) {
        m.append(k == 0 ? "" : ", ").append(k).append(" = ").append(classes.get(k));
      }
      LOG.info("{}: classes from the folders of {}: {}", stageName, images, m);
    }
    List<ImageSets.Task> tasks = folders ? ImageSets.planFolders(images) : ImageSets.plan(images, masks, pair, labels);
    PCollectionTuple out = input
        .apply("ListFiles", Create.of(tasks).withCoder(SerializableCoder.of(ImageSets.Task.class)))
        .apply("Distribute", Distribute.evenly())
        .apply("Decode", ParDo.of(new ReadFn(stageName, seed, maxPixels))
            .withOutputTags(SampleResult.SAMPLES, TupleTagList.of(SampleResult.DEAD_LETTERS)));
    PCollection<Sample> samples = out.get(SampleResult.SAMPLES).setCoder(Coders.sample());
    if (tasks.stream().anyMatch(t -> Idx.looksLikeIdx(Path.of(t.image()).getFileName().toString()))) {
      // an IDX file is one task but thousands of samples: spread them too, so later stages run in parallel
      samples = samples.apply("DistributeSamples", Distribute.evenly());
    }
    PCollection<DeadLetter> dead = out.get(SampleResult.DEAD_LETTERS).setCoder(Coders.deadLetter());
    return new SampleResult(input.getPipeline(), samples, dead);
  }

  /** Decodes one task into samples and dead letters. */
  static final class ReadFn extends DoFn<ImageSets.Task, Sample> {
    private final String stage;
    private final long seed;
    private final long maxPixels;
    private final Counter read;

    ReadFn(String stage, long seed, long maxPixels) {
      this.stage = stage;
      this.seed = seed;
      this.maxPixels = maxPixels;
      this.read = Metrics.counter(stage, READ_COUNTER);
    }

    @ProcessElement
    public void process(@Element ImageSets.Task task, MultiOutputReceiver out) {
      for (ImageSets.Outcome o : ImageSets.read(task, seed, maxPixels)) {
        read.inc();
        if (o.isOk()) {
          out.get(SampleResult.SAMPLES).output(o.sample());
        } else {
          out.get(SampleResult.DEAD_LETTERS).output(
              DeadLetter.newBuilder().setInput(o.input()).setStage(stage).setReason(o.reason()).build());
        }
      }
    }
  }

  /** YAML config of {@code ReadImageSet}. */
  public record Config(
      @Param(doc = "images: a glob (dir/*.png, dir/**/*.tif), a folder, or one file (PNG, JPEG, TIFF incl. multi-page, or IDX)")
          String images,
      @Param(doc = "label masks: glob / folder / file; paired with images by 'pair'", def = Param.NULL)
          String masks,
      @Param(doc = "mask file stem for an image stem; {stem} is replaced, e.g. '{stem}_mask'", def = "'{stem}'")
          String pair,
      @Param(doc = "image-level class labels: an IDX labels file (for IDX images), or 'folders' (images is a folder "
          + "of class folders, images/<class>/...; sorted folder names are classes 0..K-1)", def = Param.NULL)
          String labels,
      @Param(doc = "most pixels decoded from one file (all pages of a stack; all values of an IDX file); larger "
          + "files become dead letters before decoding", def = "" + ImageLimits.DEFAULT_MAX_PIXELS,
          min = 1, max = ImageLimits.MAX_VALUES)
          long max_pixels) {}

  /** The {@code ReadImageSet} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends BaseStage<Config> {
    public Provider() {
      super("ReadImageSet",
          "Read PNG/JPEG/TIFF (multi-page) or IDX images, optionally paired with masks; bad files become dead letters",
          Config.class, InputSpec.none(), Sample.class);
    }

    @Override
    public List<String> check(Config c) {
      List<String> out = new ArrayList<>();
      if (!c.pair().contains("{stem}")) {
        out.add("'pair' must contain {stem}, got '" + c.pair() + "'");
      }
      ReadImageSet t = ReadImageSet.from(c.images());
      if (c.masks() != null) {
        t = t.withMasks(c.masks());
      }
      if (c.labels() != null) {
        t = t.withLabels(c.labels());
      }
      out.addAll(t.problems());
      return out;
    }

    @Override
    public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, Config c) {
      ReadImageSet t = ReadImageSet.from(ctx.input(c.images())).withPairRule(c.pair()).withSeed(ctx.seed())
          .withStageName(ctx.stageName()).withMaxPixels(c.max_pixels());
      if (c.masks() != null) {
        t = t.withMasks(ctx.input(c.masks()));
      }
      if (c.labels() != null) {
        t = t.withLabels(ImageSets.FOLDER_LABELS.equals(c.labels()) ? c.labels() : ctx.input(c.labels()));
      }
      SampleResult r = ctx.pipelineBegin().apply(ctx.stageName(), t);
      ctx.addDeadLetters(r.deadLetters());
      return r.samples();
    }
  }
}
