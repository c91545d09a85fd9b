package org.unetpipelines.engine.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.engine.RunLock;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.io.SavedModelFiles;
import org.unetpipelines.model.Serving;

/**
 * Runs the whole {@code src/test/resources/bad-inputs/} corpus through the CLI, in process, the way a
 * new user would meet it. Every case must end in a clear exit-2 error before anything runs, or in
 * a dead letter; never in a stack trace, a hang or silent loss.
 *
 * <ul>
 *   <li>{@code config/*.yaml}: pipelines (and command lines) that must be refused. Header comments:
 *       {@code # expect: TEXT} (each must appear in the error), {@code # arg: ARG} (one command-line
 *       argument each), {@code # commands: run} (only {@code run}; default {@code validate} and
 *       {@code run}, which must print the same error), {@code # out: none} (no {@code --out}),
 *       {@code # link: PATH -> TARGET} (a symbolic link made in the output root first),
 *       {@code # lock: alive} (the output root is locked by a live process). {@code ${BAD}} is the
 *       corpus copy, {@code ${TMP}} the test's folder, whose {@code outside/} must stay empty.
 *   <li>{@code inputs/}: a pipeline reading every bad input file, plus entries made here because git
 *       cannot hold them (FIFOs, dangling links, a folder named like an image); its dead letters must
 *       be exactly {@code inputs/expected-dead-letters.tsv}.
 *   <li>{@code models/}: broken SavedModels, derived here from a freshly exported good one.
 * </ul>
 */
class BadInputsTest {
  static final Path CORPUS = Path.of("src/test/resources/bad-inputs");
  static final Duration LIMIT = Duration.ofMinutes(4);

  /** One case of {@code config/}. */
  record Case(Path file, List<String> expect, List<String> args, boolean validateToo, boolean passOut,
      List<String[]> links, boolean lockAlive) {
    static Case parse(Path file, Map<String, String> vars) throws IOException {
      List<String> expect = new ArrayList<>();
      List<String> args = new ArrayList<>();
      List<String[]> links = new ArrayList<>();
      boolean validateToo = true;
      boolean passOut = true;
      boolean lock = false;
      for (String raw : Files.readAllLines(file)) {
        if (!raw.startsWith("#")) {
          continue;
        }
        String line = subst(raw, vars);
        if (line.startsWith("# expect: ")) {
          expect.add(line.substring("# expect: ".length()).strip());
        } else if (line.startsWith("# arg: ")) {
          String a = line.substring("# arg: ".length());
          args.add(a);
          passOut &= !a.startsWith("--out");
        } else if (line.equals("# commands: run")) {
          validateToo = false;
        } else if (line.equals("# out: none")) {
          passOut = false;
        } else if (line.startsWith("# link: ")) {
          links.add(line.substring("# link: ".length()).split(" -> ", 2));
        } else if (line.equals("# lock: alive")) {
          lock = true;
        }
      }
      assertFalse(expect.isEmpty(), file + " names no '# expect:'");
      return new Case(file, expect, args, validateToo, passOut, links, lock);
    }
  }

  static String subst(String s, Map<String, String> vars) {
    for (Map.Entry<String, String> v : vars.entrySet()) {
      s = s.replace("${" + v.getKey() + "}", v.getValue());
    }
    return s;
  }

  @Test
  void everyBadInputEndsInAClearErrorBeforeAnythingRunsOrInADeadLetter(@TempDir Path tmp) throws Exception {
    Path bad = tmp.resolve("bad");
    copyTree(CORPUS, bad);
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Map<String, String> vars = Map.of("BAD", bad.toString(), "TMP", tmp.toString());
    makeModels(bad.resolve("models"));

    List<Executable> checks = new ArrayList<>();
    List<Path> cases;
    try (Stream<Path> s = Files.list(bad.resolve("config"))) {
      cases = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(cases.size() >= 30, "corpus has " + cases.size() + " config cases");
    for (Path file : cases) {
      Case c = Case.parse(file, vars);
      Path yaml = tmp.resolve("cases").resolve(file.getFileName());
      Files.createDirectories(yaml.getParent());
      Files.writeString(yaml, subst(Files.readString(file), vars));
      Path out = tmp.resolve("out").resolve(file.getFileName().toString().replace(".yaml", ""));
      CliTest.Result[] results = assertTimeoutPreemptively(LIMIT, () -> runCase(c, yaml, out));
      checks.add(() -> checkRefused(c, results, out, outside));
    }
    checks.add(() -> assertTimeoutPreemptively(LIMIT, () -> checkInputs(bad, tmp, vars)));
    checks.add(() -> checkPredictCommand(bad, tmp));
    checks.add(() -> {
      CliTest.Result ok = CliTest.cli("validate", goodModelPipeline(bad, tmp).toString(), "--out", tmp.resolve("o").toString());
      assertEquals(0, ok.code(), "control: a complete SavedModel validates: " + ok.err());
    });
    assertAll(checks);
  }

  /** validate (when the case allows) and run; the files the test put in the root are made first. */
  private static CliTest.Result[] runCase(Case c, Path yaml, Path out) throws IOException {
    if (!c.links().isEmpty() || c.lockAlive()) {
      Files.createDirectories(out);
    }
    for (String[] link : c.links()) {
      Files.createSymbolicLink(out.resolve(link[0]), Path.of(link[1]));
    }
    if (c.lockAlive()) {
      writeLock(out, ProcessHandle.current().pid());
    }
    List<String> args = new ArrayList<>(c.args());
    if (c.passOut()) {
      args.add("--out=" + out);
    }
    CliTest.Result validate = null;
    if (c.validateToo()) {
      validate = CliTest.cli(concat("validate", yaml.toString(), args));
    }
    CliTest.Result run = CliTest.cli(concat("run", yaml.toString(), args));
    return new CliTest.Result[] {validate, run};
  }

  private static void checkRefused(Case c, CliTest.Result[] results, Path out, Path outside) throws IOException {
    String name = c.file().getFileName().toString();
    CliTest.Result validate = results[0];
    CliTest.Result run = results[1];
    for (CliTest.Result r : validate == null ? List.of(run) : List.of(validate, run)) {
      assertEquals(2, r.code(), name + ": exit code; stdout: " + r.out() + " stderr: " + r.err());
      for (String e : c.expect()) {
        assertTrue(r.err().contains(e), name + ": expected '" + e + "' in:\n" + r.err());
      }
      assertFalse(r.err().contains("\tat ") || r.out().contains("\tat "), name + ": stack trace:\n" + r.err());
    }
    if (validate != null) {
      assertEquals(validate.err(), run.err(), name + ": validate and run must report the same errors");
    }
    assertFalse(run.out().contains("Running "), name + ": the pipeline started:\n" + run.out());
    // nothing ran: the root holds at most what the test put there; nothing appeared outside
    List<String> made = new ArrayList<>();
    c.links().forEach(l -> made.add(l[0]));
    if (c.lockAlive()) {
      made.add(RunLock.FILE);
    }
    if (Files.isDirectory(out)) {
      try (Stream<Path> s = Files.list(out)) {
        List<String> there = s.map(p -> p.getFileName().toString()).sorted().toList();
        assertEquals(made.stream().sorted().toList(), there, name + ": files written in the output root");
      }
    }
    try (Stream<Path> s = Files.list(outside)) {
      assertEquals(List.of(), s.toList(), name + ": files written outside the output root");
    }
  }

  /** The input run: every unreadable entry becomes exactly one dead letter; then a clean rerun leaves none. */
  private static void checkInputs(Path bad, Path tmp, Map<String, String> vars) throws Exception {
    Path images = bad.resolve("images");
    mkfifo(images.resolve("fifo.png"));
    Files.createSymbolicLink(images.resolve("dangling.png"), bad.resolve("nowhere/gone.png"));
    Files.createDirectories(images.resolve("folder.png"));
    Files.writeString(images.resolve("folder.png/inside.txt"), "a folder named like an image");
    mkfifo(bad.resolve("paired/masks/fifo-mask.png"));
    Files.createSymbolicLink(bad.resolve("paired/masks/dangling-mask.png"), bad.resolve("nowhere/mask.png"));

    Path out = tmp.resolve("out-inputs");
    Files.createDirectories(out);
    writeLock(out, deadPid()); // a run that died left its lock: taken over with a warning
    Path pipeline = tmp.resolve("read-bad-inputs.yaml");
    Files.writeString(pipeline, subst(Files.readString(bad.resolve("inputs/read-bad-inputs.yaml")), vars));
    CliTest.Result r = CliTest.cli("run", pipeline.toString(), "--out", out.toString(), "--progress-seconds", "1");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("WARNING: taking over the stale lock"), r.out());
    assertFalse(r.out().contains("MISMATCH"), r.out());
    assertFalse(r.err().contains("\tat "), r.err());
    assertTrue(r.out().contains("read 10 = written 1 + dead-lettered 9"), r.out());
    assertTrue(r.out().contains("read 3 = written 1 + dead-lettered 2"), r.out());
    assertTrue(r.out().contains("read 2 = written 0 + dead-lettered 2"), r.out());
    assertFalse(Files.exists(out.resolve(RunLock.FILE)), "the run released its lock");

    Map<String, String> expected = new TreeMap<>();
    for (String line : Files.readAllLines(bad.resolve("inputs/expected-dead-letters.tsv"))) {
      if (!line.startsWith("#") && !line.isBlank()) {
        String[] f = line.split("\t");
        expected.put(f[0] + " " + f[1], f[2]);
      }
    }
    Map<String, String> got = new TreeMap<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(out.resolve("_deadletters/deadletters.jsonl"))) {
      JsonNode n = json.readTree(line);
      got.put(n.get("stage").asText() + " " + n.get("input").asText(), n.get("reason").asText());
    }
    assertEquals(expected.keySet(), got.keySet(), "dead letters (stage id): " + got);
    for (Map.Entry<String, String> e : expected.entrySet()) {
      assertTrue(got.get(e.getKey()).contains(e.getValue()), e.getKey() + ": '" + e.getValue() + "' not in '"
          + got.get(e.getKey()) + "'");
    }

    Path clean = tmp.resolve("clean.yaml");
    Files.writeString(clean, subst(Files.readString(bad.resolve("inputs/clean.yaml")), vars));
    CliTest.Result again = CliTest.cli("run", clean.toString(), "--out", out.toString(), "--progress-seconds", "1");
    assertEquals(0, again.code(), again.out() + again.err());
    assertFalse(Files.exists(out.resolve("_deadletters/deadletters.jsonl")),
        "a rerun without dead letters must not leave the previous run's file");
  }

  private static void checkPredictCommand(Path bad, Path tmp) {
    Path model = bad.resolve("models/truncated-pb");
    CliTest.Result r = CliTest.cli("predict", "--model", model.toString(), "--images",
        bad.resolve("images/ok.png").toString(), "--out", tmp.resolve("pred").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("predict: --model: "), r.err());
    assertTrue(r.err().contains(model.resolve("saved_model.pb") + ": not a SavedModel protocol buffer"), r.err());
    assertFalse(Files.exists(tmp.resolve("pred")), "nothing predicted");
  }

  private static Path goodModelPipeline(Path bad, Path tmp) throws IOException {
    Path f = tmp.resolve("good-model.yaml");
    Files.writeString(f, String.join("\n", "pipeline:", "  transforms:",
        "    - {type: SyntheticImages, name: S, config: {count: 1, height: 16, width: 16}}",
        "    - {type: Evaluate, name: Eval, input: S, config: {model: \"" + bad.resolve("models/good") + "\"}}", ""));
    return f;
  }

  /** A good SavedModel with a variable, and the broken ones the corpus names, made from copies of it. */
  static void makeModels(Path models) throws IOException {
    Path good = models.resolve("good");
    export(good, Serving.TAG);
    export(models.resolve("no-serve-tag"), "train");
    Path pb = Path.of(SavedModelFiles.SAVED_MODEL_PB);
    copyTree(good, models.resolve("no-pb"));
    Files.delete(models.resolve("no-pb").resolve(pb));
    copyTree(good, models.resolve("truncated-pb"));
    truncate(models.resolve("truncated-pb").resolve(pb), 1.0 / 3);
    copyTree(good, models.resolve("no-variables"));
    deleteTree(models.resolve("no-variables/variables"));
    copyTree(good, models.resolve("truncated-data"));
    truncate(models.resolve("truncated-data/variables/variables.data-00000-of-00001"), 0.5);
    copyTree(good, models.resolve("bad-index"));
    truncate(models.resolve("bad-index/variables/variables.index"), 0.5);
    copyTree(good, models.resolve("no-model-json"));
    Files.delete(models.resolve("no-model-json").resolve(ModelSpec.MODEL_JSON));
  }

  /** y = sigmoid(w * x) with one variable w (two floats: 8 data bytes), any image size; model.json for 8x8 tiles. */
  static void export(Path dir, String tag) throws IOException {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, -1, -1, 1)));
      Variable<TFloat32> w = tf.withName("w").variable(tf.constant(new float[] {0.5f, 0.25f}));
      Operand<TFloat32> y = tf.withName("probabilities").math.sigmoid(
          tf.math.mul(x, tf.reduceSum(w, tf.constant(0))));
      s.initialize();
      Signature sig = Signature.builder().key(Serving.SIGNATURE)
          .input(Serving.INPUT, x).output(Serving.OUTPUT, y).build();
      SavedModelBundle.exporter(dir.toString()).withTags(tag).withFunction(SessionFunction.create(sig, s)).export();
    }
    Files.writeString(dir.resolve(ModelSpec.MODEL_JSON), new ModelSpec(dir.toString(), 8, 8, 1, 8, 8, 1).toJson());
  }

  static void writeLock(Path root, long pid) throws IOException {
    Files.writeString(root.resolve(RunLock.FILE), "{\"pid\":" + pid + ",\"host\":\""
        + InetAddress.getLocalHost().getHostName() + "\",\"started\":\"2026-01-01T00:00:00Z\",\"pipeline\":\"other.yaml\"}",
        StandardCharsets.UTF_8);
  }

  /** The pid of a process that has ended. */
  static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long pid = p.pid();
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    return pid;
  }

  static void mkfifo(Path p) throws Exception {
    Process proc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assertEquals(0, proc.waitFor(), "mkfifo " + p);
  }

  static String[] concat(String command, String file, List<String> args) {
    List<String> all = new ArrayList<>(Arrays.asList(command, file));
    all.addAll(args);
    return all.toArray(String[]::new);
  }

  static void truncate(Path f, double keep) throws IOException {
    byte[] b = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(b, (int) (b.length * keep)));
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
