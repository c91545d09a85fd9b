package org.unetpipelines.runners;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A standalone Flink cluster for tests, driven through the runners/flink-cluster scripts. Stops
 * itself on {@link #close()} and, should the JVM exit first, from a shutdown hook.
 */
final class FlinkTestCluster implements AutoCloseable {
  static final Path SCRIPTS = Path.of("runners", "flink-cluster").toAbsolutePath();
  static final String REST = "http://127.0.0.1:8081";

  private final Thread hook = new Thread(this::stopQuietly, "stop-flink-test-cluster");
  private boolean running;

  /** Starts a JobManager and {@code taskManagers} TaskManagers with one slot each (fetching lib/ if needed). */
  static FlinkTestCluster start(int taskManagers) throws IOException, InterruptedException {
    FlinkTestCluster c = new FlinkTestCluster();
    Runtime.getRuntime().addShutdownHook(c.hook);
    c.running = true;
    try {
      script(300, "start.sh", "--taskmanagers", String.valueOf(taskManagers), "--slots", "1");
    } catch (IOException | RuntimeException | InterruptedException e) {
      c.close();
      throw e;
    }
    return c;
  }

  FlinkRest rest() {
    return new FlinkRest(REST);
  }

  /** The pid of TaskManager {@code index} (1-based), from the pid file start.sh wrote. */
  long taskManagerPid(int index) throws IOException {
    Path f = Path.of(".flink", "pid", "taskmanager-" + index + ".pid");
    return Long.parseLong(Files.readString(f).trim());
  }

  void killTaskManager(int index) throws IOException, InterruptedException {
    script(30, "kill-taskmanager.sh", String.valueOf(index));
  }

  void startTaskManager(int index) throws IOException, InterruptedException {
    script(120, "start-taskmanager.sh", String.valueOf(index));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (running) {
      running = false;
      script(60, "stop.sh");
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is running
    }
  }

  private void stopQuietly() {
    try {
      if (running) {
        running = false;
        script(60, "stop.sh");
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      System.err.println("could not stop the Flink test cluster: " + e);
    }
  }

  /** Runs a script; throws with its output when it fails or runs past the limit. */
  static String script(int timeoutSeconds, String name, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("bash");
    cmd.add(SCRIPTS.resolve(name).toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] outBytes;
    // the scripts' children redirect their own output, so reading to EOF ends when the script does
    outBytes = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(name + " did not finish in " + timeoutSeconds + " s");
    }
    String out = new String(outBytes, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed with exit code " + p.exitValue() + ":\n" + out);
    }
    return out;
  }
}
