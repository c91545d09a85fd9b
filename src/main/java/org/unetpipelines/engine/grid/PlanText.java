package org.unetpipelines.engine.grid;

import org.unetpipelines.engine.PipelinePlan;

/** A validated plan in words ({@code validate --plan}): stages in run order with their inputs, then the grid. */
public final class PlanText {
  private PlanText() {}

  public static String of(PipelinePlan plan) {
    StringBuilder sb = new StringBuilder();
    if (plan.grid().isPresent()) {
      GridPlan g = plan.grid().get();
      sb.append(String.format("plan %s: %d stages (%d shared + %d cells x %d per-cell stages)%n", plan.name(),
          plan.stages().size(), g.sharedStages().size(), g.cells().size(), g.branchStages().size()));
      return sb.append(g.describe()).toString();
    }
    sb.append(String.format("plan %s: %d stages, seed %d%n", plan.name(), plan.stages().size(), plan.seed()));
    int w = plan.stages().stream().mapToInt(s -> s.name().length()).max().orElse(4);
    plan.stages().forEach(s -> GridPlan.stageLine(sb, s, w));
    return sb.toString();
  }
}
