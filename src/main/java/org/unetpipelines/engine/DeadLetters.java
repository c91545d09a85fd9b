package org.unetpipelines.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DeadLetter;

/**
 * Writes every dead letter of a run to one JSON-lines file ({@code input, stage, reason}), sorted so
 * that reruns give the same file.
 */
public final class DeadLetters extends PTransform<PCollection<DeadLetter>, PDone> {
  private final OutputRoot root;
  private final String file;

  private DeadLetters(OutputRoot root, String file) {
    this.root = root;
    this.file = file;
  }

  /** The file {@code relative} under {@code root}; it is resolved again (symbolic links checked) when written. */
  public static DeadLetters to(OutputRoot root, String relative) {
    root.resolve(relative);
    return new DeadLetters(root, relative);
  }

  @Override
  public PDone expand(PCollection<DeadLetter> input) {
    input
        .apply("OneKey", WithKeys.of(0))
        .setCoder(KvCoder.of(VarIntCoder.of(), Coders.deadLetter()))
        .apply("Gather", GroupByKey.create())
        .apply("Write", ParDo.of(new WriteFn(root, file)));
    return PDone.in(input.getPipeline());
  }

  static final class WriteFn extends DoFn<KV<Integer, Iterable<DeadLetter>>, Void> {
    private final OutputRoot root;
    private final String file;

    WriteFn(OutputRoot root, String file) {
      this.root = root;
      this.file = file;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<DeadLetter>> kv) throws IOException {
      List<DeadLetter> all = new ArrayList<>();
      kv.getValue().forEach(all::add);
      all.sort(Comparator.comparing(DeadLetter::getStage).thenComparing(DeadLetter::getInput)
          .thenComparing(DeadLetter::getReason));
      Path p = root.resolve(file);
      Files.createDirectories(p.getParent());
      ObjectMapper json = new ObjectMapper();
      try (Writer w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
        for (DeadLetter d : all) {
          Map<String, String> m = new LinkedHashMap<>();
          m.put("input", d.getInput());
          m.put("stage", d.getStage());
          m.put("reason", d.getReason());
          w.write(json.writeValueAsString(m));
          w.write('\n');
        }
      }
    }
  }

}
