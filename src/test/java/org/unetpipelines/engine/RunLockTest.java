package org.unetpipelines.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
  static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @Test
  void oneRunAtATimeAndTheLockIsReleased(@TempDir Path dir) throws Exception {
    OutputRoot root = new OutputRoot(dir);
    Path file = dir.resolve(RunLock.FILE);
    try (RunLock lock = RunLock.acquire(root, "a.yaml", QUIET)) {
      String held = Files.readString(file);
      assertTrue(held.contains("\"pid\":" + ProcessHandle.current().pid()), held);
      assertTrue(held.contains("\"pipeline\":\"a.yaml\""), held);
      RunLock.InUseException e = assertThrows(RunLock.InUseException.class, () -> RunLock.acquire(root, "b.yaml", QUIET));
      assertTrue(e.getMessage().startsWith("the output root " + dir + " is in use by another run (pid "
          + ProcessHandle.current().pid() + ", this process"), e.getMessage());
      assertTrue(e.getMessage().contains("pipeline a.yaml"), e.getMessage());
      assertTrue(e.getMessage().contains("If no such run exists, delete " + file), e.getMessage());
    }
    assertFalse(Files.exists(file));
    try (RunLock again = RunLock.acquire(root, "b.yaml", QUIET)) {
      assertTrue(Files.exists(file));
    }
  }

  @Test
  void aDeadOwnersLockIsTakenOverWithAWarning(@TempDir Path dir) throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    String host = InetAddress.getLocalHost().getHostName();
    Files.writeString(dir.resolve(RunLock.FILE), "{\"pid\":" + p.pid() + ",\"host\":\"" + host + "\"}");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (RunLock lock = RunLock.acquire(new OutputRoot(dir), "a.yaml", new PrintStream(console, true, StandardCharsets.UTF_8))) {
      String text = console.toString(StandardCharsets.UTF_8);
      assertTrue(text.startsWith("WARNING: taking over the stale lock " + dir.resolve(RunLock.FILE) + ": pid "
          + p.pid() + " is not running"), text);
    }
  }

  @Test
  void staleReasons() throws Exception {
    String host = InetAddress.getLocalHost().getHostName();
    assertNull(RunLock.staleReason("{\"pid\":" + ProcessHandle.current().pid() + ",\"host\":\"" + host + "\"}"));
    assertNull(RunLock.staleReason("{\"pid\":1,\"host\":\"some-other-host.example\"}"), "another host: assume alive");
    assertEquals("its content is not a lock record", RunLock.staleReason("{not json"));
    assertEquals("it names no pid", RunLock.staleReason("{\"host\":\"" + host + "\"}"));
  }
}
