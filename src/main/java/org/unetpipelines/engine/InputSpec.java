package org.unetpipelines.engine;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * How many inputs a stage takes and which element types they may carry. Inputs are matched by
 * element type, so a stage with two inputs of different types need not care about their order.
 */
public record InputSpec(int min, int max, List<Class<?>> accepted) {
  public InputSpec {
    checkArgument(min >= 0 && max >= min, "bad input range %s..%s", min, max);
    accepted = List.copyOf(accepted);
  }

  /** A source: no inputs. */
  public static InputSpec none() {
    return new InputSpec(0, 0, List.of());
  }

  /** Exactly one input of this type. */
  public static InputSpec one(Class<?> type) {
    return new InputSpec(1, 1, List.of(type));
  }

  public static InputSpec of(int min, int max, Class<?>... types) {
    return new InputSpec(min, max, List.of(types));
  }

  public String describe() {
    String count = min == max ? String.valueOf(min) : min + ".." + max;
    StringBuilder sb = new StringBuilder(count).append(" input(s)");
    if (!accepted.isEmpty()) {
      sb.append(" of ");
      for (int i = 0; i < accepted.size(); i++) {
        sb.append(i == 0 ? "" : " | ").append(accepted.get(i).getSimpleName());
      }
    }
    return sb.toString();
  }
}
