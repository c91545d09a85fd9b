package org.unetpipelines.stages.augment;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.BaseStage;
import org.unetpipelines.engine.ConfigChecks;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.records.Sample;
import org.unetpipelines.stages.SampleResult;

/**
 * The engine side shared by the augmentation stage types: one {@link Sample} input, {@link Sample}
 * output, dead letters registered with the engine. A subclass only maps its config record onto its
 * public PTransform ({@link #build}); {@link #check} reports what that mapping rejects.
 */
abstract class AugmentStage<C extends Record, T extends PTransform<PCollection<Sample>, SampleResult>>
    extends BaseStage<C> {

  AugmentStage(String type, String description, Class<C> configClass) {
    super(type, description, configClass, InputSpec.one(Sample.class), Sample.class);
  }

  /** The stage's PTransform for a config, with the pipeline's seed and the stage's name. */
  abstract T build(C config, long seed, String stageName);

  /**
   * The op a config's transform applies to each copy (for {@link AugmentStep}s): built and checked
   * exactly as the stage builds it.
   *
   * @throws IllegalArgumentException when the config is rejected
   * @throws IllegalStateException for a stage type whose transform is not a single op (e.g. Tile)
   */
  final org.unetpipelines.augment.SampleOp op(C config) {
    T t = build(config, 0L, type());
    if (t instanceof OpTransform o) {
      return o.op();
    }
    throw new IllegalStateException(type() + " is not a one-sample-in, one-sample-out op");
  }

  /** A stage transform that applies one {@link org.unetpipelines.augment.SampleOp} to each copy. */
  interface OpTransform {
    org.unetpipelines.augment.SampleOp op();
  }

  /** Cross-field problems of a built transform (the checks its expand() makes); none by default. */
  List<String> problems(T transform) {
    return List.of();
  }

  @Override
  public List<String> check(C config) {
    List<String> out = new ArrayList<>();
    try {
      out.addAll(problems(build(config, 0L, type())));
    } catch (IllegalArgumentException e) {
      out.addAll(ConfigChecks.problemsOf(e));
    }
    return out;
  }

  @Override
  @SuppressWarnings("unchecked")
  public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, C config) {
    PCollection<Sample> in = (PCollection<Sample>) inputs.get(0);
    SampleResult r = in.apply(ctx.stageName(), build(config, ctx.seed(), ctx.stageName()));
    ctx.addDeadLetters(r.deadLetters());
    return r.samples();
  }
}
