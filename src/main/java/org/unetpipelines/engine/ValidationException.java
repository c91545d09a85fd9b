package org.unetpipelines.engine;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in a pipeline file, reported together before anything runs. */
public class ValidationException extends Exception {
  private final List<PipelineError> errors;

  public ValidationException(List<PipelineError> errors) {
    super(errors.size() + " error(s) in pipeline:\n"
        + errors.stream().map(e -> "  " + e).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  /** A problem found before anything runs that is not about one place in the file (its message says it all). */
  protected ValidationException(String message, List<PipelineError> errors) {
    super(message);
    this.errors = List.copyOf(errors);
  }

  public List<PipelineError> errors() {
    return errors;
  }
}
