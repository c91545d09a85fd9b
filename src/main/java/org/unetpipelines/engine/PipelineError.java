package org.unetpipelines.engine;

/** One problem in a pipeline file: where it is (file, line, stage) and what is wrong / allowed. */
public record PipelineError(String file, int line, String stage, String message) {
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(file);
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (stage != null && !stage.isEmpty()) {
      sb.append("stage '").append(stage).append("': ");
    }
    return sb.append(message).toString();
  }
}
