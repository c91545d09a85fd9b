package org.unetpipelines.stages.io;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.auto.service.AutoService;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.io.ShardFiles;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardFormat;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.stages.Coders;

/**
 * Writes samples as Avro container files or TFRecord files of {@code tf.train.Example}s (feature
 * keys: {@link org.unetpipelines.io.ExampleCodec}) into one folder, then {@code manifest.json}, and
 * emits one {@link ShardSet} once everything is on disk. Output is deterministic: shard =
 * hash(id) mod n, sorted by id inside a shard ({@link ShardFiles}), so the same samples give
 * byte-identical files on every runner. Shard files left by an earlier run with another shard
 * count are removed.
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

  private WriteShards(ShardFormat format, String directory, int shards, long seed, String stageName,
      String stageType, String configJson) {
    this.format = format;
    this.directory = directory;
    this.shards = shards;
    this.seed = seed;
    this.stageName = stageName;
    this.stageType = stageType;
    this.configJson = configJson;
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
    return new WriteShards(format, Path.of(directory).toAbsolutePath().normalize().toString(), 1, 0, type, type, "{}");
  }

  public WriteShards withShards(int n) {
    checkArgument(n >= 1 && n <= 99999, "shards must be 1..99999, got %s", n);
    return new WriteShards(format, directory, n, seed, stageName, stageType, configJson);
  }

  /** The pipeline seed recorded in the manifest. */
  public WriteShards withSeed(long s) {
    return new WriteShards(format, directory, shards, s, stageName, stageType, configJson);
  }

  /** The stage name, type and config recorded in the manifest. */
  public WriteShards withProvenance(String name, String type, String config) {
    Manifest.json(config);
    return new WriteShards(format, directory, shards, seed, name, type, config);
  }

  @Override
  public PCollection<ShardSet> expand(PCollection<Sample> input) {
    PCollection<KV<Integer, Manifest.Shard>> written = input
        .apply("AssignShard", ParDo.of(new AssignShardFn(shards)))
        .setCoder(KvCoder.of(VarIntCoder.of(), Coders.sample()))
        .apply("GroupByShard", GroupByKey.create())
        .apply("WriteShard", ParDo.of(new WriteShardFn(directory, shards, format)))
        .setCoder(KvCoder.of(VarIntCoder.of(), SerializableCoder.of(Manifest.Shard.class)));
    PCollection<String> ids = input
        .apply("Ids", ParDo.of(new IdFn()))
        .setCoder(org.apache.beam.sdk.coders.StringUtf8Coder.of());
    PCollectionView<Map<Integer, Manifest.Shard>> shardView = written.apply("ShardView", View.asMap());
    PCollectionView<List<String>> idView = ids.apply("IdView", View.asList());
    return input.getPipeline()
        .apply("Finish", Create.of(directory))
        .apply("WriteManifest", ParDo.of(new ManifestFn(this, shardView, idView)).withSideInputs(shardView, idView))
        .setCoder(Coders.shardSet());
  }

  static final class AssignShardFn extends DoFn<Sample, KV<Integer, Sample>> {
    private final int shards;

    AssignShardFn(int shards) {
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element Sample s, OutputReceiver<KV<Integer, Sample>> out) {
      out.output(KV.of(ShardFiles.shardOf(s.getId(), shards), s));
    }
  }

  static final class IdFn extends DoFn<Sample, String> {
    @ProcessElement
    public void process(@Element Sample s, OutputReceiver<String> out) {
      out.output(s.getId());
    }
  }

  static final class WriteShardFn extends DoFn<KV<Integer, Iterable<Sample>>, KV<Integer, Manifest.Shard>> {
    private final String directory;
    private final int shards;
    private final ShardFormat format;

    WriteShardFn(String directory, int shards, ShardFormat format) {
      this.directory = directory;
      this.shards = shards;
      this.format = format;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Sample>> kv, OutputReceiver<KV<Integer, Manifest.Shard>> out)
        throws IOException {
      List<Sample> list = new ArrayList<>();
      kv.getValue().forEach(list::add);
      out.output(KV.of(kv.getKey(), ShardFiles.writeShard(Path.of(directory), kv.getKey(), shards, format, list)));
    }
  }

  /** Writes empty shards for shard numbers that got no samples, removes stale shards, writes the manifest. */
  static final class ManifestFn extends DoFn<String, ShardSet> {
    private final WriteShards spec;
    private final PCollectionView<Map<Integer, Manifest.Shard>> shardView;
    private final PCollectionView<List<String>> idView;

    ManifestFn(WriteShards spec, PCollectionView<Map<Integer, Manifest.Shard>> shardView,
        PCollectionView<List<String>> idView) {
      this.spec = spec;
      this.shardView = shardView;
      this.idView = idView;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      Path dir = Path.of(spec.directory);
      Map<Integer, Manifest.Shard> byIndex = new TreeMap<>(c.sideInput(shardView));
      List<Manifest.Shard> shards = new ArrayList<>();
      List<String> names = new ArrayList<>();
      long records = 0;
      for (int i = 0; i < spec.shards; i++) {
        Manifest.Shard s = byIndex.get(i);
        if (s == null) {
          s = ShardFiles.writeShard(dir, i, spec.shards, spec.format, List.of());
        }
        shards.add(s);
        names.add(s.file());
        records += s.records();
      }
      ShardFiles.deleteStale(dir, names);
      List<String> ids = new ArrayList<>(c.sideInput(idView));
      ids.sort(String::compareTo);
      JsonNode schema = spec.format == ShardFormat.AVRO
          ? Manifest.json(Sample.getClassSchema().toString())
          : Manifest.json(FEATURE_KEYS);
      Manifest m = new Manifest(spec.format.name().toLowerCase(java.util.Locale.ROOT), records, shards, schema,
          spec.seed, new Manifest.Stage(spec.stageName, spec.stageType, Manifest.json(spec.configJson)), ids);
      m.write(dir);
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
      @Param(doc = "number of shard files (samples go to hash(id) mod shards)", def = "1") int shards) implements Serializable {}

  /** Engine glue of the two write stage types; they differ only in format. */
  static class WriteProvider extends org.unetpipelines.engine.BaseStage<Config> {
    private final ShardFormat format;

    WriteProvider(String type, String description, ShardFormat format) {
      super(type, description, Config.class, org.unetpipelines.engine.InputSpec.one(Sample.class), ShardSet.class);
      this.format = format;
    }

    @Override
    public List<String> check(Config c) {
      return c.shards() < 1 || c.shards() > 99999 ? List.of("'shards' must be 1..99999, got " + c.shards()) : List.of();
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
