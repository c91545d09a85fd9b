package org.unetpipelines.stages.io;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.engine.BaseStage;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.io.ShardReader;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.stages.Coders;

/**
 * Reads the samples of shard folders written by {@link WriteShards} (Avro or TFRecord; the format
 * comes from the manifest). Either from a folder path, or from the {@link ShardSet}s emitted by a
 * write stage of the same pipeline (then reading starts after writing has finished).
 */
public final class ReadShards {
  private ReadShards() {}

  /** Reads a finished folder (it must have manifest.json when the pipeline is built). */
  public static PTransform<PBegin, PCollection<Sample>> from(String directory) {
    checkArgument(directory != null && !directory.isBlank(), "directory must not be empty");
    return new FromPath(directory);
  }

  /** Reads every folder named by the incoming ShardSets. */
  public static PTransform<PCollection<ShardSet>, PCollection<Sample>> fromShardSets() {
    return new FromShardSets();
  }

  static final class FromPath extends PTransform<PBegin, PCollection<Sample>> {
    private final String directory;

    FromPath(String directory) {
      this.directory = directory;
    }

    @Override
    public PCollection<Sample> expand(PBegin input) {
      Manifest m;
      try {
        m = Manifest.read(Path.of(directory));
      } catch (IOException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      List<String> files = new ArrayList<>();
      m.shards().forEach(s -> files.add(Path.of(directory).resolve(s.file()).toString()));
      return input.apply("ListShards", Create.of(files).withCoder(StringUtf8Coder.of()))
          .apply("Distribute", Reshuffle.viaRandomKey())
          .apply("ReadShard", ParDo.of(new ReadFileFn()))
          .setCoder(Coders.sample());
    }
  }

  static final class FromShardSets extends PTransform<PCollection<ShardSet>, PCollection<Sample>> {
    @Override
    public PCollection<Sample> expand(PCollection<ShardSet> input) {
      return input.apply("ListShards", ParDo.of(new FilesFn()))
          .setCoder(StringUtf8Coder.of())
          .apply("Distribute", Reshuffle.viaRandomKey())
          .apply("ReadShard", ParDo.of(new ReadFileFn()))
          .setCoder(Coders.sample());
    }
  }

  static final class FilesFn extends DoFn<ShardSet, String> {
    @ProcessElement
    public void process(@Element ShardSet s, OutputReceiver<String> out) {
      for (String f : s.getFiles()) {
        out.output(Path.of(s.getDirectory()).resolve(f).toString());
      }
    }
  }

  static final class ReadFileFn extends DoFn<String, Sample> {
    @ProcessElement
    public void process(@Element String file, OutputReceiver<Sample> out) throws IOException {
      for (Sample s : ShardReader.readFile(Path.of(file))) {
        out.output(s);
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
      if (!inputs.isEmpty()) {
        checkArgument(c.path() == null, "give either 'input' (a Write stage) or 'path', not both");
        return ((PCollection<ShardSet>) inputs.get(0)).apply(ctx.stageName(), fromShardSets());
      }
      checkArgument(c.path() != null, "give 'path' (a shard folder) or 'input' (a Write stage)");
      String dir = ctx.output(c.path());
      checkArgument(Files.isRegularFile(Path.of(dir, Manifest.FILE)),
          "'path': %s has no manifest.json (write it first, or take 'input' from the Write stage)", dir);
      return ctx.pipelineBegin().apply(ctx.stageName(), from(dir));
    }
  }
}
