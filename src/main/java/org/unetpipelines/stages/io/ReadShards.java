package org.unetpipelines.stages.io;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.unetpipelines.stages.Distribute;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.unetpipelines.engine.BaseStage;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.io.ShardReader;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.stages.SampleResult;

/**
 * Reads the samples of shard folders written by {@link WriteShards} (Avro or TFRecord; the format
 * comes from the manifest). Either from a folder path, or from the {@link ShardSet}s emitted by a
 * write stage of the same pipeline (then reading starts after writing has finished). Every shard
 * file's SHA-256 is checked against the manifest before any of its samples is emitted; a file that
 * does not match (or is missing) becomes one dead letter naming it, and the other shards are read.
 */
public final class ReadShards {
  private ReadShards() {}

  /** Reads a finished folder (it must have manifest.json when the pipeline is built). */
  public static FromPath from(String directory) {
    checkArgument(directory != null && !directory.isBlank(), "directory must not be empty");
    return new FromPath(directory, "ReadShards");
  }

  /** Reads every folder named by the incoming ShardSets. */
  public static FromShardSets fromShardSets() {
    return new FromShardSets("ReadShards");
  }

  /** Reading one folder given by its path. */
  public static final class FromPath extends PTransform<PBegin, SampleResult> {
    private final String directory;
    private final String stageName;

    private FromPath(String directory, String stageName) {
      this.directory = directory;
      this.stageName = stageName;
    }

    /** The stage name written into dead letters (default "ReadShards"). */
    public FromPath withStageName(String name) {
      checkArgument(name != null && !name.isBlank(), "stage name must not be empty");
      return new FromPath(directory, name);
    }

    @Override
    public SampleResult expand(PBegin input) {
      Manifest m;
      try {
        m = Manifest.read(Path.of(directory));
      } catch (IOException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      List<KV<String, String>> files = new ArrayList<>();
      m.shards().forEach(s -> files.add(KV.of(Path.of(directory).resolve(s.file()).toString(), nullToEmpty(s.sha256()))));
      return read(input.apply("ListShards", Create.of(files).withCoder(FILE_CODER)), stageName);
    }
  }

  /** Reading the folders named by ShardSets. */
  public static final class FromShardSets extends PTransform<PCollection<ShardSet>, SampleResult> {
    private final String stageName;

    private FromShardSets(String stageName) {
      this.stageName = stageName;
    }

    /** The stage name written into dead letters (default "ReadShards"). */
    public FromShardSets withStageName(String name) {
      checkArgument(name != null && !name.isBlank(), "stage name must not be empty");
      return new FromShardSets(name);
    }

    @Override
    public SampleResult expand(PCollection<ShardSet> input) {
      return read(input.apply("ListShards", ParDo.of(new FilesFn())).setCoder(FILE_CODER), stageName);
    }
  }

  /** (shard file path, SHA-256 from the manifest). */
  private static final KvCoder<String, String> FILE_CODER = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static SampleResult read(PCollection<KV<String, String>> files, String stageName) {
    PCollectionTuple out = files
        .apply("Distribute", Distribute.evenly())
        .apply("ReadShard", ParDo.of(new ReadFileFn(stageName))
            .withOutputTags(SampleResult.SAMPLES, TupleTagList.of(SampleResult.DEAD_LETTERS)));
    return new SampleResult(files.getPipeline(), out.get(SampleResult.SAMPLES).setCoder(Coders.sample()),
        out.get(SampleResult.DEAD_LETTERS).setCoder(Coders.deadLetter()));
  }

  /** The shard files of each ShardSet's folder, with their checksums from its manifest. */
  static final class FilesFn extends DoFn<ShardSet, KV<String, String>> {
    @ProcessElement
    public void process(@Element ShardSet s, OutputReceiver<KV<String, String>> out) throws IOException {
      Path dir = Path.of(s.getDirectory());
      for (Manifest.Shard shard : Manifest.read(dir).shards()) {
        out.output(KV.of(dir.resolve(shard.file()).toString(), nullToEmpty(shard.sha256())));
      }
    }
  }

  /** Verifies one shard file, then streams its samples; a file that fails the check is a dead letter. */
  static final class ReadFileFn extends DoFn<KV<String, String>, Sample> {
    private final String stageName;

    ReadFileFn(String stageName) {
      this.stageName = stageName;
    }

    @ProcessElement
    public void process(@Element KV<String, String> file, MultiOutputReceiver out) {
      Path path = Path.of(file.getKey());
      try {
        ShardReader.verify(path, file.getValue());
      } catch (IOException e) {
        out.get(SampleResult.DEAD_LETTERS).output(DeadLetter.newBuilder().setInput(file.getKey())
            .setStage(stageName).setReason(e.getMessage()).build());
        return;
      }
      for (Sample s : ShardReader.stream(path)) {
        out.get(SampleResult.SAMPLES).output(s);
      }
    }
  }

  /** YAML config of {@code ReadShards}. */
  public record Config(
      @Param(doc = "shard folder with manifest.json (relative to the output root); omit when 'input' is a Write stage",
          def = Param.NULL) String path) {}

  /** The {@code ReadShards} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends BaseStage<Config> {
    public Provider() {
      super("ReadShards", "Read Avro / TFRecord shards back as samples, from a folder or from a Write stage's output",
          Config.class, InputSpec.of(0, 1, ShardSet.class), Sample.class);
    }

    @Override
    @SuppressWarnings("unchecked")
    public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, Config c) {
      SampleResult r;
      if (!inputs.isEmpty()) {
        checkArgument(c.path() == null, "give either 'input' (a Write stage) or 'path', not both");
        r = ((PCollection<ShardSet>) inputs.get(0)).apply(ctx.stageName(),
            fromShardSets().withStageName(ctx.stageName()));
      } else {
        checkArgument(c.path() != null, "give 'path' (a shard folder) or 'input' (a Write stage)");
        String dir = ctx.outputToRead(c.path());
        checkArgument(Files.isRegularFile(Path.of(dir, Manifest.FILE)),
            "'path': %s has no manifest.json (write it first, or take 'input' from the Write stage)", dir);
        r = ctx.pipelineBegin().apply(ctx.stageName(), from(dir).withStageName(ctx.stageName()));
      }
      ctx.addDeadLetters(r.deadLetters());
      return r.samples();
    }
  }
}
