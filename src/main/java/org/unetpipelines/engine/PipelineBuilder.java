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
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DeadLetter;

/**
 * Translates a validated {@link PipelinePlan} into one Beam pipeline: stages in dependency order,
 * each stage's output counted ({@code <stage>:out}), every dead letter counted
 * ({@code <stage>:dead_lettered}) and written to {@code <out>/_deadletters/deadletters.jsonl}.
 * Building is also the last check before a run: every path a stage writes ({@link StageContext#output})
 * and the engine's own files must resolve inside the output root, and no two may be the same or one
 * inside the other.
 */
public final class PipelineBuilder {
  public static final String OUT = "out";
  public static final String DEAD = "dead_lettered";
  public static final String DEAD_LETTER_FILE = "_deadletters/deadletters.jsonl";
  /** The run summary's file in the output root. */
  public static final String RUN_SUMMARY = "run-summary.json";

  /** What the engine itself writes under the output root; no stage may write there. */
  static final Map<String, String> ENGINE_PATHS = Map.of(
      RUN_SUMMARY, "the run summary",
      "_deadletters", "the dead-letter folder",
      RunLock.FILE, "the run lock");

  private PipelineBuilder() {}

  /** The stage outputs by stage name. */
  public record Built(Map<String, PCollection<?>> outputs, boolean hasDeadLetters) {}

  public static Built build(Pipeline p, PipelinePlan plan, OutputRoot root, Path inputBase) throws ValidationException {
    Coders.register(p);
    Map<String, PCollection<?>> outputs = new LinkedHashMap<>();
    List<PCollection<DeadLetter>> dead = new ArrayList<>();
    List<PipelineError> errors = new ArrayList<>();
    List<Write> writes = new ArrayList<>();
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(ENGINE_PATHS).entrySet()) {
      try {
        writes.add(new Write(null, e.getValue(), 0, root.resolve(e.getKey())));
      } catch (IllegalArgumentException ex) {
        errors.add(new PipelineError(plan.file(), 0, null, e.getValue() + ": " + ex.getMessage()));
      }
    }
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
      ctx.writes().forEach(w -> writes.add(new Write(sp.name(), "stage '" + sp.name() + "'", sp.line(), w)));
      outputs.put(sp.name(), count(out, sp.name()));
      for (PCollection<DeadLetter> d : ctx.deadLetters()) {
        dead.add(d.apply(sp.name() + "/CountDeadLetters", ParDo.of(new CountFn<DeadLetter>(sp.name(), DEAD)))
            .setCoder(Coders.deadLetter()));
      }
    }
    checkWrites(plan.file(), root, writes, errors);
    if (!errors.isEmpty()) {
      errors.sort((a, b) -> Integer.compare(a.line(), b.line()));
      throw new ValidationException(errors);
    }
    if (!dead.isEmpty()) {
      PCollectionList.of(dead).apply("DeadLetters/Flatten", Flatten.pCollections())
          .apply("DeadLetters/Write", DeadLetters.to(root, DEAD_LETTER_FILE));
    }
    return new Built(outputs, !dead.isEmpty());
  }

  /** A path written by a stage ({@code stage} = its name) or by the engine ({@code stage} = null). */
  private record Write(String stage, String who, int line, Path path) {}

  /** No two writers may write the same path, or one inside the other's. */
  private static void checkWrites(String file, OutputRoot root, List<Write> writes, List<PipelineError> errors) {
    for (int j = 0; j < writes.size(); j++) {
      Write b = writes.get(j);
      if (b.stage() == null) {
        continue;
      }
      for (int i = 0; i < j; i++) {
        Write a = writes.get(i);
        if (b.stage().equals(a.stage())) {
          continue;
        }
        String relA = root.relative(a.path());
        String relB = root.relative(b.path());
        String whoA = a.who() + (a.line() > 0 ? " (line " + a.line() + ")" : "");
        String what;
        if (a.path().equals(b.path())) {
          what = "writes " + relB + ", which " + whoA + " writes too";
        } else if (b.path().startsWith(a.path())) {
          what = "writes " + relB + ", inside " + relA + " written by " + whoA;
        } else if (a.path().startsWith(b.path())) {
          what = "writes " + relB + ", which holds " + relA + " written by " + whoA;
        } else {
          continue;
        }
        errors.add(new PipelineError(file, b.line(), b.stage(), what
            + "; give each stage its own output path, not the same as or inside another's"));
      }
    }
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
