package org.unetpipelines.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.io.Manifest;

/** {@code validate --plan} and {@code run} of a grid file. */
class GridCliTest {
  private static final String GRID = String.join("\n",
      "pipeline:",
      "  transforms:",
      "    - {type: SyntheticImages, name: S, config: {count: 2, height: 32, width: 32}}",
      "    - {type: WriteAvro, name: Raw, input: S, config: {path: raw}}",
      "    - {type: Flip, input: S}",
      "    - {type: WriteAvro, name: W, input: Flip, config: {path: shards}}",
      "grid:",
      "  axes:",
      "    Flip.config.horizontal: [0.0, 1.0]",
      "    options.seed: [1, 2]",
      "options: {seed: 9}",
      "");

  @Test
  void validatePlanPrintsCellsAndSharedStages(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("g.yaml");
    Files.writeString(f, GRID);
    CliTest.Result r = CliTest.cli("validate", f.toString(), "--plan");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("is valid"), r.out());
    assertTrue(r.out().contains("grid: 4 cells over 2 axes (product 4, excluded 0, included 0)"), r.out());
    assertTrue(r.out().contains("shared stages (run once, seed 9):\n  S "), r.out());
    assertTrue(r.out().contains("  Raw   WriteAvro        <- S\n"), r.out());
    assertTrue(r.out().contains("  W     WriteAvro        <- Flip\n"), r.out());
    assertTrue(r.out().contains("    4  horizontal=1.0,seed=2  seed 2      grid/horizontal=1.0,seed=2/"), r.out());
    CliTest.Result plain = CliTest.cli("validate", f.toString());
    assertFalse(plain.out().contains("cells:"), plain.out());
    // a bad value: exit 2, the axis line
    Files.writeString(f, GRID.replace("[0.0, 1.0]", "[0.0, often]"));
    CliTest.Result bad = CliTest.cli("validate", f.toString(), "--plan");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("g.yaml:9: stage 'Flip': grid axis 'Flip.config.horizontal' (2 of 4 cells): "
        + "'horizontal' must be number, got 'often'"), bad.err());
  }

  @Test
  void runWritesEachCellUnderItsFolderWithItsSeed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("g.yaml");
    Files.writeString(f, GRID);
    Path out = dir.resolve("o");
    CliTest.Result r = CliTest.cli("run", f.toString(), "--out", out.toString(), "--progress-seconds", "1");
    assertEquals(0, r.code(), r.out() + r.err());
    Manifest raw = Manifest.read(out.resolve("raw"));
    assertEquals(9, raw.seed());
    assertEquals(2, raw.records());
    for (String h : new String[] {"0.0", "1.0"}) {
      for (int seed = 1; seed <= 2; seed++) {
        Manifest m = Manifest.read(out.resolve("grid/horizontal=" + h + ",seed=" + seed + "/shards"));
        assertEquals(seed, m.seed());
        assertEquals("W[horizontal=" + h + ",seed=" + seed + "]", m.stage().name());
        assertEquals(2, m.records());
      }
    }
    // horizontal 1.0 flips every image: different bytes from 0.0 with the same seed
    assertNotEquals(Manifest.read(out.resolve("grid/horizontal=0.0,seed=1/shards")).shards().get(0).sha256(),
        Manifest.read(out.resolve("grid/horizontal=1.0,seed=1/shards")).shards().get(0).sha256());
    assertFalse(Files.exists(out.resolve("shards")));
  }
}
