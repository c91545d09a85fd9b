package org.unetpipelines.engine;

import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A pipeline checked as far as it can be without running: the validated plan, its output root and
 * the Beam graph built from them. {@code validate} and {@code run} both come through here, so they
 * apply exactly the same rules (config, inputs, output paths, symbolic links, overlapping outputs,
 * model folders); {@code run} then runs the graph.
 */
public final class PreparedPipeline {
  private final PipelinePlan plan;
  private final OutputRoot root;
  private final Pipeline pipeline;
  private final PipelineBuilder.Built built;

  private PreparedPipeline(PipelinePlan plan, OutputRoot root, Pipeline pipeline, PipelineBuilder.Built built) {
    this.plan = plan;
    this.root = root;
    this.pipeline = pipeline;
    this.built = built;
  }

  /** Reads a pipeline file, applies {@code --set} overrides and validates it against the stages on the class path. */
  public static PipelinePlan plan(Path file, List<String> overrides) throws ValidationException {
    return PipelinePlan.validate(PipelineFile.read(file, overrides), StageRegistry.load());
  }

  /**
   * Resolves the output root ({@code out}: {@code --out}, or null for {@code out/<pipeline name>})
   * and builds the graph with {@code options}. Nothing is written.
   */
  public static PreparedPipeline prepare(PipelinePlan plan, String out, PipelineOptions options)
      throws ValidationException {
    OutputRoot root;
    try {
      root = OutputRoot.forRun(out, plan.name());
    } catch (IllegalArgumentException e) {
      throw new ValidationException(List.of(new PipelineError(plan.file(), 0, null, e.getMessage())));
    }
    Pipeline p = Pipeline.create(options);
    PipelineBuilder.Built built = PipelineBuilder.build(p, plan, root, Path.of("").toAbsolutePath());
    return new PreparedPipeline(plan, root, p, built);
  }

  public PipelinePlan plan() {
    return plan;
  }

  public OutputRoot root() {
    return root;
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  public PipelineBuilder.Built built() {
    return built;
  }
}
