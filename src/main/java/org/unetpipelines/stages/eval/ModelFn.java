package org.unetpipelines.stages.eval;

import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.Predictor;
import org.unetpipelines.eval.PredictorCache;
import org.unetpipelines.records.ModelArtifact;

/**
 * The part of {@link Evaluate} and {@link Predict} that runs models: the models arrive as a side
 * input, each is loaded once per worker JVM ({@link PredictorCache}, leased in {@code @Setup}) and
 * shared by the worker's threads.
 */
abstract class ModelFn<I, O> extends DoFn<I, O> {
  final PCollectionView<List<ModelArtifact>> view;
  final InferenceConfig inference;
  final String stage;
  private transient PredictorCache.Lease lease;

  ModelFn(PCollectionView<List<ModelArtifact>> view, InferenceConfig inference, String stage) {
    this.view = view;
    this.inference = inference;
    this.stage = stage;
  }

  @Setup
  public void setup() {
    lease = PredictorCache.acquire();
  }

  @Teardown
  public void teardown() {
    if (lease != null) {
      lease.close();
    }
  }

  /**
   * The loaded model of an artifact, as run with this stage's inference settings (tile size, head);
   * a head the model does not serve fails the run, naming the heads it has.
   */
  Predictor predictor(ModelArtifact a) {
    return lease.get(inference.spec(ModelSpec.of(a)));
  }
}
