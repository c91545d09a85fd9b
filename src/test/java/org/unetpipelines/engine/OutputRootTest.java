package org.unetpipelines.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputRootTest {
  @Test
  void linksInsideTheRootMayPointInsideButNotOutside(@TempDir Path tmp) throws Exception {
    Path rootDir = Files.createDirectories(tmp.resolve("root"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createDirectories(rootDir.resolve("real"));
    Files.createSymbolicLink(rootDir.resolve("inner"), rootDir.resolve("real"));
    Files.createSymbolicLink(rootDir.resolve("out"), outside);
    Files.createSymbolicLink(rootDir.resolve("relative-out"), Path.of("../outside"));
    Files.createSymbolicLink(rootDir.resolve("dangling"), tmp.resolve("nowhere/file.json"));
    Files.createSymbolicLink(rootDir.resolve("dangling-in"), Path.of("real/new.json"));
    Files.createSymbolicLink(rootDir.resolve("loop"), rootDir.resolve("loop"));
    OutputRoot root = new OutputRoot(rootDir);

    assertEquals(rootDir.resolve("real/x"), root.resolve("inner/x"));
    assertEquals(rootDir.resolve("real/new.json"), root.resolve("dangling-in"));
    assertEquals(rootDir.resolve("not/yet/there"), root.resolve("not/yet/there"));
    for (String p : new String[] {"out", "out/x", "relative-out/a/b", "dangling", "../outside", outside.toString()}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> root.resolve(p), p);
      assertTrue(e.getMessage().contains("outside the output root " + rootDir), e.getMessage());
    }
    IllegalArgumentException loop = assertThrows(IllegalArgumentException.class, () -> root.resolve("loop/x"));
    assertTrue(loop.getMessage().contains("symbolic links (a loop?)"), loop.getMessage());
  }

  @Test
  void theRootIsItsRealPath(@TempDir Path tmp) throws Exception {
    Path real = Files.createDirectories(tmp.resolve("data/run"));
    Path link = Files.createSymbolicLink(tmp.resolve("run-link"), real);
    OutputRoot root = new OutputRoot(link);
    assertEquals(real, root.path());
    assertEquals(real.resolve("a"), root.resolve("a"));
    assertEquals(real.resolve("a"), root.resolve(link.resolve("a").toString())); // absolute, through the link
  }

  @Test
  void badRoots(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new OutputRoot(file)).getMessage()
        .contains("exists and is not a folder"));
    assertThrows(IllegalArgumentException.class, () -> new OutputRoot(Path.of("/")));
    assertEquals("--out must name a folder, got an empty value",
        assertThrows(IllegalArgumentException.class, () -> OutputRoot.forRun(" ", "p")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> OutputRoot.forRun(null, "../x"));
    assertEquals(Path.of("out", "quickstart").toAbsolutePath(), OutputRoot.forRun(null, "quickstart").path());
  }

  @Test
  void safeNames() {
    for (String ok : new String[] {"quickstart", "isbi-2012_v2", "a.b", "my run"}) {
      assertTrue(PipelinePlan.isSafeName(ok), ok);
    }
    for (String bad : new String[] {"", " ", ".", "..", "a/b", "../x", "a\\b", "x..y", "tab\tname", null}) {
      assertTrue(!PipelinePlan.isSafeName(bad), String.valueOf(bad));
    }
  }
}
