package org.unetpipelines.train.task;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.unetpipelines.eval.ClassificationMetrics;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.model.ClassifierNet;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.model.Serving;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.Batch;

/**
 * Image classification: an image and its class label to class logits.
 *
 * <p>Feeds: {@code image} [H, W, C] in [0, 1] ({@link ClassificationInput}: augmented in training,
 * the centre window in validation), {@code label} [K] one-hot of the sample's {@code label} field
 * (IDX label files, or the folder-per-class layout of ReadImageSet).
 *
 * <p>Training loss: mean softmax cross-entropy over the batch plus the L2 weight decay
 * {@code lambda * sum(w^2)} over the network's convolution and dense kernels (biases and batch-norm
 * gamma / beta excluded). That is Keras's {@code kernel_regularizer=l2(lambda)} and the reproduction's
 * convention; PyTorch's {@code SGD(weight_decay=wd)} adds {@code wd * w} to the gradient, the same
 * as lambda = wd / 2. Default lambda: {@value #DEFAULT_WEIGHT_DECAY}.
 *
 * <p>Validation (monitored: {@code accuracy}, higher is better): {@code loss} = mean cross-entropy
 * (no weight decay), {@code accuracy} = top-1, {@code top5} (top-min(5, K)). Serving:
 * {@link Serving#OUTPUT} = softmax probabilities [N, K].
 */
public final class Classification implements Task {
  public static final String IMAGE = "image";
  public static final String LABEL = "label";
  /** Validation fetch: the per-sample cross-entropy [N]. */
  static final String CROSS_ENTROPY = "cross_entropy";
  public static final double DEFAULT_WEIGHT_DECAY = 1e-4;

  private final ClassifierNet net;
  private final ClassificationInput input;
  private final double weightDecay;

  /**
   * @param weightDecay lambda of {@code lambda * sum(w^2)} over the kernels, >= 0
   * @throws IllegalArgumentException when the network cannot take {@code input}'s size
   */
  public Classification(ClassifierNet net, ClassificationInput input, double weightDecay) {
    checkArgument(net.classes() >= 2, "%s: a classifier needs >= 2 classes, got %s", net.family(), net.classes());
    checkArgument(weightDecay >= 0 && Double.isFinite(weightDecay), "weight decay must be >= 0, got %s", weightDecay);
    net.checkInputSize(input.height(), input.width());
    this.net = net;
    this.input = input;
    this.weightDecay = weightDecay;
  }

  public ClassifierNet net() {
    return net;
  }

  public ClassificationInput input() {
    return input;
  }

  public double weightDecay() {
    return weightDecay;
  }

  @Override
  public String name() {
    return "classification";
  }

  @Override
  public String family() {
    return net.family();
  }

  @Override
  public String variant() {
    return net.variant();
  }

  @Override
  public Map<String, long[]> feeds() {
    Map<String, long[]> f = new LinkedHashMap<>();
    f.put(IMAGE, new long[] {input.height(), input.width(), net.inputChannels()});
    f.put(LABEL, new long[] {net.classes()});
    return f;
  }

  @Override
  public void fill(Sample s, int index, Map<String, float[]> batch, long key, boolean training) {
    Integer label = s.getLabel();
    if (label == null) {
      throw new IllegalArgumentException("sample " + s.getId() + " has no class label; classification needs "
          + "labelled samples (ReadImageSet 'labels': an IDX labels file, or 'folders' for one folder per class)");
    }
    if (label < 0 || label >= net.classes()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "sample %s has label %d, not a class 0..%d of the %d-class model", s.getId(), label, net.classes() - 1,
          net.classes()));
    }
    ImageArray img = Tensors.toImage(s.getImage());
    checkArgument(img.channels() == net.inputChannels(), "sample %s has %s channels, the network takes %s",
        s.getId(), img.channels(), net.inputChannels());
    float[] px = input.apply(img, s.getId(), key, training).normalized();
    System.arraycopy(px, 0, batch.get(IMAGE), index * px.length, px.length);
    float[] onehot = batch.get(LABEL);
    int k = net.classes();
    java.util.Arrays.fill(onehot, index * k, (index + 1) * k, 0f);
    onehot[index * k + label] = 1f;
  }

  @Override
  public TaskGraph build(ModelGraph g, Map<String, Placeholder<TFloat32>> train, Map<String, Placeholder<TFloat32>> eval) {
    Ops tf = g.ops();
    ModelGraph.Pass trainPass = g.apply(net, ModelGraph.Mode.TRAIN, "train", Map.of(ClassifierNet.IMAGE, train.get(IMAGE)));
    Ops tl = tf.withSubScope("train").withSubScope("loss");
    Operand<TFloat32> ce = tl.withName("cross_entropy").math.mean(
        perSampleCrossEntropy(tl, trainPass.output(ClassifierNet.LOGITS), train.get(LABEL)), tl.constant(0));
    Operand<TFloat32> loss = weightDecay > 0
        ? tl.math.add(ce, weightPenalty(tl.withSubScope("weight_decay"), kernels(g), weightDecay))
        : ce;
    TaskGraph.Phase phase = TaskGraph.Phase.of("train", tl.withName("value").identity(loss),
        g.trainableVariables(net.scope()), trainPass.updates());

    ModelGraph.Pass inferPass = g.apply(net, ModelGraph.Mode.INFER, "infer", Map.of(ClassifierNet.IMAGE, eval.get(IMAGE)));
    Ops infer = tf.withSubScope("infer");
    Operand<TFloat32> logits = inferPass.output(ClassifierNet.LOGITS);
    Operand<TFloat32> probs = infer.withName(Serving.OUTPUT).nn.softmax(logits);
    Operand<TFloat32> evalCe = perSampleCrossEntropy(infer.withSubScope("loss"), logits, eval.get(LABEL));
    Map<String, Operand<TFloat32>> validation = Map.of(CROSS_ENTROPY, evalCe, Serving.OUTPUT, probs);
    return new TaskGraph(List.of(phase), validation, eval.get(IMAGE), Map.of(Serving.OUTPUT, probs));
  }

  /** Softmax cross-entropy of logits [N, K] against one-hot labels [N, K], per sample: [N]. */
  static Operand<TFloat32> perSampleCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
    return tf.nn.softmaxCrossEntropyWithLogits(logits, labels).loss();
  }

  /** The network's convolution and dense kernels (variables named {@code .../kernel}), in creation order. */
  List<Variable<TFloat32>> kernels(ModelGraph g) {
    List<Variable<TFloat32>> out = new ArrayList<>();
    for (Variable<TFloat32> v : g.trainableVariables(net.scope())) {
      if (v.op().name().endsWith("/kernel")) {
        out.add(v);
      }
    }
    return out;
  }

  /** {@code lambda * sum over variables of sum(w^2)}. */
  static Operand<TFloat32> weightPenalty(Ops tf, List<Variable<TFloat32>> weights, double lambda) {
    // L2Loss = sum(w^2) / 2 (Square's C++ gradient crashes on a variable input in TF Java 1.1.0)
    Operand<TFloat32> halfSum = null;
    for (Variable<TFloat32> w : weights) {
      Operand<TFloat32> s = tf.nn.l2Loss(w);
      halfSum = halfSum == null ? s : tf.math.add(halfSum, s);
    }
    if (halfSum == null) {
      return tf.constant(0f);
    }
    return tf.withName("value").math.mul(halfSum, tf.constant((float) (2 * lambda)));
  }

  @Override
  public Validation newValidation() {
    int k = net.classes();
    int top = Math.min(5, k);
    return new Validation() {
      private double lossSum;
      private long top1;
      private long topK;
      private long n;

      @Override
      public void add(Batch b, Map<String, float[]> fetched) {
        float[] ce = fetched.get(CROSS_ENTROPY);
        float[] probs = fetched.get(Serving.OUTPUT);
        float[] labels = b.array(LABEL);
        float[] row = new float[k];
        for (int i = 0; i < b.size(); i++) {
          lossSum += ce[i];
          System.arraycopy(probs, i * k, row, 0, k);
          int label = argmax(labels, i * k, k);
          top1 += ClassificationMetrics.inTopK(row, label, 1) ? 1 : 0;
          topK += ClassificationMetrics.inTopK(row, label, top) ? 1 : 0;
        }
        n += b.size();
      }

      @Override
      public Map<String, Double> result() {
        checkArgument(n > 0, "the validation set is empty");
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", lossSum / n);
        m.put("accuracy", (double) top1 / n);
        m.put("top5", (double) topK / n);
        return m;
      }
    };
  }

  private static int argmax(float[] a, int from, int n) {
    int best = 0;
    for (int c = 1; c < n; c++) {
      if (a[from + c] > a[from + best]) {
        best = c;
      }
    }
    return best;
  }

  @Override
  public String monitor() {
    return "accuracy";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }

  /** Input H x W x C; output probabilities [N, K] (a 1 x 1 "map" in the artifact's fields). */
  @Override
  public Geometry geometry() {
    return new Geometry(input.height(), input.width(), net.inputChannels(), 1, 1, net.classes());
  }

  @Override
  public Map<String, Object> properties() {
    Map<String, Object> m = new LinkedHashMap<>(net.properties());
    m.put("task", name());
    m.put("loss", "softmax_cross_entropy");
    m.put("weightDecay", weightDecay);
    m.put("weightDecayConvention", "lambda * sum(w^2) over conv and dense kernels (Keras l2)");
    m.put("cropPadding", input.cropPadding());
    m.put("flip", input.flip().name().toLowerCase(Locale.ROOT));
    m.put("rotation", input.rotation());
    m.put("outputShape", List.of(-1, net.classes()));
    return m;
  }
}
