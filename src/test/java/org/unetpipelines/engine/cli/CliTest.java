package org.unetpipelines.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.io.Manifest;

class CliTest {
  record Result(int code, String out, String err) {}

  static synchronized Result cli(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.commandLine().execute(args);
      return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void validateQuickstartAndAllShippedPipelines() throws Exception {
    try (var s = Files.list(Path.of("pipelines"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Result r = cli("validate", p.toString());
        assertEquals(0, r.code(), p + ": " + r.err());
        assertTrue(r.out().contains("is valid"), r.out());
      }
    }
  }

  @Test
  void validateReportsAllErrorsWithExitTwo(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "pipeline:\n  transforms:\n    - type: Nope\n    - type: WriteAvro\n      input: Ghost\n");
    Result r = cli("validate", f.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("bad.yaml:3: stage 'Nope': unknown stage type 'Nope'"), r.err());
    assertTrue(r.err().contains("bad.yaml:4: stage 'WriteAvro': missing required config key 'path'"), r.err());
    assertTrue(r.err().contains("input 'Ghost' is not a stage of this pipeline"), r.err());
  }

  @Test
  void stagesListsEveryTypeWithFields() {
    Result r = cli("stages");
    assertEquals(0, r.code());
    for (String t : new String[] {"ReadImageSet", "SyntheticImages", "WriteAvro", "WriteTFRecord", "ReadShards"}) {
      assertTrue(r.out().contains(t + " — "), t);
    }
    assertTrue(r.out().contains("shards           integer                = 1"), r.out());
    assertEquals(2, cli("stages", "Bogus").code());
  }

  @Test
  void helpOnEveryCommand() {
    for (String c : new String[] {"run", "validate", "stages", "bench"}) {
      Result r = cli(c, "--help");
      assertEquals(0, r.code(), c);
      assertTrue(r.out().contains("Usage: unet-pipelines " + c), r.out());
    }
  }

  @Test
  void runWithOutAndSet(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - {type: SyntheticImages, name: S, config: {count: 3, height: 32, width: 32}}",
        "    - {type: WriteTFRecord, name: W, input: S, config: {path: shards}}",
        "options: {seed: 1}"));
    Result r = cli("run", f.toString(), "--out", dir.resolve("o").toString(), "--set", "S.config.count=5",
        "--progress-seconds", "1");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("DONE in"), r.out());
    assertEquals(5, Manifest.read(dir.resolve("o/shards")).records());
    Result escape = cli("run", f.toString(), "--out", dir.resolve("o").toString(), "--set", "W.config.path=../../x");
    assertEquals(2, escape.code());
    assertTrue(escape.err().contains("outside the output root"), escape.err());
    assertEquals(2, cli("run", f.toString(), "--runner", "spark").code());
  }
}
