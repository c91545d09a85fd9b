package org.unetpipelines.train.task;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.ImageGrid;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.model.Serving;
import org.unetpipelines.model.redo.MaskNetwork;
import org.unetpipelines.model.redo.RedoConfig;
import org.unetpipelines.model.redo.RegionGenerator;
import org.unetpipelines.model.redo.ResidualEncoder;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.Batch;
import org.unetpipelines.train.OptimizerKind;
import org.unetpipelines.train.SampleArrays;

/**
 * ReDo's adversarial redrawing task (the original {@code train.py}, MODELS.md 3.5), trained without
 * labels. The trainer's batch of 2B images is split: even entries are x (redrawn), odd entries the
 * independent real batch x_real for D. Images are mapped to [-1, 1]. z ~ N(0, I) [B, K, nz] is drawn
 * in the graph by a stateless op seeded by (seed, step), so both phases of a step see the same z and
 * runs repeat exactly.
 *
 * <p>Phase {@code generator}: m = F(x); for every region k, h_k = G_k(m_k, z_k) and the fake
 * h_k + (1 - m_k) x (all K regions redrawn every step: K*B fakes);
 * L_G = -mean D(fakes) + lambda_z * mean((z - delta(sum_k h_k))^2) + (wd / 2) * ||theta_F||^2 (PyTorch's
 * coupled weight decay of F), trained for F (lr_mask), all G_k (lr_generator) and delta (lr_encoder).
 * Phase {@code discriminator}: the fakes recomputed with the updated F and G_k (no gradient), then
 * L_D = mean ReLU(1 - D(x_real)) + mean ReLU(1 + D(fakes)) for D (lr_discriminator); D runs once on
 * [x_real, fakes] (no batch statistics in D, so this equals two passes). Adam with the config's betas
 * (0, 0.9) for every network. Spectral-norm power iterations: one per network pass, i.e. G_k and D
 * twice per step, delta once (PyTorch: D three times, G twice).
 *
 * <p>Statistics per step: {@code mask_area_min} (min over k of the mean of m_k over the batch: the
 * original's collapse measure), {@code loss_adv}, {@code loss_z}, {@code d_real}, {@code d_fake}.
 * {@link #restart}: every {@code restart_check_every} steps of an attempt, up to {@code restart_until},
 * when mask_area_min < {@code restart_threshold}, at most {@code restart_max} times (the original checks its last eval batches of train
 * and val every 500 iterations up to 7000).
 *
 * <p>Labels are never read: a batch holds only images ({@link #feeds}; {@link #fill} ignores a
 * sample's mask), so training, validation, early stopping and the plateau schedule ({@link #monitor}
 * is the unsupervised {@code loss}) see no ground truth, and the trainer exports the last weights, not
 * a checkpoint picked by a score. Masks, where a data set has them, are scored only by Evaluate
 * ({@link org.unetpipelines.eval.RedoMetrics}). Validation: losses (z fixed by a constant seed) and
 * mask areas, and a picture per run ({@link Validation#pictures}, {@code redraw}): for the first
 * {@link #PICTURE_ROWS} validation images a row of the image, region 0's soft mask m_0 (white = 1) and
 * the image with each region k redrawn (h_k + (1 - m_k) x).
 * Serving: {@link Serving#OUTPUT} = F's soft masks [N, S, S, K] for images in [0, 1].
 */
public final class Redraw implements Task {
  public static final String IMAGE = "image";
  public static final String MASK_AREA_MIN = "mask_area_min";
  /** Validation fetch: the K*B redrawn images in [0, 1], region-major. */
  public static final String REDRAWN = "redrawn";
  /** The validation picture's file stem and its number of rows (validation images shown). */
  public static final String PICTURE = "redraw";
  public static final int PICTURE_ROWS = 8;
  /** Validation noise seed (fixed: validation losses are comparable across epochs). */
  private static final long[] EVAL_NOISE_SEED = {0x5EEDL, 0x7E57L};

  private final RedoConfig config;
  private final int size;
  private final double baseRate;
  private final MaskNetwork f;
  private final List<RegionGenerator> generators = new ArrayList<>();
  private final ResidualEncoder d;
  private final ResidualEncoder delta;

  /**
   * @param baseRate the trainer's (schedule's) learning rate: each network's group scales it to its
   *     own absolute rate
   */
  public Redraw(RedoConfig config, int height, int width, double baseRate) {
    RedoConfig.checkSize(height, width);
    checkArgument(baseRate > 0, "the base learning rate must be > 0, got %s", baseRate);
    this.config = config;
    this.size = height;
    this.baseRate = baseRate;
    this.f = new MaskNetwork(config, size);
    for (int k = 0; k < config.regions(); k++) {
      generators.add(new RegionGenerator(config, size, k));
    }
    this.d = ResidualEncoder.discriminator(config, size);
    this.delta = ResidualEncoder.zEncoder(config, size);
  }

  public RedoConfig config() {
    return config;
  }

  @Override
  public String name() {
    return "redraw";
  }

  @Override
  public String family() {
    return RedoConfig.FAMILY;
  }

  @Override
  public String variant() {
    return String.format(java.util.Locale.ROOT, "k%d-z%d-f%d-g%d%s-d%d%s-e%d", config.regions(), config.nz(),
        config.maskFilters(), config.generatorFilters(), config.generatorAttention() ? "sa" : "",
        config.discriminatorFilters(), config.discriminatorAttention() ? "sa" : "", config.encoderFilters());
  }

  @Override
  public Map<String, long[]> feeds() {
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put(IMAGE, new long[] {size, size, config.channels()});
    return m;
  }

  @Override
  public void fill(Sample s, int index, Map<String, float[]> batch, long key, boolean training) {
    ImageArray img = Tensors.toImage(s.getImage());
    checkArgument(img.channels() == config.channels(), "sample %s has %s channels, redo is configured for %s",
        s.getId(), img.channels(), config.channels());
    // the centre window, as the original's CenterCrop (no augmentation)
    int[] at = new SampleArrays(size, size, config.channels(), size, size, 1).window(s, key, false);
    float[] px = img.normalized();
    int c = config.channels();
    float[] image = batch.get(IMAGE);
    for (int y = 0; y < size; y++) {
      System.arraycopy(px, ((at[0] + y) * img.width() + at[1]) * c, image, ((index * size + y) * size) * c, size * c);
    }
  }

  /** What one redrawing computes: the masks, each region's drawing, the K*B fakes and the pass updates. */
  private record Redrawn(Operand<TFloat32> masks, List<Operand<TFloat32>> regions, Operand<TFloat32> fakes,
      List<Op> updates) {}

  /** m = F(x); h_k = G_k(m_k, z_k); fakes = [h_k + (1 - m_k) x for k] along the batch. */
  private Redrawn redraw(ModelGraph g, ModelGraph.Mode mode, Ops scope, Operand<TFloat32> x, Operand<TFloat32> z) {
    List<Op> updates = new ArrayList<>();
    ModelGraph.Pass fp = g.apply(f, mode, scope, Map.of(MaskNetwork.IMAGE, x));
    updates.addAll(fp.updates());
    Operand<TFloat32> masks = fp.output(MaskNetwork.MASKS); // [B, S, S, K]
    Ops tf = scope.withSubScope("redraw");
    List<Operand<TFloat32>> regions = new ArrayList<>();
    List<Operand<TFloat32>> fakes = new ArrayList<>();
    int nz = config.nz();
    for (int k = 0; k < config.regions(); k++) {
      Operand<TFloat32> mk = slice(tf, masks, 3, k, 1); // [B, S, S, 1]
      Operand<TFloat32> zk = slice(tf, z, 1, k * nz, nz); // [B, nz]
      ModelGraph.Pass gp = g.apply(generators.get(k), mode, scope,
          Map.of(RegionGenerator.MASK, mk, RegionGenerator.Z, zk));
      updates.addAll(gp.updates());
      Operand<TFloat32> h = gp.output(RegionGenerator.REGION); // [B, S, S, C], 0 outside m_k
      regions.add(h);
      fakes.add(tf.math.add(h, tf.math.mul(tf.math.sub(tf.constant(1f), mk), x)));
    }
    return new Redrawn(masks, regions, tf.concat(fakes, tf.constant(0)), updates);
  }

  /** x[..., from:from+n] along {@code axis} (static sizes elsewhere). */
  private static Operand<TFloat32> slice(Ops tf, Operand<TFloat32> x, int axis, int from, int n) {
    int rank = x.shape().numDimensions();
    int[] begin = new int[rank];
    int[] sizes = new int[rank];
    java.util.Arrays.fill(sizes, -1);
    begin[axis] = from;
    sizes[axis] = n;
    return tf.slice(x, tf.constant(begin), tf.constant(sizes));
  }

  /** Entries 0, 2, 4, ... (offset 0) or 1, 3, 5, ... (offset 1) of the batch. */
  private static Operand<TFloat32> everyOther(Ops tf, Operand<TFloat32> x, int offset) {
    int rank = x.shape().numDimensions();
    int[] begin = new int[rank];
    int[] end = new int[rank];
    int[] strides = new int[rank];
    java.util.Arrays.fill(strides, 1);
    begin[0] = offset;
    strides[0] = 2;
    return tf.stridedSlice(x, tf.constant(begin), tf.constant(end), tf.constant(strides),
        org.tensorflow.op.core.StridedSlice.beginMask(((1L << rank) - 1) & ~1L),
        org.tensorflow.op.core.StridedSlice.endMask((1L << rank) - 1));
  }

  /** z ~ N(0, I) [B, K*nz] from a stateless op (the same seed gives the same z). */
  private Operand<TFloat32> noise(Ops tf, Operand<TFloat32> x, Operand<TInt64> seed) {
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> shape = tf.concat(List.of(batch, tf.constant(new int[] {config.regions() * config.nz()})),
        tf.constant(0));
    Operand<TFloat32> z = tf.random.statelessRandomNormal(shape, seed, TFloat32.class);
    return tf.reshape(z, tf.constant(new int[] {-1, config.regions() * config.nz()}));
  }

  private static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> x) {
    int[] axes = new int[x.shape().numDimensions()];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    return tf.math.mean(x, tf.constant(axes));
  }

  /** Hinge loss of D: mean ReLU(1 - D(real)) + mean ReLU(1 + D(fake)), the two means taken separately. */
  public static Operand<TFloat32> hingeLoss(Ops tf, Operand<TFloat32> real, Operand<TFloat32> fake) {
    Operand<TFloat32> one = tf.constant(1f);
    return tf.math.add(mean(tf, tf.nn.relu(tf.math.sub(one, real))), mean(tf, tf.nn.relu(tf.math.add(one, fake))));
  }

  /** The z-reconstruction error mean((z - zRec)^2) over all B*K*nz entries. */
  public static Operand<TFloat32> zLoss(Ops tf, Operand<TFloat32> z, Operand<TFloat32> reconstructed) {
    return mean(tf, tf.math.square(tf.math.sub(z, reconstructed)));
  }

  /** min over regions of the mean of m_k (over batch and pixels): 1/K for even masks, near 0 when one region took all. */
  private Operand<TFloat32> minArea(Ops tf, Operand<TFloat32> masks) {
    Operand<TFloat32> perRegion = tf.math.mean(masks, tf.constant(new int[] {0, 1, 2})); // [K]
    return tf.min(perRegion, tf.constant(0));
  }

  private Operand<TFloat32> scaled(Ops tf, Operand<TFloat32> image) {
    return tf.math.sub(tf.math.mul(image, tf.constant(2f)), tf.constant(1f)); // [0, 1] -> [-1, 1]
  }

  private TaskGraph.Group group(String name, List<Variable<TFloat32>> vars, double rate) {
    TaskGraph.OptimizerSettings adam = new TaskGraph.OptimizerSettings(OptimizerKind.ADAM, 0, false, config.beta1(),
        config.beta2(), config.epsilon());
    return new TaskGraph.Group(name, vars, adam, rate / baseRate);
  }

  private List<Variable<TFloat32>> generatorVariables(ModelGraph g) {
    List<Variable<TFloat32>> vars = new ArrayList<>();
    for (RegionGenerator gen : generators) {
      vars.addAll(g.trainableVariables(gen.scope()));
    }
    return vars;
  }

  @Override
  public TaskGraph build(ModelGraph g, Map<String, Placeholder<TFloat32>> train, Map<String, Placeholder<TFloat32>> eval) {
    Ops tf = g.ops();
    Ops data = tf.withSubScope("batch");
    Operand<TFloat32> all = scaled(data, train.get(IMAGE));
    Operand<TFloat32> x = everyOther(data, all, 0); // [B, S, S, C]: redrawn
    Operand<TFloat32> xReal = everyOther(data, all, 1); // [B', S, S, C]: D's reals
    Operand<TInt64> seed = data.math.add(g.dropoutSeedInput(), data.constant(new long[] {0, 0x2EDA}));
    Operand<TFloat32> z = noise(data.withSubScope("z"), x, seed);

    TaskGraph.Phase gen = generatorPhase(g, tf.withSubScope("generator"), x, z);
    TaskGraph.Phase dis = discriminatorPhase(g, tf.withSubScope("discriminator"), x, xReal, z);

    // validation and serving: INFER passes on the eval images (reals = the same images), fixed noise
    Ops ev = tf.withSubScope("eval");
    Operand<TFloat32> xe = scaled(ev, eval.get(IMAGE));
    Operand<TFloat32> ze = noise(ev.withSubScope("z"), xe, ev.constant(EVAL_NOISE_SEED));
    Redrawn r = redraw(g, ModelGraph.Mode.INFER, ev, xe, ze);
    Operand<TFloat32> dOut = g.apply(d, ModelGraph.Mode.INFER, ev, Map.of(ResidualEncoder.IMAGE,
        ev.concat(List.of(xe, r.fakes()), ev.constant(0)))).output(ResidualEncoder.OUTPUT);
    Operand<TInt32> n = ev.slice(ev.shape(xe), ev.constant(new int[] {0}), ev.constant(new int[] {1}));
    Operand<TFloat32> dReal = ev.slice(dOut, ev.constant(new int[] {0, 0}), ev.concat(List.of(n, ev.constant(new int[] {1})), ev.constant(0)));
    Operand<TFloat32> dFake = ev.slice(dOut, ev.concat(List.of(n, ev.constant(new int[] {0})), ev.constant(0)), ev.constant(new int[] {-1, -1}));
    Operand<TFloat32> zRec = g.apply(delta, ModelGraph.Mode.INFER, ev, Map.of(ResidualEncoder.IMAGE, sum(ev, r.regions())))
        .output(ResidualEncoder.OUTPUT);
    Operand<TFloat32> served = ev.withName(Serving.OUTPUT).identity(r.masks());
    Map<String, Operand<TFloat32>> validation = new LinkedHashMap<>();
    validation.put("loss_adv", ev.math.neg(mean(ev, dFake)));
    validation.put("loss_z", zLoss(ev, ze, zRec));
    validation.put("loss_d", hingeLoss(ev, dReal, dFake));
    validation.put(Serving.OUTPUT, served);
    validation.put(REDRAWN, ev.math.div(ev.math.add(r.fakes(), ev.constant(1f)), ev.constant(2f)));
    return new TaskGraph(List.of(gen, dis), validation, eval.get(IMAGE), Map.of(Serving.OUTPUT, served));
  }

  private static Operand<TFloat32> sum(Ops tf, List<Operand<TFloat32>> xs) {
    Operand<TFloat32> s = xs.get(0);
    for (int i = 1; i < xs.size(); i++) {
      s = tf.math.add(s, xs.get(i));
    }
    return s;
  }

  /** F, every G_k and delta against D: -mean D(fakes) + lambda_z MSE(z, delta(sum_k h_k)) + F's weight decay. */
  private TaskGraph.Phase generatorPhase(ModelGraph g, Ops scope, Operand<TFloat32> x, Operand<TFloat32> z) {
    Redrawn r = redraw(g, ModelGraph.Mode.TRAIN, scope, x, z);
    List<Op> updates = new ArrayList<>(r.updates());
    ModelGraph.Pass dp = g.apply(d, ModelGraph.Mode.TRAIN, scope, Map.of(ResidualEncoder.IMAGE, r.fakes()));
    updates.addAll(dp.updates());
    ModelGraph.Pass zp = g.apply(delta, ModelGraph.Mode.TRAIN, scope, Map.of(ResidualEncoder.IMAGE, sum(scope, r.regions())));
    updates.addAll(zp.updates());
    Ops tf = scope.withSubScope("loss");
    Operand<TFloat32> adv = tf.math.neg(mean(tf, dp.output(ResidualEncoder.OUTPUT)));
    Operand<TFloat32> zl = zLoss(tf, z, zp.output(ResidualEncoder.OUTPUT));
    Operand<TFloat32> loss = tf.math.add(adv, tf.math.mul(zl, tf.constant((float) config.lambdaZ())));
    List<Variable<TFloat32>> fVars = g.trainableVariables(f.scope());
    if (config.weightDecayMask() > 0) {
      Operand<TFloat32> l2 = null;
      for (Variable<TFloat32> v : fVars) {
        // square a read of v: SquareGrad on a ref-typed variable output crashes the C++ gradient builder
        Operand<TFloat32> sq = tf.sum(tf.math.square(tf.identity(v)), tf.constant(allAxes(v)));
        l2 = l2 == null ? sq : tf.math.add(l2, sq);
      }
      loss = tf.math.add(loss, tf.math.mul(l2, tf.constant((float) (config.weightDecayMask() / 2))));
    }
    Map<String, Operand<TFloat32>> stats = new LinkedHashMap<>();
    stats.put(MASK_AREA_MIN, minArea(tf, r.masks()));
    stats.put("loss_adv", adv);
    stats.put("loss_z", zl);
    List<TaskGraph.Group> groups = List.of(group("F", fVars, config.lrMask()),
        group("G", generatorVariables(g), config.lrGenerator()),
        group("delta", g.trainableVariables(delta.scope()), config.lrEncoder()));
    return new TaskGraph.Phase("generator", tf.withName("value").identity(loss), groups, updates, stats);
  }

  private static int[] allAxes(Variable<TFloat32> v) {
    int[] a = new int[v.shape().numDimensions()];
    for (int i = 0; i < a.length; i++) {
      a[i] = i;
    }
    return a;
  }

  /** D on x_real and the fakes recomputed by the updated F and G_k (no gradient to them): the hinge loss. */
  private TaskGraph.Phase discriminatorPhase(ModelGraph g, Ops scope, Operand<TFloat32> x, Operand<TFloat32> xReal,
      Operand<TFloat32> z) {
    Redrawn r = redraw(g, ModelGraph.Mode.TRAIN, scope, x, z);
    List<Op> updates = new ArrayList<>(r.updates());
    Ops tf = scope.withSubScope("loss");
    Operand<TFloat32> fakes = tf.stopGradient(r.fakes());
    ModelGraph.Pass dp = g.apply(d, ModelGraph.Mode.TRAIN, scope,
        Map.of(ResidualEncoder.IMAGE, tf.concat(List.of(xReal, fakes), tf.constant(0))));
    updates.addAll(dp.updates());
    Operand<TFloat32> out = dp.output(ResidualEncoder.OUTPUT); // [B' + K*B, 1]
    Operand<TInt32> n = tf.slice(tf.shape(xReal), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TFloat32> real = tf.slice(out, tf.constant(new int[] {0, 0}), tf.concat(List.of(n, tf.constant(new int[] {1})), tf.constant(0)));
    Operand<TFloat32> fake = tf.slice(out, tf.concat(List.of(n, tf.constant(new int[] {0})), tf.constant(0)), tf.constant(new int[] {-1, -1}));
    Operand<TFloat32> loss = tf.withName("value").identity(hingeLoss(tf, real, fake));
    Map<String, Operand<TFloat32>> stats = new LinkedHashMap<>();
    stats.put("d_real", mean(tf, real));
    stats.put("d_fake", mean(tf, fake));
    return new TaskGraph.Phase("discriminator", loss, List.of(group("D", g.trainableVariables(d.scope()),
        config.lrDiscriminator())), updates, stats);
  }

  @Override
  public boolean restart(long attemptStep, int restarts, Map<String, Float> statistics) {
    if (config.restartThreshold() <= 0 || restarts >= config.restartMax() || attemptStep > config.restartUntil()
        || attemptStep % config.restartCheckEvery() != 0) {
      return false;
    }
    Float area = statistics.get(MASK_AREA_MIN);
    return area != null && area < config.restartThreshold();
  }

  @Override
  public Validation newValidation() {
    int k = config.regions();
    return new Validation() {
      private double adv;
      private double zl;
      private double dl;
      private final double[] area = new double[k];
      private long n;
      private final List<List<ImageArray>> rows = new ArrayList<>();

      @Override
      public void add(Batch b, Map<String, float[]> fetched) {
        int m = b.size();
        adv += fetched.get("loss_adv")[0] * m;
        zl += fetched.get("loss_z")[0] * m;
        dl += fetched.get("loss_d")[0] * m;
        float[] masks = fetched.get(Serving.OUTPUT);
        for (int i = 0; i < masks.length; i++) {
          area[i % k] += masks[i];
        }
        n += m;
        keepPictures(b, masks, fetched.get(REDRAWN), m);
      }

      /** The first PICTURE_ROWS images: image, m_0, and the image redrawn in each region. */
      private void keepPictures(Batch b, float[] masks, float[] redrawn, int m) {
        int c = config.channels();
        int px = size * size * c;
        float[] images = b.array(IMAGE);
        for (int i = 0; i < m && rows.size() < PICTURE_ROWS; i++) {
          List<ImageArray> row = new ArrayList<>();
          row.add(cell(java.util.Arrays.copyOfRange(images, i * px, (i + 1) * px), c));
          float[] m0 = new float[size * size];
          for (int q = 0; q < m0.length; q++) {
            m0[q] = masks[(i * size * size + q) * k];
          }
          row.add(cell(m0, 1));
          for (int r = 0; r < k; r++) {
            row.add(cell(java.util.Arrays.copyOfRange(redrawn, (r * m + i) * px, (r * m + i + 1) * px), c));
          }
          rows.add(row);
        }
      }

      private ImageArray cell(float[] v, int c) {
        return c == 1 || c == 3 ? ImageArray.wrap(size, size, c, ImageArray.Depth.F32, v)
            : ImageArray.wrap(size, size, c, ImageArray.Depth.F32, v).channel(0);
      }

      @Override
      public Map<String, byte[]> pictures() {
        return rows.isEmpty() ? Map.of() : Map.of(PICTURE, ImageCodec.encodePng(
            ImageGrid.render(rows)));
      }

      @Override
      public Map<String, Double> result() {
        checkArgument(n > 0, "the validation set is empty");
        Map<String, Double> r = new LinkedHashMap<>();
        double g = (adv + config.lambdaZ() * zl) / n;
        r.put("loss", g + dl / n);
        r.put("loss_g", g);
        r.put("loss_adv", adv / n);
        r.put("loss_z", zl / n);
        r.put("loss_d", dl / n);
        double pixels = (double) n * size * size;
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < k; i++) {
          min = Math.min(min, area[i] / pixels);
        }
        r.put("mask_area", area[0] / pixels);
        r.put(MASK_AREA_MIN, min);
        return r;
      }
    };
  }

  @Override
  public Geometry geometry() {
    return new Geometry(size, size, config.channels(), size, size, config.regions());
  }

  @Override
  public Map<String, Object> properties() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", name());
    m.put("regions", config.regions());
    m.put("nz", config.nz());
    m.put("lambdaZ", config.lambdaZ());
    m.put("servedOutput", "soft masks of the mask network F, [N, S, S, K], summing to 1 over K");
    return m;
  }
}
