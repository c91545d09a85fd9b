package org.unetpipelines.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.schemas.transforms.SchemaTransformProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.unetpipelines.engine.ConfigBinder;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.ValidationException;

/**
 * The registries are generated at compile time ({@code @AutoService}); this checks they are
 * complete and that what they register is usable: every public implementation on the class path is
 * registered, every registered stage type appears in {@code unet-pipelines stages} with all its
 * config fields, and every pipeline shipped in {@code pipelines/} validates against the registry.
 */
class RegistriesTest {
  static final List<Class<?>> SERVICES =
      List.of(Stage.class, CliCommand.class, BenchTarget.class, ConfigChoice.class, SchemaTransformProvider.class);

  @Test
  void everyImplementationOnTheClassPathIsRegistered() throws IOException, URISyntaxException {
    Path classes = Path.of(Stage.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(Files.isDirectory(classes), "expected the compiled classes folder, got " + classes);
    List<Class<?>> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
        String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.startsWith("org.unetpipelines.") && !name.endsWith("package-info")) {
          try {
            all.add(Class.forName(name, false, Stage.class.getClassLoader()));
          } catch (ClassNotFoundException | LinkageError e) {
            fail("cannot load " + name + ": " + e);
          }
        }
      }
    }
    for (Class<?> service : SERVICES) {
      Set<String> implementations = all.stream()
          .filter(c -> service.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())
              && Modifier.isPublic(c.getModifiers()) && hasPublicNoArgConstructor(c))
          .map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
      Set<String> registered = ServiceLoader.load(service).stream().map(p -> p.type().getName())
          .filter(n -> n.startsWith("org.unetpipelines.")).collect(Collectors.toCollection(TreeSet::new));
      assertFalse(implementations.isEmpty(), service.getName());
      assertEquals(implementations, registered,
          service.getSimpleName() + ": annotate every implementation with @AutoService(" + service.getSimpleName()
              + ".class)");
    }
  }

  private static boolean hasPublicNoArgConstructor(Class<?> c) {
    try {
      return Modifier.isPublic(c.getConstructor().getModifiers());
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  @Test
  void everyRegisteredStageAppearsInTheStagesListingWithItsFields() {
    Map<String, Stage<?>> stages = StageRegistry.load().all();
    assertTrue(stages.size() >= 17, "stage types: " + stages.keySet());
    CliTest.Result r = CliTest.cli("stages");
    assertEquals(0, r.code(), r.err());
    Map<String, List<String>> listed = blocks(r.out());
    assertEquals(stages.keySet(), listed.keySet(), r.out());
    for (Stage<?> s : stages.values()) {
      List<String> fields = ConfigBinder.describe(s.configClass()).stream().map(ConfigBinder.FieldInfo::name).toList();
      assertEquals(fields, listed.get(s.type()), s.type());
      assertTrue(r.out().contains(s.type() + " — " + s.description()), s.type());

      CliTest.Result one = CliTest.cli("stages", s.type());
      assertEquals(0, one.code(), one.err());
      assertEquals(List.of(s.type()), List.copyOf(blocks(one.out()).keySet()));
    }
  }

  /** Stage type -> the config field names listed under it ({@code stages} output: header, inputs, fields, blank). */
  static Map<String, List<String>> blocks(String out) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        current = null;
      } else if (current == null) {
        current = new ArrayList<>();
        m.put(line.substring(0, line.indexOf(" — ")), current);
      } else if (line.startsWith("    ")) {
        current.add(line.trim().split("\\s+")[0]);
      }
    }
    return m;
  }

  @TestFactory
  List<DynamicTest> everyShippedPipelineValidates() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("pipelines"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no pipelines/*.yaml found from " + Path.of("").toAbsolutePath());
    StageRegistry registry = StageRegistry.load();
    List<DynamicTest> tests = new ArrayList<>();
    for (Path f : files) {
      tests.add(DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
        try {
          PipelinePlan plan = PipelinePlan.validate(PipelineFile.read(f, List.of()), registry);
          assertFalse(plan.stages().isEmpty(), f.toString());
        } catch (ValidationException e) {
          fail(f + " does not validate:\n" + e.getMessage());
        }
      }));
    }
    return tests;
  }
}
