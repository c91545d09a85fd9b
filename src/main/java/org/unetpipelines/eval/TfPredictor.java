package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.Serving;

/**
 * A {@link Predictor} backed by a TensorFlow SavedModel that follows the serving contract
 * ({@link Serving}, shared with training): tag
 * {@code serve}, signature {@code serving_default}, input {@code image} float32 [N, H, W, C] in
 * [0, 1], output {@code probabilities} float32 [N, H', W', K] (the default head) and, for models
 * with named heads ({@link ModelSpec#heads()}), {@code probabilities_<head>} per head. Runs the
 * head of its spec. Thread-safe (TF sessions are).
 */
public final class TfPredictor implements Predictor {
  private static final Logger LOG = LoggerFactory.getLogger(TfPredictor.class);

  private static final String TAG = Serving.TAG;
  private static final String SIGNATURE = Serving.SIGNATURE;
  private static final String INPUT = Serving.INPUT;

  /**
   * The output of a head ({@link Serving}): {@code probabilities} for the default head (null), else
   * {@code probabilities_<head>}.
   */
  public static String output(String head) {
    return head == null ? Serving.OUTPUT : Serving.headOutput(head);
  }

  private final ModelSpec spec;
  private final SavedModelBundle bundle;
  private final SessionFunction function;
  private final String output;
  private final String inputTensor;
  private final String outputTensor;

  private TfPredictor(ModelSpec spec, SavedModelBundle bundle, SessionFunction function) {
    this.spec = spec;
    this.bundle = bundle;
    this.function = function;
    this.output = output(spec.head());
    // Fetch only the chosen head, so a pruned head (UNet++ L1) runs only its own part of the graph.
    this.inputTensor = function.signature().getInputs().get(INPUT).name;
    this.outputTensor = function.signature().getOutputs().get(output).name;
  }

  /** Loads the SavedModel of {@code spec}; close the predictor to free it. */
  public static TfPredictor load(ModelSpec spec) {
    long t0 = System.nanoTime();
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(spec.savedModelDir(), TAG);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot load SavedModel (tag '" + TAG + "') from " + spec.savedModelDir() + ": " + e.getMessage(), e);
    }
    try {
      SessionFunction f = bundle.function(SIGNATURE);
      String out = output(spec.head());
      checkArgument(f.signature().inputNames().contains(INPUT) && f.signature().outputNames().contains(out),
          "SavedModel %s signature '%s' must have input '%s' and output '%s'%s, has inputs %s and outputs %s",
          spec.savedModelDir(), SIGNATURE, INPUT, out, spec.head() == null ? "" : " (head '" + spec.head() + "')",
          f.signature().inputNames(), f.signature().outputNames());
      LOG.info("loaded SavedModel {} in {} ms", spec.savedModelDir(), (System.nanoTime() - t0) / 1_000_000);
      return new TfPredictor(spec, bundle, f);
    } catch (RuntimeException e) {
      bundle.close();
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalArgumentException("SavedModel " + spec.savedModelDir() + " has no signature '"
          + SIGNATURE + "': " + e.getMessage(), e);
    }
  }

  public ModelSpec spec() {
    return spec;
  }

  @Override public int inputHeight() { return spec.inputHeight(); }
  @Override public int inputWidth() { return spec.inputWidth(); }
  @Override public int inputChannels() { return spec.inputChannels(); }
  @Override public int outputHeight() { return spec.outputHeight(); }
  @Override public int outputWidth() { return spec.outputWidth(); }
  @Override public int classes() { return spec.classes(); }

  @Override
  public float[][] predict(float[][] tiles) {
    int n = tiles.length;
    int per = spec.inputHeight() * spec.inputWidth() * spec.inputChannels();
    float[] batch = new float[n * per];
    for (int i = 0; i < n; i++) {
      checkArgument(tiles[i].length == per, "tile %s has %s values, expected %s", i, tiles[i].length, per);
      System.arraycopy(tiles[i], 0, batch, i * per, per);
    }
    Shape in = Shape.of(n, spec.inputHeight(), spec.inputWidth(), spec.inputChannels());
    try (TFloat32 x = TFloat32.tensorOf(in, DataBuffers.of(batch, true, false));
        Result r = function.session().runner().feed(inputTensor, x).fetch(outputTensor).run()) {
      Tensor t = r.get(0);
      Shape expect = Shape.of(n, spec.outputHeight(), spec.outputWidth(), spec.classes());
      // A classifier (1x1 output) may also return [N, K].
      boolean flat = spec.outputHeight() == 1 && spec.outputWidth() == 1 && t.shape().equals(Shape.of(n, spec.classes()));
      if (!(t instanceof TFloat32) || !(t.shape().equals(expect) || flat)) {
        throw new IllegalStateException(String.format(
            "model %s returned %s %s for input %s; model.json promises float32 %s",
            spec.savedModelDir(), t.dataType(), t.shape(), in, expect));
      }
      int outPer = spec.outputHeight() * spec.outputWidth() * spec.classes();
      float[] all = new float[n * outPer];
      ((TFloat32) t).asRawTensor().data().asFloats().read(all);
      float[][] out = new float[n][outPer];
      for (int i = 0; i < n; i++) {
        System.arraycopy(all, i * outPer, out[i], 0, outPer);
      }
      return out;
    }
  }

  @Override
  public void close() {
    bundle.close();
  }
}
