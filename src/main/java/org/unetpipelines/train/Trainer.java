package org.unetpipelines.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.RunMetadata;
import org.unetpipelines.model.SegmentationNet;
import org.unetpipelines.model.Serving;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.augment.Boundary;
import org.unetpipelines.augment.ImageStack;
import org.unetpipelines.augment.MirrorPadding;
import org.unetpipelines.augment.SampleLayers;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.task.Segmentation;
import org.unetpipelines.train.task.Task;

/**
 * The one training loop, for every {@link Task}: streams samples (shuffle buffer, batches prepared by
 * a background thread), runs the task's phases every step on a schedule, validates every epoch, stops
 * early, checkpoints every N steps, resumes from the newest good checkpoint on the same curve, and
 * exports a SavedModel plus {@code model.json}.
 *
 * <p>Output folder layout: {@code checkpoints/ckpt-<step>.*} (variables and every optimizer's slots)
 * with {@code ckpt-<step>.state.json} beside each and {@code state.json} naming the newest;
 * {@code curve.csv} and {@code curve.avro}; {@code pictures/} (the task's validation pictures per epoch, if any);
 * {@code saved_model/} (tag "serve", signature
 * "serving_default", input "image", outputs as the task serves them); {@code model.json} (the
 * {@link ModelArtifact} fields, the task's properties and the serving contract).
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static final String CHECKPOINTS = "checkpoints";
  public static final String STATE_FILE = "state.json";
  public static final String SAVED_MODEL = "saved_model";
  public static final String MODEL_JSON = "model.json";
  public static final String CURVE_CSV = "curve.csv";
  public static final String CURVE_AVRO = "curve.avro";
  /** Folder of the validation pictures ({@link Task.Validation#pictures}), beside the curve. */
  public static final String PICTURES = "pictures";
  /** Checkpoint prefix (under checkpoints/) of the best validation's weights when select_by is set. */
  public static final String BEST = "best";
  private static final String STATE_SUFFIX = ".state.json";
  /** Trainings in one JVM (grid cells) trace their first step one at a time. */
  private static final Object TRACE_LOCK = new Object();

  /** What a checkpoint needs besides the variables to continue the same run. */
  public record CheckpointState(String family, String variant, String optimizer, int height, int width, long seed,
      long step, long epoch, long batchesInEpoch, LearningRateSchedule.State schedule, double bestValidation,
      int epochsWithoutImprovement, double epochLossSum, long epochBatches, double elapsedSeconds, String prefix,
      int restarts, long attemptStart, long bestStep) {}

  /** The mutable position of a run: everything a checkpoint records. */
  private static final class Progress {
    long step;
    long epoch;
    long batchInEpoch;
    double best;
    int noImprove;
    double epochLossSum;
    long epochBatches;
    double elapsedBefore;
    /** Restarts so far (Task#restart) and the step the current attempt began at. */
    int restarts;
    long attemptStart;
    /** The step of the best validation so far (0: none), whose weights checkpoints/best holds with select_by. */
    long bestStep;
    /** The step the last validation ran at (-1: none in this run). */
    long lastValidationStep = -1;
    long startNanos = System.nanoTime();
    boolean resumed;

    double elapsed() {
      return elapsedBefore + (System.nanoTime() - startNanos) / 1e9;
    }
  }

  private final Task task;
  private final TrainConfig config;
  private final Path out;
  private final Path ckptDir;
  private final String run;
  private final String configJson;
  private final LearningRateSchedule schedule;
  private final OnlineAugment augment;
  /** Time the steps waited for their batch (input preparation and online augmentation). */
  private long inputWaitNanos;

  private Trainer(Task task, TrainConfig config, OnlineAugment augment, Path out, String run, String configJson) {
    this.task = task;
    this.augment = augment;
    this.config = config;
    this.out = out;
    this.ckptDir = out.resolve(CHECKPOINTS);
    this.run = run;
    this.configJson = configJson;
    this.schedule = config.newSchedule();
  }

  /** Trains a segmentation network (one head, or several with deep supervision); see {@link #train(Task, ...)}. */
  public static ModelArtifact train(SegmentationNet net, TrainConfig config, Iterable<Sample> train,
      Iterable<Sample> validation, Path out, String run, String configJson) throws IOException {
    return train(new Segmentation(net, config.height(), config.width(), config.loss()), config, OnlineAugment.NONE,
        train, validation, out, run, configJson);
  }

  /**
   * Trains {@code task} on {@code train} (iterated once per epoch), validating on {@code validation}
   * (may be null) after each epoch, writing everything under {@code out}.
   *
   * @param run run id recorded in curve points and the artifact
   * @param configJson the stage config as JSON (recorded in the artifact)
   */
  public static ModelArtifact train(Task task, TrainConfig config, Iterable<Sample> train, Iterable<Sample> validation,
      Path out, String run, String configJson) throws IOException {
    return train(task, config, OnlineAugment.NONE, train, validation, out, run, configJson);
  }

  /**
   * As {@link #train(Task, TrainConfig, Iterable, Iterable, Path, String, String)}, every training
   * sample of every step going through {@code augment} first ({@link OnlineAugment}: drawn from
   * (seed, step, index), in the batch-preparing thread).
   */
  public static ModelArtifact train(Task task, TrainConfig config, OnlineAugment augment, Iterable<Sample> train,
      Iterable<Sample> validation, Path out, String run, String configJson) throws IOException {
    if (augment == null) {
      throw new IllegalArgumentException("augment must be given (OnlineAugment.NONE for none)");
    }
    return new Trainer(task, config, augment, out, run, configJson).run(train, validation);
  }

  private ModelArtifact run(Iterable<Sample> train, Iterable<Sample> validation) throws IOException {
    Files.createDirectories(ckptDir);
    if (config.earlyStoppingPatience() > 0 && validation == null) {
      LOG.warn("early stopping needs a validation set; it is off for this run");
    }
    try (TrainingGraph tg = TrainingGraph.create(task, config)) {
      tg.initialize();
      Progress p = config.resume() ? resume(tg) : null;
      if (p == null) {
        p = new Progress();
        p.best = higherIsBetter() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      }
      long params = tg.model().parameterCount();
      Task.Geometry geo = task.geometry();
      LOG.info("training {} {} ({} parameters, {} phase(s) {}, input {}x{} -> output {}x{}) for {} steps on {}, "
          + "batch {}, {} {} lr {}, online augmentation: {}", task.family(), task.variant(), params,
          tg.phases().size(), tg.phases(), geo.inputHeight(), geo.inputWidth(), geo.outputHeight(), geo.outputWidth(),
          config.steps(), config.device().yaml(), config.batchSize(), optimizerName(), schedule, config.learningRate(),
          augmentation());
      long startStep = p.step;
      CurveLog curve = p.resumed ? CurveLog.resume(out.resolve(CURVE_CSV), p.step) : CurveLog.create(out.resolve(CURVE_CSV));
      double lastLoss;
      try {
        lastLoss = loop(tg, p, curve, train, validation);
        curve.flush();
        curve.writeAvro(out.resolve(CURVE_AVRO));
      } finally {
        curve.close();
      }
      double seconds = p.elapsed();
      LOG.info(String.format(Locale.ROOT, "trained %d steps (%d this run) in %.1f s; the steps waited %.1f s for input",
          p.step, p.step - startStep, seconds, inputWaitNanos / 1e9));
      checkpoint(tg, null, p);
      return export(tg, p, params, seconds, lastLoss);
    }
  }

  // ---- resume ----

  /**
   * The newest checkpoint that restores, or null when there is none. A checkpoint whose files are
   * missing or unreadable is skipped with a warning and the one before it is tried; a checkpoint
   * written by another run (other model, optimizer, size or seed) is an error.
   */
  private Progress resume(TrainingGraph tg) throws IOException {
    List<Path> states = checkpointStates(ckptDir);
    if (states.isEmpty()) {
      return null;
    }
    List<String> failures = new ArrayList<>();
    for (Path file : states) {
      CheckpointState state;
      try {
        state = JSON.readValue(file.toFile(), CheckpointState.class);
      } catch (IOException e) {
        failures.add(file + ": " + e.getMessage());
        LOG.warn("checkpoint state {} is unreadable ({}); trying the one before", file, e.getMessage());
        continue;
      }
      checkSameRun(state);
      Path prefix = ckptDir.resolve(state.prefix());
      try {
        tg.restore(prefix);
      } catch (RuntimeException e) {
        failures.add(prefix + ": " + e.getMessage());
        LOG.warn("checkpoint {} does not restore ({}); trying the one before", prefix, firstLine(e.getMessage()));
        continue;
      }
      Progress p = new Progress();
      p.resumed = true;
      p.step = state.step();
      p.epoch = state.epoch();
      p.batchInEpoch = state.batchesInEpoch();
      schedule.restore(state.schedule());
      p.best = state.bestValidation();
      p.noImprove = state.epochsWithoutImprovement();
      p.epochLossSum = state.epochLossSum();
      p.epochBatches = state.epochBatches();
      p.elapsedBefore = state.elapsedSeconds();
      p.restarts = state.restarts();
      p.attemptStart = state.attemptStart();
      p.bestStep = state.bestStep();
      LOG.info("resumed {} from checkpoint {} at step {} (epoch {}, batch {})", run, prefix, p.step, p.epoch,
          p.batchInEpoch);
      return p;
    }
    throw new IllegalStateException("no checkpoint in " + ckptDir + " restores: " + String.join("; ", failures)
        + ". Delete the folder or turn 'resume' off to start over");
  }

  private void checkSameRun(CheckpointState s) {
    if (!task.family().equals(s.family()) || !task.variant().equals(s.variant()) || !optimizerName().equals(s.optimizer())
        || config.height() != s.height() || config.width() != s.width() || config.seed() != s.seed()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "the checkpoint in %s was written by another run (%s %s, %s, %dx%d, seed %d); this run is %s %s, %s, %dx%d, "
          + "seed %d. Use another output folder, delete %s, or turn resume off", ckptDir, s.family(), s.variant(),
          s.optimizer(), s.height(), s.width(), s.seed(), task.family(), task.variant(), optimizerName(),
          config.height(), config.width(), config.seed(), ckptDir));
    }
  }

  /** Checkpoint state files in {@code dir}, newest first. */
  static List<Path> checkpointStates(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "ckpt-*" + STATE_SUFFIX)) {
      ds.forEach(out::add);
    }
    out.sort(Comparator.comparingLong(Trainer::stepOf).reversed());
    return out;
  }

  private static long stepOf(Path p) {
    String name = p.getFileName().toString();
    String digits = name.substring("ckpt-".length(), name.indexOf('.'));
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The last checkpoint's state in {@code dir}, or null when there is none. */
  public static CheckpointState readState(Path dir) throws IOException {
    Path f = dir.resolve(STATE_FILE);
    if (!Files.exists(f)) {
      return null;
    }
    return JSON.readValue(f.toFile(), CheckpointState.class);
  }

  // ---- the epoch loop ----

  /** Trains until the step budget is spent or early stopping fires; returns the last training loss. */
  private double loop(TrainingGraph tg, Progress p, CurveLog curve, Iterable<Sample> train,
      Iterable<Sample> validation) throws IOException {
    List<Double> resumedLosses = CurveLog.series(curve.points(), "train", lossMetric(tg.phases().get(0), tg));
    double lastLoss = resumedLosses.isEmpty() ? Double.NaN : resumedLosses.get(resumedLosses.size() - 1);
    boolean stop = false;
    StepLog log = new StepLog(p.step);
    boolean traced = false;
    while (p.step < stepLimit(p) && !stop) {
      long skip = p.batchInEpoch;
      try (BatchStream batches = new BatchStream(train, task, config.batchSize(), config.shuffleBuffer(),
          config.seed(), p.epoch, skip, config.prefetch(), true, augment, p.step)) {
        while (p.step < stepLimit(p) && batches.hasNext()) {
          lastLoss = step(tg, p, curve, batches.next(), log, !traced);
          traced = true;
        }
        boolean epochDone = !batches.hasNext();
        inputWaitNanos += batches.waitedNanos();
        if (epochDone) {
          stop = endEpoch(tg, p, curve, validation);
        }
      }
    }
    if (validation != null && p.lastValidationStep != p.step) { // the final validation (not at an epoch's end)
      Map<String, Double> v = validate(tg, validation, "final");
      p.lastValidationStep = p.step;
      for (Map.Entry<String, Double> e : v.entrySet()) {
        curve.add(run, p.step, p.epoch, "validation", CurveLog.FINAL_PREFIX + e.getKey(), e.getValue(), p.elapsed());
      }
      LOG.info("final validation at step {}: {}", p.step, format(v));
      if (config.selectBy() != null && p.bestStep != p.step && better(monitored(v), p.best)) {
        p.best = monitored(v);
        saveBest(tg, p);
      }
    }
    return lastLoss;
  }

  /** The step budget: {@code steps} for the current attempt (steps of attempts before a restart do not count). */
  private long stepLimit(Progress p) {
    return config.steps() + p.attemptStart;
  }

  /** The seed a restart draws its fresh weights from: a mix of the run's seed and the restart's number. */
  static long restartSeed(long seed, int restart) {
    long z = seed + restart * 0x9E3779B97F4A7C15L; // SplitMix64
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Re-initializes every variable and optimizer slot from a derived seed and starts a new attempt. */
  private void restart(TrainingGraph tg, Progress p, CurveLog curve, Map<String, Float> statistics)
      throws IOException {
    p.restarts++;
    p.attemptStart = p.step;
    long seed = restartSeed(config.seed(), p.restarts);
    tg.reinitialize(seed);
    curve.add(run, p.step, p.epoch, "train", "restarts", p.restarts, p.elapsed());
    LOG.warn("restart {} at step {} (task {} asked for it on {}): fresh initialization with seed {}, {} more steps",
        p.restarts, p.step, task.name(), statistics, seed, config.steps());
  }

  private String lossMetric(String phase, TrainingGraph tg) {
    return tg.phases().size() == 1 ? "loss" : "loss_" + phase;
  }

  /** One step of every phase; records the losses and checkpoints on schedule. Returns the first phase's loss. */
  private double step(TrainingGraph tg, Progress p, CurveLog curve, Batch b, StepLog log, boolean trace)
      throws IOException {
    double lr = schedule.rate(p.step - p.attemptStart);
    RunMetadata[] meta = trace ? new RunMetadata[1] : null;
    Map<String, Float> losses;
    if (trace) {
      synchronized (TRACE_LOCK) { // TensorFlow allows one traced (profiled) run per process at a time
        losses = tg.step(b, lr, p.step, meta);
      }
    } else {
      losses = tg.step(b, lr, p.step, meta);
    }
    if (meta != null && meta[0] != null) {
      Device.logPlacement(meta[0]);
    }
    for (Map.Entry<String, Float> e : losses.entrySet()) {
      if (!Float.isFinite(e.getValue())) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "training loss%s became %s at step %d (learning rate %g); lower the learning rate",
            losses.size() > 1 ? " of phase " + e.getKey() : "", e.getValue(), p.step + 1, lr));
      }
    }
    float first = losses.values().iterator().next();
    p.step++;
    p.batchInEpoch++;
    p.epochLossSum += first;
    p.epochBatches++;
    double elapsed = p.elapsed();
    for (Map.Entry<String, Float> e : losses.entrySet()) {
      curve.add(run, p.step, p.epoch, "train", lossMetric(e.getKey(), tg), e.getValue(), elapsed);
    }
    curve.add(run, p.step, p.epoch, "train", "learning_rate", lr, elapsed);
    Map<String, Float> statistics = tg.lastStatistics();
    for (Map.Entry<String, Float> e : statistics.entrySet()) {
      curve.add(run, p.step, p.epoch, "train", e.getKey(), e.getValue(), elapsed);
    }
    if (task.restart(p.step - p.attemptStart, p.restarts, statistics)) {
      restart(tg, p, curve, statistics);
    }
    if (p.step % config.logEvery() == 0 || p.step == stepLimit(p)) {
      log.line(p, losses, lr);
      curve.flush();
    }
    if (config.checkpointEvery() > 0 && p.step % config.checkpointEvery() == 0 && p.step < stepLimit(p)) {
      checkpoint(tg, curve, p);
    }
    return first;
  }

  /** Progress lines: rate and ETA since the previous line. */
  private final class StepLog {
    private long lastStep;
    private long lastNanos = System.nanoTime();

    StepLog(long step) {
      this.lastStep = step;
    }

    void line(Progress p, Map<String, Float> losses, double lr) {
      long now = System.nanoTime();
      double rate = (p.step - lastStep) / Math.max(1e-9, (now - lastNanos) / 1e9);
      double eta = (stepLimit(p) - p.step) / Math.max(1e-9, rate);
      StringBuilder l = new StringBuilder();
      for (Map.Entry<String, Float> e : losses.entrySet()) {
        l.append(losses.size() == 1 ? "loss" : "loss_" + e.getKey()).append(' ')
            .append(String.format(Locale.ROOT, "%.4f ", e.getValue()));
      }
      LOG.info(String.format(Locale.ROOT, "step %d/%d epoch %d %slr %.3g | %.2f step/s ETA %s", p.step, stepLimit(p),
          p.epoch, l, lr, rate, duration(eta)));
      lastStep = p.step;
      lastNanos = now;
    }
  }

  /** Closes an epoch: epoch loss, validation, early stopping, the plateau schedule. Returns true to stop. */
  private boolean endEpoch(TrainingGraph tg, Progress p, CurveLog curve, Iterable<Sample> validation)
      throws IOException {
    if (p.epochBatches == 0) {
      throw new IllegalArgumentException("the training set is empty: no samples to train on");
    }
    double trainMean = p.epochLossSum / p.epochBatches;
    curve.add(run, p.step, p.epoch, "train", "epoch_loss", trainMean, p.elapsed());
    double monitored = trainMean;
    boolean higher = false;
    boolean stop = false;
    boolean validates = validation != null && (p.epoch + 1) % config.validateEvery() == 0;
    if (validates) {
      Map<String, Double> v = validate(tg, validation, String.format(Locale.ROOT, "epoch-%04d", p.epoch));
      p.lastValidationStep = p.step;
      for (Map.Entry<String, Double> e : v.entrySet()) {
        curve.add(run, p.step, p.epoch, "validation", e.getKey(), e.getValue(), p.elapsed());
      }
      LOG.info(String.format(Locale.ROOT, "epoch %d done at step %d: train loss %.4f, validation %s", p.epoch, p.step,
          trainMean, format(v)));
      monitored = monitored(v);
      higher = higherIsBetter();
      if (better(monitored, p.best)) {
        p.best = monitored;
        p.noImprove = 0;
        if (config.selectBy() != null) {
          saveBest(tg, p);
        }
      } else if (config.earlyStoppingPatience() > 0 && ++p.noImprove >= config.earlyStoppingPatience()) {
        LOG.info("early stopping after epoch {}: validation {} has not improved for {} validations (best {})",
            p.epoch, monitor(), p.noImprove, p.best);
        stop = true;
      }
    } else {
      LOG.info(String.format(Locale.ROOT, "epoch %d done at step %d: train loss %.4f", p.epoch, p.step, trainMean));
    }
    if (validates || validation == null) { // the plateau schedule sees validated epochs (or, without validation, all)
      schedule.onEpochEnd(higher ? -monitored : monitored);
    }
    p.epoch++;
    p.epochLossSum = 0;
    p.epochBatches = 0;
    p.batchInEpoch = 0;
    return stop;
  }

  /** {@code samples}, each smaller than the task's input mirrored (REFLECT, centred) up to the input size. */
  private Iterable<Sample> mirroredToInput(Iterable<Sample> samples) {
    int h = task.geometry().inputHeight();
    int w = task.geometry().inputWidth();
    return () -> com.google.common.collect.Iterators.transform(samples.iterator(), s -> {
      ImageStack layers = SampleLayers.of(s);
      int dh = Math.max(0, h - layers.height());
      int dw = Math.max(0, w - layers.width());
      if (dh == 0 && dw == 0) {
        return s;
      }
      ImageStack padded = MirrorPadding.op(dh / 2, dh - dh / 2, dw / 2, dw - dw / 2, Boundary.REFLECT)
          .apply(layers, null).get(0).layers();
      return SampleLayers.set(Sample.newBuilder(s), padded).build();
    });
  }

  /**
   * The task's validation metrics over the whole validation set; with {@code validate_on: whole_image}
   * the whole-image scores ({@link WholeImageValidation}) replace metrics of the same name. The task's
   * pictures go to {@code pictures/<label>-<stem>.png}.
   */
  private Map<String, Double> validate(TrainingGraph tg, Iterable<Sample> validation, String label) throws IOException {
    Task.Validation v = task.newValidation();
    // whole images smaller than the input tile (e.g. 512^2 slices for 572^2 tiles) are mirrored up to it for
    // the centre-tile pass, as the whole-image pass mirrors their borders
    Iterable<Sample> tiles = config.validateOn() == ValidationMode.WHOLE_IMAGE ? mirroredToInput(validation) : validation;
    try (BatchStream vb = new BatchStream(tiles, task, config.batchSize(), 0, config.seed(), 0, 0,
        config.prefetch(), false)) {
      while (vb.hasNext()) {
        Batch b = vb.next();
        v.add(b, tg.evaluate(b));
      }
    }
    Map<String, byte[]> pictures = v.pictures();
    if (!pictures.isEmpty()) {
      Path dir = Files.createDirectories(this.out.resolve(PICTURES));
      for (Map.Entry<String, byte[]> e : pictures.entrySet()) {
        Files.write(dir.resolve(label + "-" + e.getKey() + ".png"), e.getValue());
      }
    }
    Map<String, Double> out = new LinkedHashMap<>(v.result());
    if (config.validateOn() == ValidationMode.WHOLE_IMAGE) {
      long t0 = System.nanoTime();
      out.putAll(WholeImageValidation.score(tg, validation));
      LOG.debug("whole-image validation took {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
    return out;
  }

  /** The validation metric early stopping, the plateau schedule and select_by follow. */
  private String monitor() {
    return config.selectBy() != null ? config.selectBy() : task.monitor();
  }

  private boolean higherIsBetter() {
    return config.selectBy() != null ? ValidationMetrics.higherIsBetter(config.selectBy()) : task.higherIsBetter();
  }

  /** The monitored metric of a validation result (an error naming the metrics it has when it is not one). */
  private double monitored(Map<String, Double> v) {
    Double m = v.get(monitor());
    if (m == null) {
      throw new IllegalArgumentException("select_by: '" + monitor() + "' is not a validation metric of this run; "
          + "it has " + String.join(", ", v.keySet()));
    }
    return m;
  }

  private boolean better(double value, double best) {
    return higherIsBetter() ? value > best + config.minDelta() : value < best - config.minDelta();
  }

  /** Saves the weights as checkpoints/best (the export with select_by), the step and value in the next state. */
  private void saveBest(TrainingGraph tg, Progress p) {
    tg.save(ckptDir.resolve(BEST));
    p.bestStep = p.step;
    LOG.info(String.format(Locale.ROOT, "best validation %s so far: %.4f at step %d (checkpoint %s)", monitor(), p.best,
        p.step, ckptDir.resolve(BEST)));
  }

  private static String format(Map<String, Double> v) {
    StringBuilder s = new StringBuilder();
    v.forEach((k, x) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ')
        .append(String.format(Locale.ROOT, "%.4f", x)));
    return s.toString();
  }

  // ---- checkpoints ----

  private CheckpointState state(Progress p, String prefix) {
    return new CheckpointState(task.family(), task.variant(), optimizerName(), config.height(), config.width(),
        config.seed(), p.step, p.epoch, p.batchInEpoch, schedule.state(), p.best, p.noImprove, p.epochLossSum,
        p.epochBatches, p.elapsed(), prefix, p.restarts, p.attemptStart, p.bestStep);
  }

  private void checkpoint(TrainingGraph tg, CurveLog curve, Progress p) throws IOException {
    if (curve != null) {
      curve.flush();
    }
    CheckpointState state = state(p, "ckpt-" + p.step);
    tg.save(ckptDir.resolve(state.prefix()));
    writeAtomically(ckptDir.resolve(state.prefix() + STATE_SUFFIX), state);
    writeAtomically(ckptDir.resolve(STATE_FILE), state);
    pruneCheckpoints(state.step());
    LOG.info("checkpoint {} written", ckptDir.resolve(state.prefix()));
  }

  private static void writeAtomically(Path file, Object value) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    JSON.writeValue(tmp.toFile(), value);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void pruneCheckpoints(long current) throws IOException {
    List<Path> states = checkpointStates(ckptDir);
    for (int i = config.keepCheckpoints(); i < states.size(); i++) {
      long old = stepOf(states.get(i));
      if (old == current) {
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(ckptDir, "ckpt-" + old + ".*")) {
        for (Path f : ds) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  // ---- export ----

  private ModelArtifact export(TrainingGraph tg, Progress p, long params, double seconds, double lastLoss)
      throws IOException {
    Path savedModel = out.resolve(SAVED_MODEL);
    deleteRecursively(savedModel);
    Map<String, Object> properties = new LinkedHashMap<>(task.properties());
    if (config.selectBy() != null) {
      properties.put("selection", selection(tg, p));
    }
    tg.exportSavedModel(savedModel);
    Task.Geometry geo = task.geometry();
    ModelArtifact artifact = ModelArtifact.newBuilder()
        .setRun(run)
        .setModel(task.family())
        .setVariant(task.variant())
        .setSavedModelDir(savedModel.toAbsolutePath().toString())
        .setCheckpointDir(ckptDir.toAbsolutePath().toString())
        .setInputHeight(geo.inputHeight())
        .setInputWidth(geo.inputWidth())
        .setInputChannels(geo.inputChannels())
        .setOutputHeight(geo.outputHeight())
        .setOutputWidth(geo.outputWidth())
        .setClasses(geo.classes())
        .setParameters(params)
        .setSteps(p.step)
        .setSeed(config.seed())
        .setTrainSeconds(seconds)
        .setFinalLoss(lastLoss)
        .setConfig(configJson)
        .setCurve(out.resolve(CURVE_CSV).toAbsolutePath().toString())
        .build();
    writeModelJson(out.resolve(MODEL_JSON), artifact, properties, new ArrayList<>(tg.built().servingOutputs().keySet()));
    LOG.info("SavedModel written to {}", savedModel);
    return artifact;
  }

  /**
   * With select_by: restores the best validation's weights (checkpoints/best) into the session, so
   * they are what is exported, and describes the choice for model.json.
   */
  private Map<String, Object> selection(TrainingGraph tg, Progress p) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("metric", config.selectBy());
    s.put("direction", higherIsBetter() ? "max" : "min");
    s.put("validate_on", config.validateOn().name().toLowerCase(Locale.ROOT));
    if (p.bestStep > 0) {
      tg.restore(ckptDir.resolve(BEST));
      s.put("step", p.bestStep);
      s.put("value", p.best);
      s.put("checkpoint", ckptDir.resolve(BEST).toAbsolutePath().toString());
      LOG.info(String.format(Locale.ROOT, "exporting the best validation %s: %.4f at step %d of %d",
          config.selectBy(), p.best, p.bestStep, p.step));
    } else {
      s.put("step", p.step);
      s.put("note", "no validation ran: the last weights");
    }
    return s;
  }

  /** Writes the artifact's fields, the model's properties and the serving contract as JSON. */
  public static void writeModelJson(Path file, ModelArtifact artifact, Map<String, Object> properties,
      List<String> outputs) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Schema.Field f : artifact.getSchema().getFields()) {
      Object v = artifact.get(f.pos());
      m.put(f.name(), v instanceof CharSequence ? v.toString() : v);
    }
    Map<String, Object> serving = new LinkedHashMap<>();
    serving.put("tag", Serving.TAG);
    serving.put("signature", Serving.SIGNATURE);
    serving.put("input", Serving.INPUT);
    serving.put("inputShape", List.of(-1, artifact.getInputHeight(), artifact.getInputWidth(), artifact.getInputChannels()));
    serving.put("inputScale", "float32 in [0, 1]: integer images divided by their depth maximum");
    serving.put("output", Serving.OUTPUT);
    Object outputShape = properties.get("outputShape"); // a classifier's [-1, K]
    serving.put("outputShape", outputShape != null ? outputShape
        : List.of(-1, artifact.getOutputHeight(), artifact.getOutputWidth(), artifact.getClasses()));
    serving.put("activation", artifact.getClasses() == 1 ? "sigmoid" : "softmax");
    serving.put("outputs", outputs);
    Object heads = properties.get("heads");
    if (heads != null) {
      serving.put("heads", heads);
      serving.put("head", properties.get("inferenceHead"));
    }
    m.putAll(properties);
    m.put("serving", serving);
    JSON.writeValue(file.toFile(), m);
  }

  /** The online augmentation for the log: the chain's steps and the classification crop / flip / rotation. */
  private String augmentation() {
    List<String> parts = new java.util.ArrayList<>();
    if (!augment.isEmpty()) {
      parts.add(augment.toString());
    }
    if (config.cropPadding() > 0) {
      parts.add("pad " + config.cropPadding() + " + random crop");
    }
    if (config.flip() != FlipMode.NONE) {
      parts.add("flip " + config.flip().name().toLowerCase(java.util.Locale.ROOT));
    }
    if (config.rotation() > 0) {
      parts.add("rotation up to " + config.rotation() + " degrees");
    }
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private String optimizerName() {
    return config.optimizer().name().toLowerCase(Locale.ROOT);
  }

  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
