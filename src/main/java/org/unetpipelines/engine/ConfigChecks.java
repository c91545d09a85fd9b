package org.unetpipelines.engine;

import com.google.common.base.Strings;
import java.util.ArrayList;
import java.util.List;

/**
 * Every problem of a config value, collected instead of thrown at the first: a record's compact
 * constructor states each rule with {@link #check}, then {@link #done} throws one
 * {@link ConfigException} that lists them all. The engine reports each problem as its own error
 * ({@link ConfigBinder}, {@link #problemsOf}), so a stage with three bad values gets all three in one
 * exit-2 message.
 *
 * <pre>{@code
 * public MyConfig {
 *   ConfigChecks c = new ConfigChecks();
 *   c.check(depth >= 1 && depth <= 6, "depth must be 1..6, got %s", depth);
 *   c.check(classes >= 1, "classes must be >= 1, got %s", classes);
 *   c.done();
 * }
 * }</pre>
 */
public final class ConfigChecks {
  private final List<String> problems = new ArrayList<>();

  /**
   * Records a problem when {@code ok} is false; the message is a Guava template ({@code %s}). Returns
   * {@code ok}, so a rule that needs an earlier value to be valid can be skipped when it was not.
   */
  public boolean check(boolean ok, String template, Object... args) {
    if (!ok) {
      problems.add(Strings.lenientFormat(template, args));
    }
    return ok;
  }

  /** The problems found so far. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  /** Throws every problem found, together, as one {@link ConfigException}; returns when there was none. */
  public void done() {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** The problems an exception carries: each of a {@link ConfigException}'s, otherwise its one message. */
  public static List<String> problemsOf(Throwable e) {
    if (e instanceof ConfigException ce) {
      return ce.problems();
    }
    return List.of(String.valueOf(e.getMessage()));
  }

  /** Several problems of one config value; its message joins them with "; ". */
  public static final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public ConfigException(List<String> problems) {
      super(String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }
}
