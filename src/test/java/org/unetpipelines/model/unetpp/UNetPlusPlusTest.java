package org.unetpipelines.model.unetpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.unetpipelines.model.Initializer;
import org.unetpipelines.model.ModelGraph;
import org.unetpipelines.model.Padding;
import org.unetpipelines.model.SegmentationNet;
import org.unetpipelines.model.unet.UNet;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.model.Upsampling;
import org.unetpipelines.model.unetpp.UNetPlusPlusConfig.Head;
import org.unetpipelines.model.unetpp.UNetPlusPlusConfig.HeadLoss;

class UNetPlusPlusTest {
  /** Small widths for forward runs. */
  private static final List<Integer> TINY = List.of(2, 3, 4, 5, 6);

  // ---- hand formulas (MODELS.md §1.2) ----

  /** The standard unit: two 3x3 convs with bias, cin -> f -> f. */
  private static long unit(long cin, long f) {
    return 9 * cin * f + f + 9 * f * f + f;
  }

  /** 2x2 transposed conv with bias. */
  private static long up(long cin, long cout) {
    return 4 * cin * cout + cout;
  }

  /** UNet++ / UNet+ by node, 1 input channel, 1 class: backbone, X^{i,j} (j >= 1), heads. */
  private static long nestedFormula(List<Integer> f, boolean dense, int heads) {
    long total = 0;
    for (int i = 0; i <= 4; i++) {
      total += unit(i == 0 ? 1 : f.get(i - 1), f.get(i));
    }
    for (int i = 0; i < 4; i++) {
      for (int j = 1; j <= 4 - i; j++) {
        total += up(f.get(i + 1), f.get(i)) + unit((long) f.get(i) * (dense ? j + 1 : 2), f.get(i));
      }
    }
    return total + heads * (f.get(0) + 1L);
  }

  private static long params(SegmentationNet net, int size) {
    try (Graph g = new Graph()) {
      return ModelGraph.build(g, net, size, size, Initializer.HE_NORMAL, 1).parameterCount();
    }
  }

  private static UNetPlusPlusConfig ds() {
    return UNetPlusPlusConfig.unetpp().withDeepSupervision(true);
  }

  @Test
  void parameterCountsEqualTheOriginalCode() {
    List<Integer> f = UNetPlusPlusConfig.DEFAULT_FILTERS;
    assertEquals(9_041_601L, nestedFormula(f, true, 1));
    assertEquals(9_041_601L, params(UNetPlusPlus.of(UNetPlusPlusConfig.unetpp()), 16));
    assertEquals(9_041_700L, params(UNetPlusPlus.of(ds()), 16)); // three more heads of 33
    assertEquals(8_728_257L, nestedFormula(f, false, 1));
    assertEquals(8_728_257L, params(UNetPlusPlus.of(UNetPlusPlusConfig.unetplus()), 16));
    assertEquals(8_728_257L + 99, params(UNetPlusPlus.of(UNetPlusPlusConfig.unetplus().withDeepSupervision(true)), 16));
    // the U-Net (family unet, 32..512) and the wide U-Net (family wide_unet, 35..560) of the comparison
    UNetConfig unet = new UNetConfig(4, 32, Padding.SAME, Upsampling.TRANSPOSE, false, 0.5f, 1, 1);
    assertEquals(7_759_521L, params(UNet.of(unet), 16));
    UNetConfig wide = new UNetConfig("wide_unet", 4, 35, Padding.SAME, Upsampling.TRANSPOSE, false, 0.5f, 1, 1, true);
    assertEquals(9_282_246L, params(UNet.of(wide), 16));
  }

  @Test
  void batchNormAndClassesAndChannelsChangeTheCountAsExpected() {
    List<Integer> f = TINY;
    long base = nestedFormula(f, true, 1);
    assertEquals(base, params(UNetPlusPlus.of(UNetPlusPlusConfig.unetpp().withFilters(f)), 16));
    // every 3x3 conv loses its bias (f) and gains gamma + beta (2f): +f per conv, 2 convs per node
    long bn = 0;
    for (int i = 0; i <= 4; i++) {
      bn += 2L * f.get(i) * (5 - i); // level i has 5 - i nodes
    }
    assertEquals(base + bn, params(UNetPlusPlus.of(UNetPlusPlusConfig.unetpp().withFilters(f).withBatchNorm(true)), 16));
    // 3 classes: the head has 3 * (f_0 + 1); 2 input channels: X^{0,0}'s first conv sees 2 channels
    assertEquals(base - (f.get(0) + 1) + 3 * (f.get(0) + 1),
        params(UNetPlusPlus.of(UNetPlusPlusConfig.unetpp().withFilters(f).withClasses(3)), 16));
    assertEquals(base + 9L * f.get(0),
        params(UNetPlusPlus.of(UNetPlusPlusConfig.unetpp().withFilters(f).withInputChannels(2)), 16));
  }

  @Test
  void a96InputGivesHeadsOf96x96x1() {
    try (Graph g = new Graph()) {
      ModelGraph m = ModelGraph.build(g, UNetPlusPlus.of(ds()), 96, 96, Initializer.HE_NORMAL, 1);
      assertEquals(List.of("L1", "L2", "L3", "L4"), List.copyOf(m.trainPass().outputs().keySet()));
      for (ModelGraph.Pass p : List.of(m.trainPass(), m.inferPass())) {
        for (Operand<TFloat32> head : p.outputs().values()) {
          assertArrayEquals(new long[] {-1, 96, 96, 1}, head.shape().asArray());
        }
      }
      // X^{0,4} has 32 channels
      GraphOperation x04 = lastOpUnder(g, "unetpp/x_0_4/");
      assertEquals(32, x04.output(0).shape().get(3));
    }
    try (Graph g = new Graph()) {
      ModelGraph m = ModelGraph.build(g, UNetPlusPlus.of(UNetPlusPlusConfig.unetpp()), 96, 96, Initializer.HE_NORMAL, 1);
      assertEquals(List.of(SegmentationNet.LOGITS), List.copyOf(m.inferPass().outputs().keySet()));
      assertArrayEquals(new long[] {-1, 96, 96, 1}, m.probabilities().shape().asArray());
    }
    // a forward run at 96 x 96 (tiny widths): every head 96 x 96 x 1, probabilities in [0, 1]
    try (Graph g = new Graph()) {
      UNetPlusPlus net = UNetPlusPlus.of(ds().withFilters(TINY));
      ModelGraph m = ModelGraph.build(g, net, 96, 96, Initializer.HE_NORMAL, 5);
      try (Session s = new Session(g); TFloat32 x = image(2, 96, 1f)) {
        s.initialize();
        Session.Runner r = s.runner().feed(m.inferInput(), x);
        for (Operand<TFloat32> head : m.inferPass().outputs().values()) {
          r.fetch(ModelGraph.activation(m.ops(), head, 1));
        }
        try (Result res = r.run()) {
          for (int h = 0; h < 4; h++) {
            TFloat32 p = (TFloat32) res.get(h);
            assertArrayEquals(new long[] {2, 96, 96, 1}, p.shape().asArray());
            float[] v = values(p);
            for (float pv : v) {
              assertTrue(pv >= 0f && pv <= 1f, "probability " + pv);
            }
          }
        }
      }
    }
  }

  @Test
  void headsNamesAndInferenceHead() {
    UNetPlusPlus full = UNetPlusPlus.of(ds().withInferenceHead(Head.L3).withHeadLoss(HeadLoss.MEAN));
    assertEquals(List.of("L1", "L2", "L3", "L4"), full.headNames());
    assertEquals("L3", full.inferenceHead());
    assertEquals("mean", full.headLoss());
    assertEquals("unetpp", full.family());
    assertEquals("ensemble", UNetPlusPlus.of(ds()).inferenceHead());
    assertEquals("sum", UNetPlusPlus.of(ds()).headLoss());
    assertEquals("unetplus", UNetPlusPlus.of(UNetPlusPlusConfig.unetplus()).family());
    UNetPlusPlus single = UNetPlusPlus.of(UNetPlusPlusConfig.unetpp());
    assertEquals(List.of("logits"), single.headNames());
    assertNull(single.inferenceHead());
    assertEquals("L4", single.properties().get("head"));
    UNetPlusPlus l2 = UNetPlusPlus.of(ds().withPrune(2));
    assertEquals(List.of("logits"), l2.headNames());
    assertNull(l2.inferenceHead());
    assertEquals("L2", l2.properties().get("head"));
    assertEquals(Head.L2, ds().withPrune(2).inferenceHead());
    assertEquals(Head.L2, ds().withPrune(2).withPrune(0).inferenceHead()); // back to the full network, head kept
    assertEquals("f32-64-128-256-512-drop0.5-ds-L2-k1", l2.variant());
    assertThrows(UnsupportedOperationException.class, () -> full.logits(null, null));
  }

  @Test
  void concatOrderIsUpsampledFirstThenTheLevelsEarlierNodes() {
    try (Graph g = new Graph()) {
      ModelGraph.build(g, UNetPlusPlus.of(UNetPlusPlusConfig.unetpp().withFilters(TINY)), 16, 16,
          Initializer.HE_NORMAL, 1);
      assertEquals(List.of("x_1_2/upconv", "x_1_0", "x_1_1"), concatSources(g, "unetpp/", "x_1_2"));
      assertEquals(List.of("x_0_4/upconv", "x_0_0", "x_0_1", "x_0_2", "x_0_3"), concatSources(g, "unetpp/", "x_0_4"));
      // each node: two 3x3 convs with f_i filters; X^{0,4} reads 5 * f_0 channels
      assertEquals(5 * 2, g.operation("params/unetpp/x_0_4/conv1/kernel").output(0).shape().get(2));
    }
    try (Graph g = new Graph()) {
      ModelGraph.build(g, UNetPlusPlus.of(UNetPlusPlusConfig.unetplus().withFilters(TINY)), 16, 16,
          Initializer.HE_NORMAL, 1);
      assertEquals(List.of("x_0_4/upconv", "x_0_3"), concatSources(g, "unetplus/", "x_0_4"));
      assertEquals(List.of("x_2_1/upconv", "x_2_0"), concatSources(g, "unetplus/", "x_2_1"));
    }
  }

  @Test
  void prunedLdBuildsOnlyNodesWithIPlusJAtMostD() {
    for (int d = 1; d <= 4; d++) {
      try (Graph g = new Graph()) {
        ModelGraph m = ModelGraph.build(g, UNetPlusPlus.of(ds().withFilters(TINY).withPrune(d)), 16, 16,
            Initializer.HE_NORMAL, 1);
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i <= d; i++) {
          for (int j = 0; i + j <= d; j++) {
            expected.add("x_" + i + "_" + j);
          }
        }
        expected.add("L" + d);
        assertEquals(expected, nodesWithVariables(g, "unetpp"), "L" + d);
        assertEquals(List.of(SegmentationNet.LOGITS), List.copyOf(m.inferPass().outputs().keySet()));
        // no op of the inference pass belongs to a node outside the pruned network
        for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
          Matcher n = Pattern.compile("^infer[^/]*/unetpp/x_(\\d)_(\\d)/").matcher(it.next().name());
          if (n.find()) {
            assertTrue(Integer.parseInt(n.group(1)) + Integer.parseInt(n.group(2)) <= d, n.group());
          }
        }
      }
    }
  }

  @Test
  void prunedLdGivesExactlyTheFullModelsHeadD() {
    UNetPlusPlusConfig c = ds().withFilters(TINY).withDropout(0.5f);
    try (Graph g = new Graph()) {
      ModelGraph mg = ModelGraph.create(g, Initializer.HE_NORMAL, 11);
      Placeholder<TFloat32> in = mg.ops().withName("image").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 32, 32, 1)));
      Map<String, Operand<TFloat32>> inputs = Map.of(SegmentationNet.IMAGE, in);
      mg.apply(UNetPlusPlus.of(c), ModelGraph.Mode.TRAIN, "train", inputs); // creates the variables
      int variables = mg.variableSizes().size();
      ModelGraph.Pass full = mg.apply(UNetPlusPlus.of(c), ModelGraph.Mode.INFER, "full", inputs);
      Map<Integer, ModelGraph.Pass> pruned = new LinkedHashMap<>();
      for (int d = 1; d <= 4; d++) {
        // an INFER pass cannot create variables: the pruned network must find every one it needs
        pruned.put(d, mg.apply(UNetPlusPlus.of(c.withPrune(d)), ModelGraph.Mode.INFER, "pruned" + d, inputs));
      }
      assertEquals(variables, mg.variableSizes().size());
      try (Session s = new Session(g); TFloat32 x = randomImage(2, 32, 3)) {
        s.initialize();
        Session.Runner r = s.runner().feed(in, x);
        for (int d = 1; d <= 4; d++) {
          r.fetch(full.output("L" + d)).fetch(pruned.get(d).output(SegmentationNet.LOGITS));
        }
        try (Result res = r.run()) {
          for (int d = 1; d <= 4; d++) {
            float[] a = values((TFloat32) res.get(2 * (d - 1)));
            float[] b = values((TFloat32) res.get(2 * (d - 1) + 1));
            assertEquals(2 * 32 * 32, a.length);
            assertArrayEquals(a, b, 0f, "pruned L" + d + " vs the full model's head L" + d);
          }
          // the heads differ from each other (the check is not vacuous)
          assertFalse(java.util.Arrays.equals(values((TFloat32) res.get(0)), values((TFloat32) res.get(6))));
        }
      }
    }
  }

  @Test
  void dropoutIsActiveOnlyInTraining() {
    try (Graph g = new Graph()) {
      ModelGraph m = ModelGraph.build(g, UNetPlusPlus.of(UNetPlusPlusConfig.unetpp().withFilters(TINY)), 16, 16,
          Initializer.HE_NORMAL, 2);
      int trainDrops = 0;
      int inferDrops = 0;
      for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
        String name = it.next().name();
        if (name.matches("train[^/]*/unetpp/x_\\d_\\d/drop[12]/StatelessRandomUniform")) {
          trainDrops++;
        }
        if (name.matches("infer[^/]*/.*/drop[12]/.*")) {
          inferDrops++;
        }
      }
      assertEquals(2 * 15, trainDrops); // 15 nodes, dropout after each of their two convolutions
      assertEquals(0, inferDrops);
      try (Session s = new Session(g); TFloat32 x = randomImage(1, 16, 4);
          TInt64 seedA = TInt64.vectorOf(7, 1); TInt64 seedB = TInt64.vectorOf(7, 2)) {
        s.initialize();
        float[] inferA = run(s, m.inferPass().output("logits"), m.inferInput(), x, m, seedA);
        float[] inferB = run(s, m.inferPass().output("logits"), m.inferInput(), x, m, seedB);
        float[] trainA = run(s, m.trainPass().output("logits"), m.trainInput(), x, m, seedA);
        float[] trainA2 = run(s, m.trainPass().output("logits"), m.trainInput(), x, m, seedA);
        float[] trainB = run(s, m.trainPass().output("logits"), m.trainInput(), x, m, seedB);
        assertArrayEquals(inferA, inferB, 0f, "inference ignores the dropout seed");
        assertArrayEquals(trainA, trainA2, 0f, "the mask is a function of the seed");
        assertFalse(java.util.Arrays.equals(trainA, trainB), "another seed, another mask");
        assertFalse(java.util.Arrays.equals(trainA, inferA), "training drops units");
      }
    }
    // dropout 0: the training pass equals the inference pass
    try (Graph g = new Graph()) {
      ModelGraph m = ModelGraph.build(g, UNetPlusPlus.of(UNetPlusPlusConfig.unetpp().withFilters(TINY).withDropout(0f)),
          16, 16, Initializer.HE_NORMAL, 2);
      try (Session s = new Session(g); TFloat32 x = randomImage(1, 16, 4); TInt64 seed = TInt64.vectorOf(7, 1)) {
        s.initialize();
        assertArrayEquals(run(s, m.inferPass().output("logits"), m.inferInput(), x, m, seed),
            run(s, m.trainPass().output("logits"), m.trainInput(), x, m, seed), 0f);
      }
    }
  }

  @Test
  void rejectsSizesThatDoNotFitAndNamesNearestValid() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UNetPlusPlus.of(UNetPlusPlusConfig.unetpp()).outputSize(100, 96));
    assertTrue(e.getMessage().contains("input height 100 does not fit unetpp"), e.getMessage());
    assertTrue(e.getMessage().contains("multiple of 2^4 = 16"), e.getMessage());
    assertTrue(e.getMessage().contains("nearest valid sizes: [96, 112]"), e.getMessage());
    IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
        () -> UNetPlusPlus.of(UNetPlusPlusConfig.unetplus()).outputSize(96, 8));
    assertTrue(w.getMessage().contains("input width 8 does not fit unetplus"), w.getMessage());
    assertTrue(w.getMessage().contains("nearest valid sizes: [16]"), w.getMessage());
    // pruned to L1 there is one pooling: even sizes fit
    assertArrayEquals(new int[] {34, 34}, UNetPlusPlus.of(ds().withPrune(1)).outputSize(34, 34));
    IllegalArgumentException l2 = assertThrows(IllegalArgumentException.class,
        () -> UNetPlusPlus.of(ds().withPrune(2)).outputSize(34, 32));
    assertTrue(l2.getMessage().contains("unetpp pruned to L2"), l2.getMessage());
    assertTrue(l2.getMessage().contains("nearest valid sizes: [32, 36]"), l2.getMessage());
  }

  @Test
  void rejectsBadConfigs() {
    assertMessage("filters must list 5 levels", () -> UNetPlusPlusConfig.unetpp().withFilters(List.of(8, 16, 32)));
    assertMessage("filters must be 1..2048 per level",
        () -> UNetPlusPlusConfig.unetpp().withFilters(List.of(8, 16, 0, 32, 64)));
    assertMessage("dropout must be in [0, 0.95], got 1.0", () -> UNetPlusPlusConfig.unetpp().withDropout(1f));
    assertMessage("dropout must be in [0, 0.95], got -0.1", () -> UNetPlusPlusConfig.unetpp().withDropout(-0.1f));
    assertMessage("prune must be 0 (full network) or 1..4", () -> ds().withPrune(5));
    assertMessage("prune 2 needs deep_supervision: true", () -> UNetPlusPlusConfig.unetpp().withPrune(2));
    assertMessage("inference_head L2 is not built: a network without deep supervision has only the head L4",
        () -> UNetPlusPlusConfig.unetpp().withInferenceHead(Head.L2));
    assertMessage("inference_head L3 is not built: UNet++ pruned to L2 has only the head L2",
        () -> ds().withPrune(2).withInferenceHead(Head.L3));
    assertMessage("classes must be >= 1", () -> UNetPlusPlusConfig.unetpp().withClasses(0));
    assertMessage("input channels must be 1..4", () -> UNetPlusPlusConfig.unetpp().withInputChannels(5));
    assertMessage("family must be unetpp or unetplus, got unet", () -> UNetPlusPlusConfig.unetpp().withFamily("unet"));
    // accepted: the ensemble of a single head is that head; L4 without deep supervision
    UNetPlusPlusConfig.unetpp().withInferenceHead(Head.L4);
    ds().withPrune(3).withInferenceHead(Head.ENSEMBLE);
  }

  // ---- helpers ----

  private static void assertMessage(String part, org.junit.jupiter.api.function.Executable ex) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ex);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  /** The node (x_i_j) or head (L<d>) names that own variables under params/scope/. */
  private static Set<String> nodesWithVariables(Graph g, String scope) {
    Set<String> out = new TreeSet<>();
    Pattern p = Pattern.compile("^params/" + scope + "/([^/]+)/");
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      Matcher m = p.matcher(op.name());
      if (m.find() && op.type().startsWith("Variable")) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /** Strips the inference pass's name ({@code infer/}); null for ops outside it. */
  private static String inInferPass(String opName) {
    Matcher m = Pattern.compile("^infer[^/]*/").matcher(opName);
    return m.find() ? opName.substring(m.end()) : null;
  }

  /** The nodes (or the node's upconv) feeding node's concat in the inference pass, in order. */
  private static List<String> concatSources(Graph g, String prefix, String node) {
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      String name = inInferPass(op.name());
      if (op.type().equals("ConcatV2") && name != null && name.startsWith(prefix + node + "/concat/")) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < op.numInputs() - 1; k++) { // the last input is the axis
          String src = inInferPass(op.input(k).op().name()).substring(prefix.length());
          out.add(src.startsWith(node + "/upconv/") ? node + "/upconv" : src.substring(0, src.indexOf('/')));
        }
        return out;
      }
    }
    throw new AssertionError("no concat under " + prefix + node);
  }

  private static GraphOperation lastOpUnder(Graph g, String prefix) {
    GraphOperation last = null;
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      String name = inInferPass(op.name());
      if (name != null && name.startsWith(prefix) && op.numOutputs() > 0 && op.output(0).shape().numDimensions() == 4) {
        last = op;
      }
    }
    return last;
  }

  private static TFloat32 image(int n, int size, float v) {
    return TFloat32.tensorOf(Shape.of(n, size, size, 1), d -> d.scalars().forEach(s -> s.setFloat(v)));
  }

  private static TFloat32 randomImage(int n, int size, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    float[] v = new float[n * size * size];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble();
    }
    return TFloat32.tensorOf(Shape.of(n, size, size, 1), DataBuffers.of(v));
  }

  private static float[] values(TFloat32 t) {
    float[] v = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }

  private static float[] run(Session s, Operand<TFloat32> out, Placeholder<TFloat32> in, TFloat32 x, ModelGraph m,
      TInt64 seed) {
    try (Result r = s.runner().feed(in, x).feed(m.dropoutSeedInput(), seed).fetch(out).run()) {
      return values((TFloat32) r.get(0));
    }
  }
}
