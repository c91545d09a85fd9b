package org.unetpipelines.stages.io;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.auto.service.AutoService;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.io.ShardFiles;
import org.unetpipelines.io.SortedRuns;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardFormat;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.records.Coders;

/**
 * Writes samples as Avro container files or TFRecord files of {@code tf.train.Example}s (feature
 * keys: {@link org.unetpipelines.io.ExampleCodec}) into one folder, then {@code manifest.json}, and
 * emits one {@link ShardSet} once everything is on disk. Output is deterministic: shard =
 * hash(id) mod n, sorted by id inside a shard ({@link ShardFiles}), so the same samples give
 * byte-identical files on every runner.
 *
 * <p>Memory stays bounded whatever the data size: samples are not grouped by shard. Each bundle
 * keeps at most {@link #withSortBufferBytes sort-buffer} bytes of encoded samples, spills them as
 * id-sorted run files, and only the run files' names are grouped; each shard is then written by a
 * k-way merge of its runs ({@link SortedRuns}). Everything, runs included, is written into a staging
 * sibling folder {@code .<name>.writing-<uuid>} (on the same file system as the output, so every
 * worker of a cluster sees it), and the finished folder replaces the old one at the end
 * ({@link ShardFiles#replaceFolder}): a rerun, interrupted or not, never leaves an old manifest beside
 * new shards, and shards of an earlier run with another shard count disappear with the old folder.
 * Disk use while writing: the run files (about the encoded size of the samples) plus the new shards.
 *
 * <pre>{@code samples.apply(WriteShards.tfrecord("/data/out/train").withShards(4)); }</pre>
 */
public final class WriteShards extends PTransform<PCollection<Sample>, PCollection<ShardSet>> {
  private final ShardFormat format;
  private final String directory;
  private final int shards;
  private final long seed;
  private final String stageName;
  private final String stageType;
  private final String configJson;
  private final long sortBufferBytes;
  private final int mergeFanIn;

  private WriteShards(ShardFormat format, String directory, int shards, long seed, String stageName,
      String stageType, String configJson, long sortBufferBytes, int mergeFanIn) {
    this.format = format;
    this.directory = directory;
    this.shards = shards;
    this.seed = seed;
    this.stageName = stageName;
    this.stageType = stageType;
    this.configJson = configJson;
    this.sortBufferBytes = sortBufferBytes;
    this.mergeFanIn = mergeFanIn;
  }

  public static WriteShards avro(String directory) {
    return to(ShardFormat.AVRO, directory);
  }

  public static WriteShards tfrecord(String directory) {
    return to(ShardFormat.TFRECORD, directory);
  }

  public static WriteShards to(ShardFormat format, String directory) {
    checkArgument(directory != null && !directory.isBlank(), "output directory must not be empty");
    String type = format == ShardFormat.AVRO ? "WriteAvro" : "WriteTFRecord";
    Path dir = Path.of(directory).toAbsolutePath().normalize();
    checkArgument(dir.getParent() != null, "output directory must not be the file system root, got %s", directory);
    return new WriteShards(format, dir.toString(), 1, 0, type, type, "{}",
        SortedRuns.DEFAULT_BUFFER_BYTES, SortedRuns.DEFAULT_FAN_IN);
  }

  public WriteShards withShards(int n) {
    checkArgument(n >= 1 && n <= MAX_SHARDS, "shards must be 1..%s, got %s", MAX_SHARDS, n);
    return new WriteShards(format, directory, n, seed, stageName, stageType, configJson, sortBufferBytes, mergeFanIn);
  }

  /** The pipeline seed recorded in the manifest. */
  public WriteShards withSeed(long s) {
    return new WriteShards(format, directory, shards, s, stageName, stageType, configJson, sortBufferBytes, mergeFanIn);
  }

  /** The stage name, type and config recorded in the manifest. */
  public WriteShards withProvenance(String name, String type, String config) {
    Manifest.json(config);
    return new WriteShards(format, directory, shards, seed, name, type, config, sortBufferBytes, mergeFanIn);
  }

  /**
   * Encoded sample bytes one writer (one bundle) holds before spilling a sorted run to disk
   * (default {@link SortedRuns#DEFAULT_BUFFER_BYTES}); memory use is about this times the number of
   * bundles written at once. Smaller means more, smaller runs; the shard bytes do not change.
   */
  public WriteShards withSortBufferBytes(long bytes) {
    checkArgument(bytes >= 1, "sort buffer must be >= 1 byte, got %s", bytes);
    return new WriteShards(format, directory, shards, seed, stageName, stageType, configJson, bytes, mergeFanIn);
  }

  /** Run files merged at once (default {@link SortedRuns#DEFAULT_FAN_IN}); more runs are merged in passes. */
  public WriteShards withMergeFanIn(int runs) {
    checkArgument(runs >= 2 && runs <= 1024, "merge fan-in must be 2..1024 run files, got %s", runs);
    return new WriteShards(format, directory, shards, seed, stageName, stageType, configJson, sortBufferBytes, runs);
  }

  @Override
  public PCollection<ShardSet> expand(PCollection<Sample> input) {
    checkArgument(input.getWindowingStrategy().getWindowFn() instanceof GlobalWindows,
        "WriteShards writes one folder per run: its input must be in the global window, got %s",
        input.getWindowingStrategy().getWindowFn());
    try {
      ShardFiles.checkReplaceable(Path.of(directory));
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    String token = UUID.randomUUID().toString();
    Folders folders = new Folders(ShardFiles.stagingFolder(Path.of(directory), token).toString(), token);
    PCollection<KV<Integer, Manifest.Shard>> written = input
        .apply("SpillSortedRuns", ParDo.of(new SpillFn(folders, shards, sortBufferBytes)))
        .setCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()))
        .apply("GroupRunsByShard", GroupByKey.create())
        .apply("MergeShard", ParDo.of(new MergeShardFn(folders, shards, format, mergeFanIn)))
        .setCoder(KvCoder.of(VarIntCoder.of(), SerializableCoder.of(Manifest.Shard.class)));
    PCollection<String> ids = input
        .apply("Ids", ParDo.of(new IdFn()))
        .setCoder(StringUtf8Coder.of());
    PCollectionView<Map<Integer, Manifest.Shard>> shardView = written.apply("ShardView", View.asMap());
    PCollectionView<List<String>> idView = ids.apply("IdView", View.asList());
    return input.getPipeline()
        .apply("Finish", Create.of(directory))
        .apply("WriteManifest", ParDo.of(new ManifestFn(this, folders, shardView, idView))
            .withSideInputs(shardView, idView))
        .setCoder(Coders.shardSet());
  }

  /** Where one run writes: the staging sibling of the output folder (runs in {@code .runs/} inside it), the run's token. */
  record Folders(String staging, String token) implements Serializable {
    Path runs() {
      return Path.of(staging).resolve(".runs");
    }
  }

  /** Counter (namespace WriteShards) of sorted run files spilled. */
  public static final String SPILLED_RUNS = "spilled_runs";

  /** Most shard files of one write (part-NNNNN-of-NNNNN names have five digits). */
  public static final int MAX_SHARDS = 99_999;

  /** Buffers a bundle's samples and spills them as id-sorted run files; emits (shard, run file name). */
  static final class SpillFn extends DoFn<Sample, KV<Integer, String>> {
    private final Counter spilled = Metrics.counter(WriteShards.class, SPILLED_RUNS);
    private final Folders folders;
    private final int shards;
    private final long bufferBytes;
    private transient SortedRuns.Spiller spiller;

    SpillFn(Folders folders, int shards, long bufferBytes) {
      this.folders = folders;
      this.shards = shards;
      this.bufferBytes = bufferBytes;
    }

    @StartBundle
    public void start() {
      spiller = new SortedRuns.Spiller(folders.runs(), bufferBytes);
    }

    @ProcessElement
    public void process(@Element Sample s) throws IOException {
      spiller.add(ShardFiles.shardOf(s.getId(), shards), s);
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      for (SortedRuns.Run run : spiller.flush()) {
        spilled.inc();
        c.output(KV.of(run.shard(), run.file()), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
      spiller = null;
    }
  }

  static final class IdFn extends DoFn<Sample, String> {
    @ProcessElement
    public void process(@Element Sample s, OutputReceiver<String> out) {
      out.output(s.getId());
    }
  }

  /** Writes one shard into the staging folder by merging its run files. */
  static final class MergeShardFn extends DoFn<KV<Integer, Iterable<String>>, KV<Integer, Manifest.Shard>> {
    private final Folders folders;
    private final int shards;
    private final ShardFormat format;
    private final int fanIn;

    MergeShardFn(Folders folders, int shards, ShardFormat format, int fanIn) {
      this.folders = folders;
      this.shards = shards;
      this.format = format;
      this.fanIn = fanIn;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<String>> kv, OutputReceiver<KV<Integer, Manifest.Shard>> out)
        throws IOException {
      List<String> runs = new ArrayList<>();
      kv.getValue().forEach(runs::add);
      Manifest.Shard shard;
      try (SortedRuns.Merged merged = SortedRuns.merge(folders.runs(), runs, fanIn)) {
        shard = ShardFiles.writeSortedShard(Path.of(folders.staging()), kv.getKey(), shards, format, merged);
      }
      out.output(KV.of(kv.getKey(), shard));
    }
  }

  /**
   * Writes empty shards for shard numbers that got no samples, deletes the run files, writes the
   * manifest into the staging folder and swaps it in place of the output folder.
   */
  static final class ManifestFn extends DoFn<String, ShardSet> {
    private final WriteShards spec;
    private final Folders folders;
    private final PCollectionView<Map<Integer, Manifest.Shard>> shardView;
    private final PCollectionView<List<String>> idView;

    ManifestFn(WriteShards spec, Folders folders, PCollectionView<Map<Integer, Manifest.Shard>> shardView,
        PCollectionView<List<String>> idView) {
      this.spec = spec;
      this.folders = folders;
      this.shardView = shardView;
      this.idView = idView;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      Path dir = Path.of(spec.directory);
      Path staging = Path.of(folders.staging());
      Map<Integer, Manifest.Shard> byIndex = new TreeMap<>(c.sideInput(shardView));
      List<Manifest.Shard> shards = new ArrayList<>();
      List<String> names = new ArrayList<>();
      long records = 0;
      for (int i = 0; i < spec.shards; i++) {
        Manifest.Shard s = byIndex.get(i);
        if (s == null) {
          s = ShardFiles.writeShard(staging, i, spec.shards, spec.format, List.of());
        }
        shards.add(s);
        names.add(s.file());
        records += s.records();
      }
      if (Files.exists(folders.runs())) {
        MoreFiles.deleteRecursively(folders.runs(), RecursiveDeleteOption.ALLOW_INSECURE);
      }
      List<String> ids = new ArrayList<>(c.sideInput(idView));
      ids.sort(String::compareTo);
      JsonNode schema = spec.format == ShardFormat.AVRO
          ? Manifest.json(Sample.getClassSchema().toString())
          : Manifest.json(FEATURE_KEYS);
      Manifest m = new Manifest(spec.format.name().toLowerCase(java.util.Locale.ROOT), records, shards, schema,
          spec.seed, new Manifest.Stage(spec.stageName, spec.stageType, Manifest.json(spec.configJson)), ids);
      m.write(staging);
      ShardFiles.replaceFolder(staging, dir, folders.token());
      c.output(ShardSet.newBuilder()
          .setDirectory(spec.directory)
          .setFormat(spec.format)
          .setFiles(names)
          .setRecords(records)
          .setManifest(dir.resolve(Manifest.FILE).toString())
          .build());
    }
  }

  /** The TFRecord feature keys, as recorded in manifests (see ExampleCodec). */
  static final String FEATURE_KEYS = "{\"tf.train.Example\": {"
      + "\"sample/id\": \"bytes\", \"sample/source\": \"bytes\", \"sample/seed\": \"int64\", \"sample/copy\": \"int64\","
      + "\"image/encoded\": \"bytes (PNG, or raw float32 LE when image/format = raw_float32)\", \"image/format\": \"bytes\","
      + "\"image/height\": \"int64\", \"image/width\": \"int64\", \"image/channels\": \"int64\", \"image/bit_depth\": \"int64\","
      + "\"mask/encoded\": \"bytes (PNG), optional\", \"mask/format\": \"bytes\", \"mask/height\": \"int64\", \"mask/width\": \"int64\","
      + "\"mask/channels\": \"int64\", \"mask/bit_depth\": \"int64\","
      + "\"weights/raw\": \"bytes (float32 LE, height x width), optional\", \"weights/height\": \"int64\", \"weights/width\": \"int64\","
      + "\"label\": \"int64, optional\", \"augment/stage\": \"bytes list\", \"augment/name\": \"bytes list\","
      + "\"augment/value\": \"float list\", \"augment/value_f64\": \"bytes (float64 BE values)\"}}";

  /** YAML config of {@code WriteAvro} and {@code WriteTFRecord}. */
  public record Config(
      @Param(doc = "output folder, relative to the output root (--out)") String path,
      @Param(doc = "number of shard files (samples go to hash(id) mod shards)", def = "1", min = 1, max = MAX_SHARDS)
      int shards) implements Serializable {}

  /** Engine glue of the two write stage types; they differ only in format. */
  static class WriteProvider extends org.unetpipelines.engine.BaseStage<Config> {
    private final ShardFormat format;

    WriteProvider(String type, String description, ShardFormat format) {
      super(type, description, Config.class, org.unetpipelines.engine.InputSpec.one(Sample.class), ShardSet.class);
      this.format = format;
    }

    @Override
    @SuppressWarnings("unchecked")
    public PCollection<?> expand(org.unetpipelines.engine.StageContext ctx, List<PCollection<?>> inputs, Config c) {
      return ((PCollection<Sample>) inputs.get(0)).apply(ctx.stageName(),
          WriteShards.to(format, ctx.output(c.path())).withShards(c.shards()).withSeed(ctx.seed())
              .withProvenance(ctx.stageName(), ctx.stageType(), ctx.configJson()));
    }
  }

  /** The {@code WriteAvro} stage type. */
  @AutoService(Stage.class)
  public static final class AvroProvider extends WriteProvider {
    public AvroProvider() {
      super("WriteAvro", "Write samples as deterministic Avro shards (schemas/Sample.avsc) + manifest.json", ShardFormat.AVRO);
    }
  }

  /** The {@code WriteTFRecord} stage type. */
  @AutoService(Stage.class)
  public static final class TFRecordProvider extends WriteProvider {
    public TFRecordProvider() {
      super("WriteTFRecord", "Write samples as deterministic TFRecord shards of tf.train.Example + manifest.json",
          ShardFormat.TFRECORD);
    }
  }
}
