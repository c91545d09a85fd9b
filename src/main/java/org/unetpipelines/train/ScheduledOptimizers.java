package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyMomentum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;
import org.tensorflow.framework.optimizers.Optimizer;

/**
 * Momentum and Adam on tensorflow-framework's {@link Optimizer} base (slots, initializers, the
 * update NoOp), with the learning rate read from a graph operand instead of a constant so schedules
 * can change it every step. The framework's own {@code Momentum} and {@code Adam} bake the rate in
 * as a constant; the update rules here are the same ({@code ApplyMomentum}, {@code ApplyAdam}).
 */
public final class ScheduledOptimizers {
  private ScheduledOptimizers() {}

  /** Builds the optimizer named by {@code kind}; {@code learningRate} is a float32 scalar operand. */
  public static Optimizer create(Graph graph, OptimizerKind kind, Operand<TFloat32> learningRate, float momentum,
      boolean nesterov, float beta1, float beta2, float epsilon) {
    return create(graph, null, kind, learningRate, momentum, nesterov, beta1, beta2, epsilon);
  }

  /**
   * As {@link #create(Graph, OptimizerKind, Operand, float, boolean, float, float, float)}, with its
   * slots and state under the graph scope {@code scope} (null: the optimizer's name), so that several
   * optimizers can live in one graph (one per training phase).
   */
  public static Optimizer create(Graph graph, String scope, OptimizerKind kind, Operand<TFloat32> learningRate,
      float momentum, boolean nesterov, float beta1, float beta2, float epsilon) {
    switch (kind) {
      case MOMENTUM:
        return new Momentum(graph, scope, learningRate, momentum, nesterov);
      default:
        return new Adam(graph, scope, learningRate, beta1, beta2, epsilon);
    }
  }

  /**
   * Zero-initialised slot variables named after their variable. The framework's own slot helper
   * names slots {@code <variable op name>-<slot>}, which is not a valid op name for variables that
   * live in sub-scopes ({@code params/down1/conv1/kernel}); here the path separators become dots
   * and the slot sits in the optimizer's sub-scope.
   */
  static final class Slots {
    private final Ops tf;
    private final java.util.Map<String, Variable<?>> slots = new java.util.HashMap<>();

    Slots(Graph graph, String optimizerName) {
      this.tf = Ops.create(graph).withSubScope(optimizerName);
    }

    <T extends TType> void create(Output<T> v, String slot) {
      Ops init = tf.withInitScope();
      Operand<T> zeros = init.fill(init.constant(v.shape().asArray()), init.dtypes.cast(init.constant(0f), v.type()));
      String name = v.op().name().replace('/', '.') + "-" + slot;
      slots.put(v.op().name() + "\u0000" + slot, tf.withName(name).variable(zeros));
    }

    @SuppressWarnings("unchecked")
    <T extends TType> Variable<T> get(Output<T> v, String slot) {
      Variable<?> s = slots.get(v.op().name() + "\u0000" + slot);
      if (s == null) {
        throw new IllegalStateException("no " + slot + " slot for " + v.op().name());
      }
      return (Variable<T>) s;
    }
  }

  /** SGD with momentum: accum = m * accum + g; var -= lr * accum (TensorFlow's ApplyMomentum). */
  public static final class Momentum extends Optimizer {
    public static final String ACCUMULATOR = "momentum";
    private final Operand<TFloat32> learningRate;
    private final float momentum;
    private final boolean nesterov;
    private final Slots slots;

    public Momentum(Graph graph, Operand<TFloat32> learningRate, float momentum, boolean nesterov) {
      this(graph, null, learningRate, momentum, nesterov);
    }

    public Momentum(Graph graph, String scope, Operand<TFloat32> learningRate, float momentum, boolean nesterov) {
      super(graph, scope == null ? "Momentum" : scope);
      this.slots = new Slots(graph, scope == null ? getOptimizerName() : scope);
      checkArgument(momentum >= 0f && momentum < 1f, "momentum must be in [0, 1), got %s", momentum);
      this.learningRate = learningRate;
      this.momentum = momentum;
      this.nesterov = nesterov;
    }

    @Override
    protected void createSlots(List<Output<? extends TType>> variables) {
      for (Output<? extends TType> v : variables) {
        slots.create(v, ACCUMULATOR);
      }
    }

    @Override
    protected <T extends TType> Op applyDense(Ops ops, Output<T> gradient, Output<T> variable) {
      Variable<T> slot = slots.get(variable, ACCUMULATOR);
      return ops.train.applyMomentum(variable, slot, ops.dtypes.cast(learningRate, gradient.type()), gradient,
          ops.dtypes.cast(ops.constant(momentum), gradient.type()), ApplyMomentum.useNesterov(nesterov));
    }

    @Override
    public String getOptimizerName() {
      return "Momentum";
    }
  }

  /** Adam (Kingma and Ba), TensorFlow's ApplyAdam with bias correction through beta powers. */
  public static final class Adam extends Optimizer {
    public static final String FIRST_MOMENT = "m";
    public static final String SECOND_MOMENT = "v";
    private final Operand<TFloat32> learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private Variable<TFloat32> beta1Power;
    private Variable<TFloat32> beta2Power;
    private final Slots slots;

    public Adam(Graph graph, Operand<TFloat32> learningRate, float beta1, float beta2, float epsilon) {
      this(graph, null, learningRate, beta1, beta2, epsilon);
    }

    public Adam(Graph graph, String scope, Operand<TFloat32> learningRate, float beta1, float beta2, float epsilon) {
      super(graph, scope == null ? "Adam" : scope);
      this.slots = new Slots(graph, scope == null ? getOptimizerName() : scope);
      checkArgument(beta1 >= 0f && beta1 < 1f, "beta1 must be in [0, 1), got %s", beta1);
      checkArgument(beta2 >= 0f && beta2 < 1f, "beta2 must be in [0, 1), got %s", beta2);
      checkArgument(epsilon > 0f, "epsilon must be > 0, got %s", epsilon);
      this.learningRate = learningRate;
      this.beta1 = beta1;
      this.beta2 = beta2;
      this.epsilon = epsilon;
    }

    @Override
    protected void createSlots(List<Output<? extends TType>> variables) {
      for (Output<? extends TType> v : variables) {
        slots.create(v, FIRST_MOMENT);
        slots.create(v, SECOND_MOMENT);
      }
      Ops init = tf.withInitScope();
      beta1Power = tf.withName("beta1_power").variable(init.constant(beta1));
      beta2Power = tf.withName("beta2_power").variable(init.constant(beta2));
    }

    @Override
    protected Optional<Op> prepare(String scopeName) {
      return Optional.empty();
    }

    @Override
    protected <T extends TType> Op applyDense(Ops ops, Output<T> gradient, Output<T> variable) {
      Class<T> type = gradient.type();
      return ops.train.applyAdam(variable, slots.get(variable, FIRST_MOMENT),
          slots.get(variable, SECOND_MOMENT), ops.dtypes.cast(beta1Power, type),
          ops.dtypes.cast(beta2Power, type), ops.dtypes.cast(learningRate, type),
          ops.dtypes.cast(ops.constant(beta1), type), ops.dtypes.cast(ops.constant(beta2), type),
          ops.dtypes.cast(ops.constant(epsilon), type), gradient);
    }

    @Override
    protected Op finish(List<Op> updateOperations, String name) {
      // The beta powers advance after every variable's update has read them.
      Ops after = tf.withControlDependencies(List.copyOf(updateOperations));
      updateOperations.add(after.assign(beta1Power, after.math.mul(beta1Power, after.constant(beta1))));
      updateOperations.add(after.assign(beta2Power, after.math.mul(beta2Power, after.constant(beta2))));
      return super.finish(updateOperations, name);
    }

    @Override
    public String getOptimizerName() {
      return "Adam";
    }
  }
}
