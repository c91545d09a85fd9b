package org.unetpipelines.stages.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.io.Manifest;
import org.unetpipelines.io.ShardReader;
import org.unetpipelines.records.Sample;

/** The stages in a hand-written Beam pipeline, no engine: the README's example. */
class EmbeddingTest {
  @Test
  void readImageSetThenWriteTfrecordInPlainBeam(@TempDir Path out) throws Exception {
    // --- as in README.md ---
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply("Read", ReadImageSet.from("../shared/data/isbi2012/train/images/*.png")
            .withMasks("../shared/data/isbi2012/train/labels/*.png"))
        .samples()
        .apply("Write", WriteShards.tfrecord(out.toString()).withShards(2));
    p.run().waitUntilFinish();
    // ---
    assertEquals(24, Manifest.read(out).records());
    List<Sample> back = new ArrayList<>();
    ShardReader.read(out).forEach(back::add);
    assertEquals(24, back.size());
  }
}
