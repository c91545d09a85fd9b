package org.unetpipelines.runners;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;

/** The few calls of Flink's REST API this project needs (cluster overview, job state and progress). */
public final class FlinkRest {

  /** One job as {@code /jobs/overview} lists it. */
  public record JobSummary(String id, String name, String state, int tasksTotal, int tasksFinished, int tasksRunning,
      long durationMillis) {
    public boolean terminal() {
      return state.equals("FINISHED") || state.equals("FAILED") || state.equals("CANCELED") || state.equals("SUSPENDED");
    }
  }

  /** {@code /overview}: registered TaskManagers and slots. */
  public record ClusterOverview(int taskManagers, int slotsTotal, int slotsAvailable, String flinkVersion) {}

  private final String baseUrl;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  /** @param baseUrl e.g. {@code http://127.0.0.1:8081} */
  public FlinkRest(String baseUrl) {
    checkArgument(baseUrl != null && baseUrl.matches("https?://[^/]+"),
        "REST base URL must look like http://host:port, got '%s'", baseUrl);
    this.baseUrl = baseUrl;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** The web UI page of a job. */
  public String jobUrl(String jobId) {
    return baseUrl + "/#/job/running/" + jobId + "/overview";
  }

  public JsonNode get(String path) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> resp;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling " + baseUrl + path, e);
    }
    if (resp.statusCode() != 200) {
      throw new IOException("GET " + baseUrl + path + " answered HTTP " + resp.statusCode() + ": " + resp.body());
    }
    return json.readTree(resp.body());
  }

  public ClusterOverview overview() throws IOException {
    JsonNode n = get("/overview");
    return new ClusterOverview(n.path("taskmanagers").asInt(), n.path("slots-total").asInt(),
        n.path("slots-available").asInt(), n.path("flink-version").asText());
  }

  /** True when the REST API answers. */
  public boolean reachable() {
    try {
      overview();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public List<JobSummary> jobs() throws IOException {
    List<JobSummary> out = new ArrayList<>();
    for (JsonNode j : get("/jobs/overview").path("jobs")) {
      JsonNode t = j.path("tasks");
      out.add(new JobSummary(j.path("jid").asText(), j.path("name").asText(), j.path("state").asText(),
          t.path("total").asInt(), t.path("finished").asInt(), t.path("running").asInt(), j.path("duration").asLong()));
    }
    return out;
  }

  public Optional<JobSummary> job(String jobId) throws IOException {
    return jobs().stream().filter(j -> j.id().equals(jobId)).findFirst();
  }

  public Optional<JobSummary> jobByName(String name) throws IOException {
    return jobs().stream().filter(j -> j.name().equals(name)).findFirst();
  }

  /**
   * How often the job has been restarted: the {@code numRestarts} metric while it is reported, and
   * at least the number of failures in the job's exception history (each failure under a restart
   * strategy is a restart, unless the attempts ran out and the job FAILED).
   */
  public long restarts(String jobId) throws IOException {
    long metric = 0;
    for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
      if (m.path("id").asText().equals("numRestarts")) {
        metric = m.path("value").asLong();
      }
    }
    long failures = get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
    boolean failed = job(jobId).map(j -> j.state().equals("FAILED")).orElse(false);
    return Math.max(metric, failed ? Math.max(0, failures - 1) : failures);
  }

  /** The JobManager's configuration ({@code /jobmanager/config}) as key -> value. */
  public Map<String, String> clusterConfig() throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode kv : get("/jobmanager/config")) {
      out.put(kv.path("key").asText(), kv.path("value").asText());
    }
    return out;
  }

  /** The job's root exception: its first line, and its innermost cause when it has one; empty if none. */
  public String rootException(String jobId) throws IOException {
    JsonNode n = get("/jobs/" + jobId + "/exceptions");
    String s = n.path("root-exception").asText("");
    if (s.isEmpty()) {
      JsonNode entries = n.path("exceptionHistory").path("entries");
      if (entries.size() > 0) {
        s = entries.get(0).path("stacktrace").asText("");
      }
    }
    return summarize(s);
  }

  /** First line of a stack trace, plus " <- " and its last {@code Caused by:} line. */
  static String summarize(String stackTrace) {
    String[] lines = stackTrace.split("\n");
    String first = lines[0].trim();
    String cause = "";
    for (String l : lines) {
      if (l.startsWith("Caused by: ")) {
        cause = l.substring("Caused by: ".length()).trim();
      }
    }
    return cause.isEmpty() || cause.equals(first) ? first : first + " <- " + cause;
  }

}
