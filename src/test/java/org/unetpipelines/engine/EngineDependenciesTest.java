package org.unetpipelines.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Arrows run one way: stages -> engine, never engine -> stages (the engine finds stages through the registry). */
class EngineDependenciesTest {
  @Test
  void engineSourcesNameNoStagesPackage() throws IOException {
    Path engine = Path.of("src/main/java/org/unetpipelines/engine");
    List<String> offenders = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(engine)) {
      files = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertFalse(files.isEmpty(), "no engine sources found under " + engine.toAbsolutePath());
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains("org.unetpipelines.stages")) {
          offenders.add(f + ":" + (i + 1) + ": " + lines.get(i).trim());
        }
      }
    }
    assertEquals(List.of(), offenders, "the engine must not depend on org.unetpipelines.stages");
  }
}
