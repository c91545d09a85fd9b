package org.unetpipelines.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.RunMetadata;
import org.unetpipelines.model.SegmentationNet;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Sample;

/**
 * The training loop: streams samples (shuffle buffer, batches prepared by a background thread),
 * steps the optimizer on a schedule, validates every epoch, stops early, checkpoints every N steps,
 * resumes from the last checkpoint on the same curve, and exports a SavedModel plus
 * {@code model.json}.
 *
 * <p>Output folder layout: {@code checkpoints/ckpt-<step>.*} and {@code checkpoints/state.json},
 * {@code curve.csv} and {@code curve.avro}, {@code saved_model/} (tag "serve", signature
 * "serving_default", input "image" [N,H,W,C] float32 in [0,1], output "probabilities" [N,H',W',K]),
 * {@code model.json} (the {@link ModelArtifact} fields plus the serving contract).
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

  /** What a checkpoint needs besides the variables to continue the same run. */
  public record CheckpointState(String variant, String optimizer, int height, int width, long seed, long step,
      long epoch,
      long batchesInEpoch, double scheduleScale, double scheduleBest,
      int scheduleWait, double bestValidation, int epochsWithoutImprovement, double epochLossSum, long epochBatches,
      double elapsedSeconds, String prefix) {}

  private final SegmentationNet net;
  private final TrainConfig config;
  private final Path out;
  private final String run;
  private final String configJson;

  private Trainer(SegmentationNet net, TrainConfig config, Path out, String run, String configJson) {
    this.net = net;
    this.config = config;
    this.out = out;
    this.run = run;
    this.configJson = configJson;
  }

  /**
   * Trains {@code net} on {@code train} (iterated once per epoch), validating on {@code validation}
   * (may be null) after each epoch, writing everything under {@code out}.
   *
   * @param run run id recorded in curve points and the artifact
   * @param configJson the stage config as JSON (recorded in the artifact)
   */
  public static ModelArtifact train(SegmentationNet net, TrainConfig config, Iterable<Sample> train,
      Iterable<Sample> validation, Path out, String run, String configJson) throws IOException {
    return new Trainer(net, config, out, run, configJson).run(train, validation);
  }

  private ModelArtifact run(Iterable<Sample> train, Iterable<Sample> validation) throws IOException {
    Files.createDirectories(out);
    Path ckptDir = out.resolve(CHECKPOINTS);
    Files.createDirectories(ckptDir);
    int[] outSize = net.outputSize(config.height(), config.width());
    SampleArrays arrays = new SampleArrays(config.height(), config.width(), net.inputChannels(), outSize[0],
        outSize[1], net.classes());
    LearningRateSchedule schedule = config.newSchedule();
    if (config.earlyStoppingPatience() > 0 && validation == null) {
      LOG.warn("early stopping needs a validation set; it is off for this run");
    }
    try (TrainingGraph tg = TrainingGraph.create(net, config)) {
      tg.initialize();
      long params = tg.model().parameterCount();
      CheckpointState state = config.resume() ? readState(ckptDir) : null;
      CurveLog curve;
      long step = 0;
      long epoch = 0;
      long skip = 0;
      double bestVal = Double.POSITIVE_INFINITY;
      int noImprove = 0;
      double epochLossSum = 0;
      long epochBatches = 0;
      double elapsedBefore = 0;
      if (state != null) {
        String optimizer = optimizerName();
        if (!net.variant().equals(state.variant()) || !optimizer.equals(state.optimizer())
            || config.height() != state.height() || config.width() != state.width() || config.seed() != state.seed()) {
          throw new IllegalArgumentException(String.format(Locale.ROOT,
              "the checkpoint in %s was written by another run (%s, %s, %dx%d, seed %d); this run is %s, %s, %dx%d, "
              + "seed %d. Use another output folder, delete %s, or turn resume off", ckptDir, state.variant(),
              state.optimizer(), state.height(), state.width(), state.seed(), net.variant(), optimizer,
              config.height(), config.width(), config.seed(), ckptDir));
        }
        tg.restore(ckptDir.resolve(state.prefix()));
        step = state.step();
        epoch = state.epoch();
        skip = state.batchesInEpoch();
        schedule.restore(new LearningRateSchedule.State(state.scheduleScale(), state.scheduleBest(),
            state.scheduleWait()));
        bestVal = state.bestValidation();
        noImprove = state.epochsWithoutImprovement();
        epochLossSum = state.epochLossSum();
        epochBatches = state.epochBatches();
        elapsedBefore = state.elapsedSeconds();
        curve = CurveLog.resume(out.resolve(CURVE_CSV), step);
        LOG.info("resumed {} from checkpoint {} at step {} (epoch {}, batch {})", run, state.prefix(), step, epoch, skip);
      } else {
        curve = CurveLog.create(out.resolve(CURVE_CSV));
      }
      LOG.info("training {} ({} parameters, input {}x{} -> output {}x{}) for {} steps on {}, batch {}, {} {} lr {}",
          net.variant(), params, config.height(), config.width(), outSize[0], outSize[1], config.steps(),
          config.device().yaml(), config.batchSize(), config.optimizer().name().toLowerCase(Locale.ROOT), schedule,
          config.learningRate());
      long t0 = System.nanoTime();
      long startStep = step;
      long lastLogStep = step;
      long lastLogTime = t0;
      List<Double> resumedLosses = CurveLog.series(curve.points(), "train", "loss");
      float lastLoss = resumedLosses.isEmpty() ? Float.NaN : resumedLosses.get(resumedLosses.size() - 1).floatValue();
      boolean stop = false;
      boolean tracedPlacement = false;
      long lastEpochEndStep = -1;
      long batchInEpoch = skip;
      try {
        while (step < config.steps() && !stop) {
          batchInEpoch = skip;
          try (BatchStream batches = new BatchStream(train, arrays, config.batchSize(), config.shuffleBuffer(),
              config.seed(), epoch, skip, config.prefetch(), true)) {
            skip = 0;
            while (step < config.steps() && batches.hasNext()) {
              Batch b = batches.next();
              double lr = schedule.rate(step);
              RunMetadata[] meta = tracedPlacement ? null : new RunMetadata[1];
              float loss = tg.step(b, lr, step, meta);
              if (meta != null) {
                tracedPlacement = true;
                if (meta[0] != null) {
                  Device.logPlacement(meta[0]);
                }
              }
              if (!Float.isFinite(loss)) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                    "training loss became %s at step %d (learning rate %g); lower the learning rate", loss, step + 1, lr));
              }
              step++;
              batchInEpoch++;
              epochLossSum += loss;
              epochBatches++;
              lastLoss = loss;
              double elapsed = elapsedBefore + (System.nanoTime() - t0) / 1e9;
              curve.add(run, step, epoch, "train", "loss", loss, elapsed);
              curve.add(run, step, epoch, "train", "learning_rate", lr, elapsed);
              if (step % config.logEvery() == 0 || step == config.steps()) {
                long now = System.nanoTime();
                double rate = (step - lastLogStep) / Math.max(1e-9, (now - lastLogTime) / 1e9);
                double eta = (config.steps() - step) / Math.max(1e-9, rate);
                LOG.info(String.format(Locale.ROOT, "step %d/%d epoch %d loss %.4f lr %.3g | %.2f step/s ETA %s",
                    step, config.steps(), epoch, loss, lr, rate, duration(eta)));
                lastLogStep = step;
                lastLogTime = now;
                curve.flush();
              }
              if (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0 && step < config.steps()) {
                LearningRateSchedule.State s = schedule.state();
                checkpoint(tg, ckptDir, curve, new CheckpointState(net.variant(), optimizerName(), config.height(),
                    config.width(), config.seed(), step, epoch, batchInEpoch, s.scale(), s.best(),
                    s.epochsWithoutImprovement(), bestVal, noImprove, epochLossSum, epochBatches,
                    elapsedBefore + (System.nanoTime() - t0) / 1e9, "ckpt-" + step));
              }
            }
            if (!batches.hasNext()) { // the epoch is complete
              if (epochBatches == 0) {
                throw new IllegalArgumentException("the training set is empty: no samples to train on");
              }
              double elapsed = elapsedBefore + (System.nanoTime() - t0) / 1e9;
              double trainMean = epochLossSum / epochBatches;
              curve.add(run, step, epoch, "train", "epoch_loss", trainMean, elapsed);
              double monitored = trainMean;
              if (validation != null) {
                double[] v = validate(tg, validation, arrays);
                monitored = v[0];
                curve.add(run, step, epoch, "validation", "loss", v[0], elapsed);
                curve.add(run, step, epoch, "validation", "iou", v[1], elapsed);
                LOG.info(String.format(Locale.ROOT, "epoch %d done at step %d: train loss %.4f, validation loss %.4f, "
                    + "IoU %.4f", epoch, step, trainMean, v[0], v[1]));
                if (v[0] < bestVal - config.minDelta()) {
                  bestVal = v[0];
                  noImprove = 0;
                } else if (config.earlyStoppingPatience() > 0 && ++noImprove >= config.earlyStoppingPatience()) {
                  LOG.info("early stopping after epoch {}: validation loss has not improved for {} epochs (best {})",
                      epoch, noImprove, bestVal);
                  stop = true;
                }
              } else {
                LOG.info(String.format(Locale.ROOT, "epoch %d done at step %d: train loss %.4f", epoch, step, trainMean));
              }
              schedule.onEpochEnd(monitored);
              lastEpochEndStep = step;
              epoch++;
              epochLossSum = 0;
              epochBatches = 0;
              batchInEpoch = 0;
            }
          }
        }
        if (validation != null && lastEpochEndStep != step) { // final (partial-epoch) validation
          double[] v = validate(tg, validation, arrays);
          double elapsed = elapsedBefore + (System.nanoTime() - t0) / 1e9;
          curve.add(run, step, epoch, "validation", CurveLog.FINAL_PREFIX + "loss", v[0], elapsed);
          curve.add(run, step, epoch, "validation", CurveLog.FINAL_PREFIX + "iou", v[1], elapsed);
          LOG.info(String.format(Locale.ROOT, "final validation at step %d: loss %.4f, IoU %.4f", step, v[0], v[1]));
        }
        curve.flush();
        curve.writeAvro(out.resolve(CURVE_AVRO));
      } finally {
        curve.close();
      }
      double seconds = elapsedBefore + (System.nanoTime() - t0) / 1e9;
      LOG.info(String.format(Locale.ROOT, "trained %d steps (%d this run) in %.1f s", step, step - startStep, seconds));
      // Final checkpoint and export.
      LearningRateSchedule.State s = schedule.state();
      checkpoint(tg, ckptDir, null, new CheckpointState(net.variant(), optimizerName(), config.height(),
          config.width(), config.seed(), step, epoch, batchInEpoch, s.scale(), s.best(),
          s.epochsWithoutImprovement(), bestVal, noImprove, epochLossSum, epochBatches, seconds, "ckpt-" + step));
      Path savedModel = out.resolve(SAVED_MODEL);
      deleteRecursively(savedModel);
      tg.exportSavedModel(savedModel);
      ModelArtifact artifact = ModelArtifact.newBuilder()
          .setRun(run)
          .setModel(net.family())
          .setVariant(net.variant())
          .setSavedModelDir(savedModel.toAbsolutePath().toString())
          .setCheckpointDir(ckptDir.toAbsolutePath().toString())
          .setInputHeight(config.height())
          .setInputWidth(config.width())
          .setInputChannels(net.inputChannels())
          .setOutputHeight(outSize[0])
          .setOutputWidth(outSize[1])
          .setClasses(net.classes())
          .setParameters(params)
          .setSteps(step)
          .setSeed(config.seed())
          .setTrainSeconds(seconds)
          .setFinalLoss(Float.isNaN(lastLoss) ? Double.NaN : lastLoss)
          .setConfig(configJson)
          .setCurve(out.resolve(CURVE_CSV).toAbsolutePath().toString())
          .build();
      writeModelJson(out.resolve(MODEL_JSON), artifact, net.properties());
      LOG.info("SavedModel written to {}", savedModel);
      return artifact;
    }
  }

  private String optimizerName() {
    return config.optimizer().name().toLowerCase(Locale.ROOT);
  }

  /** Validation over the whole set: mean loss over batches (weighted by batch size) and foreground IoU. */
  private double[] validate(TrainingGraph tg, Iterable<Sample> validation, SampleArrays arrays) {
    SegMetrics metrics = new SegMetrics(net.classes());
    double lossSum = 0;
    long n = 0;
    try (BatchStream vb = new BatchStream(validation, arrays, config.batchSize(), 0, config.seed(), 0, 0,
        config.prefetch(), false)) {
      while (vb.hasNext()) {
        Batch b = vb.next();
        TrainingGraph.Evaluation e = tg.evaluate(b);
        lossSum += e.loss() * b.size();
        n += b.size();
        metrics.add(e.probabilities(), b.targets());
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException("the validation set is empty");
    }
    return new double[] {lossSum / n, metrics.iou()};
  }

  private void checkpoint(TrainingGraph tg, Path dir, CurveLog curve, CheckpointState state) throws IOException {
    if (curve != null) {
      curve.flush();
    }
    tg.save(dir.resolve(state.prefix()));
    Path tmp = dir.resolve(STATE_FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), state);
    Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    pruneCheckpoints(dir, state.step());
    LOG.info("checkpoint {} written", dir.resolve(state.prefix()));
  }

  private void pruneCheckpoints(Path dir, long current) throws IOException {
    List<Long> steps = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "ckpt-*.index")) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        steps.add(Long.parseLong(name.substring(5, name.length() - ".index".length())));
      }
    }
    steps.sort(null);
    for (int i = 0; i < steps.size() - config.keepCheckpoints(); i++) {
      long old = steps.get(i);
      if (old == current) {
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "ckpt-" + old + ".*")) {
        for (Path p : ds) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** The last checkpoint's state in {@code dir}, or null when there is none. */
  public static CheckpointState readState(Path dir) throws IOException {
    Path f = dir.resolve(STATE_FILE);
    if (!Files.exists(f)) {
      return null;
    }
    return JSON.readValue(f.toFile(), CheckpointState.class);
  }

  /** Writes the artifact's fields and the serving contract as JSON. */
  public static void writeModelJson(Path file, ModelArtifact artifact, Map<String, Object> netProperties)
      throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Schema.Field f : artifact.getSchema().getFields()) {
      Object v = artifact.get(f.pos());
      m.put(f.name(), v instanceof CharSequence ? v.toString() : v);
    }
    Map<String, Object> serving = new LinkedHashMap<>();
    serving.put("tag", TrainingGraph.SERVE_TAG);
    serving.put("signature", TrainingGraph.SIGNATURE_KEY);
    serving.put("input", TrainingGraph.INPUT_KEY);
    serving.put("inputShape", List.of(-1, artifact.getInputHeight(), artifact.getInputWidth(), artifact.getInputChannels()));
    serving.put("inputScale", "float32 in [0, 1]: integer images divided by their depth maximum");
    serving.put("output", TrainingGraph.OUTPUT_KEY);
    serving.put("outputShape", List.of(-1, artifact.getOutputHeight(), artifact.getOutputWidth(), artifact.getClasses()));
    serving.put("activation", artifact.getClasses() == 1 ? "sigmoid" : "softmax");
    m.putAll(netProperties);
    m.put("serving", serving);
    JSON.writeValue(file.toFile(), m);
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
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
