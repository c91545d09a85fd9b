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
import org.tensorflow.types.TFloat32;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.model.SegmentationNet;
import org.unetpipelines.model.Serving;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.Batch;
import org.unetpipelines.train.LossKind;
import org.unetpipelines.train.Losses;
import org.unetpipelines.train.SampleArrays;

/**
 * Segmentation: image + mask (+ border weight map) to per-pixel logits. A network with one head is
 * plain segmentation; one with several heads (UNet++ with deep supervision on X^{0,1..4}) is trained
 * on every head, the heads' losses combined as the network says ({@link SegmentationNet#headLoss}:
 * sum, as Keras does, or mean), and serves its {@link SegmentationNet#inferenceHead} ({@code ensemble}
 * = mean of the heads' probabilities, or one head) as {@link Serving#OUTPUT}, every head beside it.
 *
 * <p>Feeds: {@code image} [H, W, C] in [0, 1], {@code target} [H', W', K] ({0, 1} or one-hot),
 * {@code weights} [H', W', 1]. Training windows are cut at a random position drawn from the
 * sample key, validation windows at the centre. Validation: loss and foreground IoU of the served head.
 */
public final class Segmentation implements Task {
  public static final String IMAGE = "image";
  public static final String TARGET = "target";
  public static final String WEIGHTS = "weights";
  /** The combined inference of several heads. */
  public static final String ENSEMBLE = "ensemble";

  private final SegmentationNet net;
  private final int height;
  private final int width;
  private final int[] outSize;
  private final LossKind loss;
  private final SampleArrays arrays;

  public Segmentation(SegmentationNet net, int height, int width, LossKind loss) {
    this.net = net;
    this.height = height;
    this.width = width;
    this.outSize = net.outputSize(height, width);
    this.loss = loss;
    this.arrays = new SampleArrays(height, width, net.inputChannels(), outSize[0], outSize[1], net.classes());
    String head = net.inferenceHead();
    checkArgument(head == null || head.equals(ENSEMBLE) || net.headNames().contains(head),
        "%s: inference head '%s' is not one of %s or %s", net.family(), head, net.headNames(), ENSEMBLE);
  }

  public SegmentationNet net() {
    return net;
  }

  @Override
  public String name() {
    return net.headNames().size() > 1 ? "deep_supervision" : "segmentation";
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
    f.put(IMAGE, new long[] {height, width, net.inputChannels()});
    f.put(TARGET, new long[] {outSize[0], outSize[1], net.classes()});
    f.put(WEIGHTS, new long[] {outSize[0], outSize[1], 1});
    return f;
  }

  @Override
  public void fill(Sample s, int index, Map<String, float[]> batch, long key, boolean training) {
    arrays.fill(s, arrays.window(s, key, training), index, batch.get(IMAGE), batch.get(TARGET), batch.get(WEIGHTS));
  }

  /** The served head: the network's inference head, or its only head. */
  public String servedHead() {
    String head = net.inferenceHead();
    return head != null ? head : net.headNames().get(0);
  }

  @Override
  public TaskGraph build(ModelGraph g, Map<String, Placeholder<TFloat32>> train, Map<String, Placeholder<TFloat32>> eval) {
    Ops tf = g.ops();
    // Training pass: every head's loss, combined.
    ModelGraph.Pass trainPass = g.apply(net, ModelGraph.Mode.TRAIN, "train", Map.of(SegmentationNet.IMAGE, train.get(IMAGE)));
    Operand<TFloat32> trainLoss = combinedLoss(tf.withSubScope("train").withSubScope("loss"), trainPass,
        train.get(TARGET), train.get(WEIGHTS));
    TaskGraph.Phase phase = TaskGraph.Phase.of("train", trainLoss, g.trainableVariables(net.scope()), trainPass.updates());

    // Inference pass: probabilities per head, the served head, and the validation loss.
    ModelGraph.Pass inferPass = g.apply(net, ModelGraph.Mode.INFER, "infer", Map.of(SegmentationNet.IMAGE, eval.get(IMAGE)));
    Ops infer = tf.withSubScope("infer");
    Map<String, Operand<TFloat32>> probs = new LinkedHashMap<>();
    for (Map.Entry<String, Operand<TFloat32>> e : inferPass.outputs().entrySet()) {
      ModelGraph.checkHead(net, e.getKey(), e.getValue(), outSize);
      probs.put(e.getKey(), ModelGraph.activation(infer.withSubScope("probabilities_" + e.getKey()), e.getValue(),
          net.classes()));
    }
    if (probs.size() > 1) {
      List<Operand<TFloat32>> all = new ArrayList<>(probs.values());
      Ops en = infer.withSubScope("ensemble");
      Operand<TFloat32> sum = all.get(0);
      for (int i = 1; i < all.size(); i++) {
        sum = en.math.add(sum, all.get(i));
      }
      probs.put(ENSEMBLE, en.math.div(sum, en.constant((float) all.size())));
    }
    Operand<TFloat32> served = infer.withName(Serving.OUTPUT).identity(probs.get(servedHead()));
    Operand<TFloat32> evalLoss = combinedLoss(infer.withSubScope("loss"), inferPass, eval.get(TARGET), eval.get(WEIGHTS));

    Map<String, Operand<TFloat32>> serving = new LinkedHashMap<>();
    serving.put(Serving.OUTPUT, served);
    if (probs.size() > 1) {
      for (Map.Entry<String, Operand<TFloat32>> e : probs.entrySet()) {
        serving.put(Serving.headOutput(e.getKey()), e.getValue());
      }
    }
    return new TaskGraph(List.of(phase), Map.of("loss", evalLoss, Serving.OUTPUT, served), eval.get(IMAGE), serving);
  }

  private Operand<TFloat32> combinedLoss(Ops tf, ModelGraph.Pass pass, Operand<TFloat32> target, Operand<TFloat32> weights) {
    Operand<TFloat32> total = null;
    for (Map.Entry<String, Operand<TFloat32>> e : pass.outputs().entrySet()) {
      Operand<TFloat32> l = Losses.value(tf.withSubScope(e.getKey()), e.getValue(), target, weights, loss);
      total = total == null ? l : tf.math.add(total, l);
    }
    int n = pass.outputs().size();
    if (n > 1 && net.headLoss().equals("mean")) {
      total = tf.math.div(total, tf.constant((float) n));
    }
    return tf.withName("value").identity(total);
  }

  @Override
  public Validation newValidation() {
    return new Validation() {
      private final ForegroundIoU iou = new ForegroundIoU(net.classes());
      private double lossSum;
      private long n;

      @Override
      public void add(Batch b, Map<String, float[]> fetched) {
        lossSum += fetched.get("loss")[0] * b.size();
        n += b.size();
        iou.add(fetched.get(Serving.OUTPUT), b.array(TARGET));
      }

      @Override
      public Map<String, Double> result() {
        checkArgument(n > 0, "the validation set is empty");
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", lossSum / n);
        m.put("iou", iou.iou());
        return m;
      }
    };
  }

  @Override
  public Geometry geometry() {
    return new Geometry(height, width, net.inputChannels(), outSize[0], outSize[1], net.classes());
  }

  @Override
  public Map<String, Object> properties() {
    Map<String, Object> m = new LinkedHashMap<>(net.properties());
    m.put("task", name());
    m.put("loss", loss.name().toLowerCase(Locale.ROOT));
    if (net.headNames().size() > 1) {
      List<String> heads = new ArrayList<>(net.headNames());
      heads.add(ENSEMBLE);
      m.put("heads", heads);
      m.put("inferenceHead", servedHead());
      m.put("headLoss", net.headLoss());
    }
    return m;
  }
}
