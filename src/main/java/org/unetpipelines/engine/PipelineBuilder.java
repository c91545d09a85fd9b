package org.unetpipelines.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.stages.Coders;

/**
 * Translates a validated {@link PipelinePlan} into one Beam pipeline: stages in dependency order,
 * each stage's output counted ({@code <stage>:out}), every dead letter counted
 * ({@code <stage>:dead_lettered}) and written to {@code <out>/_deadletters/deadletters.jsonl}.
 */
public final class PipelineBuilder {
  public static final String OUT = "out";
  public static final String DEAD = "dead_lettered";
  public static final String DEAD_LETTER_FILE = "_deadletters/deadletters.jsonl";

  private PipelineBuilder() {}

  /** The stage outputs by stage name. */
  public record Built(Map<String, PCollection<?>> outputs, boolean hasDeadLetters) {}

  public static Built build(Pipeline p, PipelinePlan plan, OutputRoot root, Path inputBase) throws ValidationException {
    Coders.register(p);
    Map<String, PCollection<?>> outputs = new LinkedHashMap<>();
    List<PCollection<DeadLetter>> dead = new ArrayList<>();
    List<PipelineError> errors = new ArrayList<>();
    for (PipelinePlan.StagePlan sp : plan.stages()) {
      List<PCollection<?>> inputs = new ArrayList<>();
      sp.inputs().forEach(n -> inputs.add(outputs.get(n)));
      // A grid's branch stages see their cell's seed and write under grid/<cell>/.
      long seed = plan.grid().map(g -> g.seedOf(sp.name(), plan.seed())).orElse(plan.seed());
      OutputRoot stageRoot = plan.grid().map(g -> g.outputRootOf(sp.name(), root)).orElse(root);
      StageContext ctx = new StageContext(p, sp.name(), sp.type(), plan.name(), seed, stageRoot, inputBase, sp.configJson());
      PCollection<?> out;
      try {
        out = expand(sp, ctx, inputs);
      } catch (RuntimeException e) {
        errors.add(new PipelineError(plan.file(), sp.line(), sp.name(), describe(e)));
        continue;
      }
      outputs.put(sp.name(), count(out, sp.name()));
      for (PCollection<DeadLetter> d : ctx.deadLetters()) {
        dead.add(d.apply(sp.name() + "/CountDeadLetters", ParDo.of(new CountFn<DeadLetter>(sp.name(), DEAD)))
            .setCoder(Coders.deadLetter()));
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    if (!dead.isEmpty()) {
      PCollectionList.of(dead).apply("DeadLetters/Flatten", Flatten.pCollections())
          .apply("DeadLetters/Write", DeadLetters.to(root.resolve(DEAD_LETTER_FILE).toString()));
    }
    return new Built(outputs, !dead.isEmpty());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static PCollection<?> expand(PipelinePlan.StagePlan sp, StageContext ctx, List<PCollection<?>> inputs) {
    return ((Stage) sp.stage()).expand(ctx, inputs, sp.config());
  }

  private static String describe(RuntimeException e) {
    String m = e.getMessage();
    return m == null ? e.toString() : m;
  }

  @SuppressWarnings("unchecked")
  private static <T> PCollection<T> count(PCollection<T> out, String stage) {
    Coder<T> coder = out.getCoder();
    return out.apply(stage + "/CountOutput", ParDo.of(new CountFn<T>(stage, OUT))).setCoder(coder);
  }

  /** Passes elements through, counting them. */
  static final class CountFn<T> extends DoFn<T, T> {
    private final Counter counter;

    CountFn(String namespace, String name) {
      this.counter = Metrics.counter(namespace, name);
    }

    @ProcessElement
    public void process(@Element T e, OutputReceiver<T> out) {
      counter.inc();
      out.output(e);
    }
  }
}
