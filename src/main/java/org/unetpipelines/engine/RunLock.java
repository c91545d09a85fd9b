package org.unetpipelines.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock a run holds on its output root: {@code <root>/.unet-pipelines.lock}, a JSON file with the
 * owner's pid, host, start time and pipeline. A second run into a root that is in use fails at once;
 * a lock left by a run that died (its pid is no longer running on this host) is taken over with a
 * warning. The file appears complete or not at all (written beside it, then hard-linked into place).
 */
public final class RunLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);

  /** The lock file's name in the output root. */
  public static final String FILE = ".unet-pipelines.lock";

  /** A root another live run holds: an error before anything runs (exit 2), like an invalid file. */
  public static final class InUseException extends ValidationException {
    InUseException(String message) {
      super(message, List.of(new PipelineError(FILE, 0, null, message)));
    }
  }

  private final Path file;
  private final String token;

  private RunLock(Path file, String token) {
    this.file = file;
    this.token = token;
  }

  /**
   * Takes the lock of {@code root} (which must exist) for {@code pipeline}.
   *
   * @throws InUseException when a live run holds it, or its owner cannot be checked (another host)
   */
  public static RunLock acquire(OutputRoot root, String pipeline, PrintStream console) throws InUseException, IOException {
    Path file = root.resolve(FILE);
    String token = UUID.randomUUID().toString();
    Map<String, Object> me = new LinkedHashMap<>();
    me.put("pid", ProcessHandle.current().pid());
    me.put("host", host());
    me.put("started", Instant.now().toString());
    me.put("pipeline", pipeline);
    me.put("token", token);
    byte[] content = new ObjectMapper().writeValueAsBytes(me);
    for (int attempt = 0; attempt < 3; attempt++) {
      if (tryCreate(file, content)) {
        return new RunLock(file, token);
      }
      String held;
      try {
        held = Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        continue; // released meanwhile: try again
      }
      String stale = staleReason(held);
      if (stale == null) {
        throw new InUseException("the output root " + root + " is in use by another run (" + describe(held)
            + "); wait for it to finish or choose another --out. If no such run exists, delete " + file);
      }
      String msg = "taking over the stale lock " + file + ": " + stale + " (" + describe(held) + ")";
      console.println("WARNING: " + msg);
      LOG.warn(msg);
      Files.deleteIfExists(file);
    }
    throw new InUseException("could not take the lock " + file + ": other runs keep taking it");
  }

  /** Creates the lock file with its full content, atomically; false when it exists. */
  private static boolean tryCreate(Path file, byte[] content) throws IOException {
    Path tmp = file.resolveSibling(FILE + "." + ProcessHandle.current().pid() + "." + UUID.randomUUID() + ".tmp");
    Files.write(tmp, content);
    try {
      Files.createLink(file, tmp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException | IOException e) {
      // no hard links on this file system: exclusive create (a reader may briefly see it empty)
      try {
        Files.write(file, content, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        return true;
      } catch (FileAlreadyExistsException e2) {
        return false;
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Why a held lock is stale, or null when its owner may still be running. */
  static String staleReason(String held) {
    JsonNode n;
    try {
      n = new ObjectMapper().readTree(held);
    } catch (IOException e) {
      return "its content is not a lock record";
    }
    if (n == null || !n.path("pid").canConvertToLong()) {
      return "it names no pid";
    }
    if (!host().equals(n.path("host").asText())) {
      return null; // another host: its pid cannot be checked from here
    }
    long pid = n.path("pid").asLong();
    boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    return alive ? null : "pid " + pid + " is not running";
  }

  private static String describe(String held) {
    try {
      JsonNode n = new ObjectMapper().readTree(held);
      long pid = n.path("pid").asLong(-1);
      String self = pid == ProcessHandle.current().pid() && host().equals(n.path("host").asText()) ? ", this process" : "";
      return "pid " + pid + self + " on " + n.path("host").asText("?") + ", started " + n.path("started").asText("?")
          + ", pipeline " + n.path("pipeline").asText("?");
    } catch (IOException | RuntimeException e) {
      return "unreadable lock record";
    }
  }

  private static volatile String host;

  private static String host() {
    if (host == null) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "localhost";
      }
    }
    return host;
  }

  /** Releases the lock when it is still this run's. */
  @Override
  public void close() throws IOException {
    try {
      String held = Files.readString(file, StandardCharsets.UTF_8);
      if (held.contains(token)) {
        Files.deleteIfExists(file);
      }
    } catch (NoSuchFileException e) {
      // already gone
    }
  }
}
