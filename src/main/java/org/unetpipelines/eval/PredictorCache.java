package org.unetpipelines.eval;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model per JVM (per worker) and model, shared by every thread that uses it. Users
 * {@link #acquire()} a lease when they start (a DoFn's {@code @Setup}) and close it when they end
 * ({@code @Teardown}); the last lease out closes the models. Predictors must be thread-safe.
 */
public final class PredictorCache {
  private static final Logger LOG = LoggerFactory.getLogger(PredictorCache.class);
  private static final Map<ModelSpec, Predictor> MODELS = new HashMap<>();
  private static int leases;
  private static Function<ModelSpec, Predictor> loader = TfPredictor::load;

  private PredictorCache() {}

  /** A lease on the cache; {@link Lease#get} loads a model on its first use in this JVM. */
  public static synchronized Lease acquire() {
    leases++;
    return new Lease();
  }

  /** Number of models loaded now (for tests). */
  public static synchronized int loaded() {
    return MODELS.size();
  }

  /** Replaces the loader (tests use fakes); returns the previous one. */
  public static synchronized Function<ModelSpec, Predictor> setLoader(Function<ModelSpec, Predictor> l) {
    Function<ModelSpec, Predictor> old = loader;
    loader = l;
    return old;
  }

  private static synchronized Predictor get(ModelSpec spec) {
    return MODELS.computeIfAbsent(spec, s -> {
      LOG.info("loading model {} ({}x{}x{} -> {}x{}x{})", s.savedModelDir(), s.inputHeight(), s.inputWidth(),
          s.inputChannels(), s.outputHeight(), s.outputWidth(), s.classes());
      return loader.apply(s);
    });
  }

  private static synchronized void release() {
    if (--leases == 0) {
      MODELS.values().forEach(Predictor::close);
      MODELS.clear();
    }
  }

  /** A user's hold on the cache. */
  public static final class Lease implements AutoCloseable {
    private boolean closed;

    private Lease() {}

    public Predictor get(ModelSpec spec) {
      return PredictorCache.get(spec);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release();
      }
    }
  }
}
