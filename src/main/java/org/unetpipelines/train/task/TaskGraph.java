package org.unetpipelines.train.task;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.train.OptimizerKind;

/**
 * A task built into a graph: the training phases, the tensors validation fetches, and the serving
 * signature.
 *
 * @param phases run in order every step, each with its own loss, variables and optimizers
 * @param validation fetched for every validation batch (fed the {@code eval/} placeholders), by name
 * @param servingInput the SavedModel's input (an {@code eval/} placeholder)
 * @param servingOutputs the SavedModel's outputs by signature key; the first is the default
 */
public record TaskGraph(List<Phase> phases, Map<String, Operand<TFloat32>> validation,
    Placeholder<TFloat32> servingInput, Map<String, Operand<TFloat32>> servingOutputs) {

  public TaskGraph {
    checkArgument(!phases.isEmpty(), "a task needs at least one training phase");
    phases = List.copyOf(phases);
    validation = Map.copyOf(validation);
    servingOutputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(servingOutputs));
  }

  /**
   * One training phase: minimise {@code loss} over the groups' variables, each group with its own
   * optimizer; {@code updates} (batch-norm moving averages, power iterations) run with it.
   * {@code statistics} are scalars fetched with the phase's run (as computed before its update):
   * the trainer records them in the curve and hands them to {@link Task#restart}.
   */
  public record Phase(String name, Operand<TFloat32> loss, List<Group> groups, List<Op> updates,
      Map<String, Operand<TFloat32>> statistics) {
    public Phase {
      checkArgument(name != null && name.matches("[A-Za-z][A-Za-z0-9_]*"), "bad phase name '%s'", name);
      checkArgument(!groups.isEmpty(), "phase %s has no variables to train", name);
      groups = List.copyOf(groups);
      updates = List.copyOf(updates);
      statistics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(statistics));
    }

    /** A phase without statistics. */
    public Phase(String name, Operand<TFloat32> loss, List<Group> groups, List<Op> updates) {
      this(name, loss, groups, updates, Map.of());
    }

    /** A phase whose variables all use the trainer's optimizer. */
    public static Phase of(String name, Operand<TFloat32> loss, List<Variable<TFloat32>> variables, List<Op> updates) {
      return new Phase(name, loss, List.of(Group.of(name, variables)), updates);
    }
  }

  /**
   * Variables trained by one optimizer.
   *
   * @param optimizer the optimizer's own settings, or null for the trainer's configured optimizer
   * @param learningRateScale multiplies the scheduled learning rate for this group
   */
  public record Group(String name, List<Variable<TFloat32>> variables, OptimizerSettings optimizer,
      double learningRateScale) {
    public Group {
      checkArgument(!variables.isEmpty(), "group %s has no variables", name);
      checkArgument(learningRateScale > 0, "group %s: learning rate scale must be > 0, got %s", name, learningRateScale);
      variables = List.copyOf(variables);
    }

    public static Group of(String name, List<Variable<TFloat32>> variables) {
      return new Group(name, variables, null, 1.0);
    }
  }

  /** An optimizer's own settings (a task's phases may differ from the trainer's, e.g. a GAN's Adam betas). */
  public record OptimizerSettings(OptimizerKind kind, double momentum, boolean nesterov, double beta1, double beta2,
      double epsilon) implements java.io.Serializable {}
}
