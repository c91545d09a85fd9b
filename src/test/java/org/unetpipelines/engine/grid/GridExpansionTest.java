package org.unetpipelines.engine.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.unetpipelines.engine.OutputRoot;
import org.unetpipelines.engine.PipelineError;
import org.unetpipelines.engine.PipelineFile;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.engine.ValidationException;
import org.unetpipelines.stages.augment.ElasticDeform;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.ScalarNode;

class GridExpansionTest {
  private static final StageRegistry REGISTRY = StageRegistry.load();

  /** Lines 1-21: the pipeline; the grid block follows from line 22. */
  private static final String PIPELINE = String.join("\n",
      "pipeline:",
      "  transforms:",
      "    - type: SyntheticImages",              // 3
      "      name: Images",
      "      config: {count: 2, height: 32, width: 32}",
      "    - type: MirrorPad",                    // 6
      "      input: Images",
      "      config: {pad: 4}",
      "    - type: ElasticDeform",                // 9
      "      input: MirrorPad",
      "      config: {grid: 3, sigma: 10.0, copies: 1, crop_height: 32, crop_width: 32}",
      "    - type: Flip",                         // 12
      "      input: ElasticDeform",
      "    - type: WriteAvro",                    // 14
      "      name: Shards",
      "      input: Flip",
      "      config: {path: shards, shards: 1}",
      "    - type: WriteAvro",                    // 18
      "      name: Raw",
      "      input: Images",
      "      config: {path: raw, shards: 1}",
      "");

  private static String file(String... gridLines) {
    return PIPELINE + String.join("\n", gridLines) + "\noptions: {seed: 42}\n";
  }

  static final String GRID = file(
      "grid:",                                         // 22
      "  axes:",
      "    ElasticDeform.config.sigma: [5.0, 10.0]",   // 24
      "    options.seed: [1, 2, 3]");                  // 25

  static PipelinePlan plan(String yaml) throws ValidationException {
    return PipelinePlan.validate(PipelineFile.parse("grid.yaml", yaml, List.of()), REGISTRY);
  }

  private static ValidationException invalid(String yaml) {
    return assertThrows(ValidationException.class, () -> plan(yaml));
  }

  private static List<String> names(PipelinePlan p) {
    return p.stages().stream().map(PipelinePlan.StagePlan::name).toList();
  }

  private static PipelinePlan.StagePlan stage(PipelinePlan p, String name) {
    return p.stages().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
  }

  private static String only(ValidationException e) {
    assertEquals(1, e.errors().size(), e.getMessage());
    return e.errors().get(0).toString();
  }

  @Test
  void fullProductWithSharedUpstreamStagesAndStableNames() throws Exception {
    PipelinePlan p = plan(GRID);
    GridPlan g = p.grid().orElseThrow();
    assertEquals(List.of("sigma=5.0,seed=1", "sigma=5.0,seed=2", "sigma=5.0,seed=3",
        "sigma=10.0,seed=1", "sigma=10.0,seed=2", "sigma=10.0,seed=3"), g.cells().stream().map(GridCell::name).toList());
    assertEquals(List.of("Images", "MirrorPad", "Raw"), g.sharedStages());
    assertEquals(List.of("ElasticDeform", "Flip", "Shards"), g.branchStages());
    assertEquals(3 + 6 * 3, p.stages().size());
    assertEquals(List.of("Images", "MirrorPad", "Raw", "ElasticDeform[sigma=5.0,seed=1]", "Flip[sigma=5.0,seed=1]",
        "Shards[sigma=5.0,seed=1]"), names(p).subList(0, 6));
    // inputs: a branch reads the shared stage once and its own branch otherwise
    assertEquals(List.of("MirrorPad"), stage(p, "ElasticDeform[sigma=10.0,seed=2]").inputs());
    assertEquals(List.of("Flip[sigma=10.0,seed=2]"), stage(p, "Shards[sigma=10.0,seed=2]").inputs());
    // the cell's values are bound into its stages' configs
    assertEquals(5.0, ((ElasticDeform.Config) stage(p, "ElasticDeform[sigma=5.0,seed=3]").config()).sigma());
    assertEquals(10.0, ((ElasticDeform.Config) stage(p, "ElasticDeform[sigma=10.0,seed=3]").config()).sigma());
    // seeds: shared stages run with the file's seed, branch stages with their cell's
    assertEquals(42, p.seed());
    assertEquals(42, g.seedOf("MirrorPad", p.seed()));
    assertEquals(2, g.seedOf("Flip[sigma=5.0,seed=2]", p.seed()));
    assertEquals(2, g.cellPlan(g.cells().get(1)).seed());
    // outputs: branch stages write under grid/<cell>/
    OutputRoot root = new OutputRoot(Path.of("/tmp/run"));
    assertEquals(Path.of("/tmp/run/grid/sigma=10.0,seed=1/shards"),
        g.outputRootOf("Shards[sigma=10.0,seed=1]", root).resolve("shards"));
    assertEquals(Path.of("/tmp/run/raw"), g.outputRootOf("Raw", root).resolve("raw"));
    // statistics: cells over the replicate axis (seed)
    assertEquals(List.of("sigma=5.0", "sigma=10.0"), g.statsCells());
    assertEquals("seed", g.replicateAxis().orElseThrow());
    GridCell c = g.cellOf("Flip[sigma=10.0,seed=3]").orElseThrow();
    assertEquals("sigma=10.0", c.statsCell());
    assertEquals("3", c.replicate());
    assertEquals("Flip", g.fileStageName("Flip[sigma=10.0,seed=3]"));
    assertFalse(g.cellOf("Images").isPresent());
  }

  @Test
  void theSameGridExpandsToTheSamePlanTwice() throws Exception {
    PipelinePlan a = plan(GRID);
    PipelinePlan b = plan(GRID);
    assertEquals(PlanText.of(a), PlanText.of(b));
    assertEquals(names(a), names(b));
    for (int i = 0; i < a.stages().size(); i++) {
      assertEquals(a.stages().get(i).inputs(), b.stages().get(i).inputs());
      assertEquals(a.stages().get(i).configJson(), b.stages().get(i).configJson());
    }
    assertEquals(a.grid().orElseThrow().cells(), b.grid().orElseThrow().cells());
  }

  @Test
  void excludeRemovesMatchingCellsAndIncludeAddsCells() throws Exception {
    PipelinePlan p = plan(file(
        "grid:",
        "  axes:",
        "    ElasticDeform.config.sigma: [5.0, 10.0]",
        "    options.seed: [1, 2, 3]",
        "  exclude:",
        "    - {sigma: 10.0, seed: [2, 3]}",
        "  include:",
        "    - {sigma: 20.0, seed: [1, 2, 3]}",
        "    - {sigma: 5.0, seed: 1}",      // already in the grid: not added twice
        "    - {ElasticDeform.config.sigma: 10.0, options.seed: 3}"));  // re-adds an excluded cell
    GridPlan g = p.grid().orElseThrow();
    assertEquals(List.of("sigma=5.0,seed=1", "sigma=5.0,seed=2", "sigma=5.0,seed=3", "sigma=10.0,seed=1",
        "sigma=20.0,seed=1", "sigma=20.0,seed=2", "sigma=20.0,seed=3", "sigma=10.0,seed=3"),
        g.cells().stream().map(GridCell::name).toList());
    assertEquals(20.0, ((ElasticDeform.Config) stage(p, "ElasticDeform[sigma=20.0,seed=2]").config()).sigma());
    assertTrue(g.describe().contains("(product 6, excluded 2, included 4)"), g.describe());
  }

  @Test
  void seedOnlyGridBranchesEverythingUnlessBranchFromSaysWhere() throws Exception {
    GridPlan all = plan(file("grid:", "  axes:", "    options.seed: [1, 2]")).grid().orElseThrow();
    assertEquals(List.of(), all.sharedStages());
    assertEquals(6, all.branchStages().size());
    assertEquals(List.of("all"), all.statsCells());
    GridPlan some = plan(file("grid:", "  axes:", "    options.seed: [1, 2]", "  branch_from: [ElasticDeform]"))
        .grid().orElseThrow();
    assertEquals(List.of("Images", "MirrorPad", "Raw"), some.sharedStages());
    assertEquals(List.of("ElasticDeform", "Flip", "Shards"), some.branchStages());
  }

  @Test
  void baselineNamesAStatisticsCell() throws Exception {
    GridPlan g = plan(file("grid:", "  axes:", "    ElasticDeform.config.sigma: [5.0, 10.0]", "    options.seed: [1, 2]",
        "  baseline: {sigma: 10.0}")).grid().orElseThrow();
    assertEquals("sigma=10.0", g.baseline().orElseThrow());
    assertTrue(g.describe().contains("compared against baseline sigma=10.0"), g.describe());
    GridPlan s = plan(file("grid:", "  axes:", "    ElasticDeform.config.sigma: [5.0, 10.0]",
        "  baseline: sigma=5.0")).grid().orElseThrow();
    assertEquals("sigma=5.0", s.baseline().orElseThrow());
    assertFalse(s.replicateAxis().isPresent());
  }

  @Test
  void valuesWithUnsafeCharactersGetSafeLabelsAndAxisNamesStayUnique() throws Exception {
    GridPlan g = plan(file("grid:", "  axes:",
        "    Shards.config.path: [\"a b/c\", d]",
        "    Raw.config.path: [r1, r2]",
        "    ElasticDeform.config.copies: [1]")).grid().orElseThrow();
    assertEquals(List.of("Shards.config.path", "Raw.config.path", "copies"),
        g.axes().stream().map(GridPlan.Axis::name).toList());
    assertEquals("Shards.config.path=a_b_c,Raw.config.path=r1,copies=1", g.cells().get(0).name());
  }

  @Test
  void badAxisPathsNameTheAxisLine() {
    String e = only(invalid(file("grid:", "  axes:", "    ElasticDefrom.config.sigma: [1.0]")));
    assertTrue(e.startsWith("grid.yaml:24: grid axis 'ElasticDefrom.config.sigma': no stage named 'ElasticDefrom' "
        + "(did you mean 'ElasticDeform'?)"), e);
    e = only(invalid(file("grid:", "  axes:", "    ElasticDeform.sigma: [1.0]")));
    assertTrue(e.startsWith("grid.yaml:24: grid axis 'ElasticDeform.sigma': an axis path is <Stage>.config.<key>"), e);
    e = only(invalid(file("grid:", "  axes:", "    options.name: [a, b]")));
    assertTrue(e.contains("grid.yaml:24: grid axis 'options.name': the only option a grid can vary is seed"), e);
    // an unknown config key: the normal validation, reported once at the axis line
    e = only(invalid(file("grid:", "  axes:", "    ElasticDeform.config.sigmaa: [1.0, 2.0]")));
    assertTrue(e.startsWith("grid.yaml:24: stage 'ElasticDeform': grid axis 'ElasticDeform.config.sigmaa': "
        + "unknown config key 'sigmaa' (did you mean 'sigma'?)"), e);
    // a path through a scalar
    e = only(invalid(file("grid:", "  axes:", "    Images.config.count.x: [1]")));
    assertTrue(e.contains("grid.yaml:24: stage 'Images': grid axis 'Images.config.count.x': Images.config.count is "
        + "'2' in the file (line 5), not a mapping"), e);
  }

  @Test
  void badAxisValuesNameTheirLineAndCells() {
    ValidationException ex = invalid(file("grid:", "  axes:",
        "    ElasticDeform.config.order:",
        "      - cubic",
        "      - cubc",                             // 26
        "    options.seed: [1, 2, x]"));            // 27
    List<String> errs = ex.errors().stream().map(PipelineError::toString).toList();
    assertEquals(2, errs.size(), ex.getMessage());
    assertTrue(errs.get(0).startsWith("grid.yaml:26: stage 'ElasticDeform': grid axis 'ElasticDeform.config.order' "
        + "(3 of 6 cells): 'order' must be one of nearest | linear | cubic, got 'cubc' (did you mean 'cubic'?)"), errs.get(0));
    assertTrue(errs.get(1).startsWith("grid.yaml:27: grid axis 'options.seed' (2 of 6 cells): options: 'seed' must be "
        + "integer"), errs.get(1));
    // a cross-field check that fails in some cells only names them
    String e = only(invalid(file("grid:", "  axes:", "    ElasticDeform.config.crop_width: [32, null]")));
    assertTrue(e.startsWith("grid.yaml:9: stage 'ElasticDeform': cell crop_width=null: crop_height and crop_width go "
        + "together"), e);
  }

  @Test
  void badGridBlocksAreRejected() {
    String[][] cases = {
        {"grid: [a]", "22", "'grid' must be a mapping"},
        {"grid: {axes: {}}", "22", "'grid.axes' must map each varied path to a list of values"},
        {"grid:\n  axis: {options.seed: [1]}", "23", "unknown key 'axis' in grid (did you mean 'axes'?)"},
        {"grid:\n  axes:\n    options.seed: 1", "24", "the values must be a non-empty list"},
        {"grid:\n  axes:\n    options.seed: []", "24", "the values must be a non-empty list"},
        {"grid:\n  axes:\n    options.seed: [1, 1]", "24", "value '1' is given twice"},
        {"grid:\n  axes:\n    Shards.config.path: [\"a/b\", \"a_b\"]", "24", "value 'a_b' is given twice"},
        {"grid:\n  axes:\n    Images.config.count: [{a: 1}]", "24", "a value must be a scalar or a list of scalars"},
        {"grid:\n  axes:\n    options.seed: [1, 2]\n  exclude: [{sed: 1}]", "25", "'sed' is not an axis (did you mean 'seed'?)"},
        {"grid:\n  axes:\n    options.seed: [1, 2]\n  exclude: [{seed: 3}]", "25", "'3' is not a value of axis seed"},
        {"grid:\n  axes:\n    options.seed: [1, 2]\n  exclude: [{seed: [1, 2]}]", "22", "the grid has no cells"},
        {"grid:\n  axes:\n    options.seed: [1, 2]\n  include: [{}]", "25", "must be a non-empty mapping"},
        {"grid:\n  axes:\n    options.seed: [1, 2]\n  replicate: sede", "25", "grid.replicate must name an axis"},
        {"grid:\n  axes:\n    options.seed: [1, 2]\n  branch_from: [Flop]", "25", "no stage named 'Flop' (did you mean 'Flip'?)"},
        {"grid:\n  axes:\n    ElasticDeform.config.sigma: [1.0, 2.0]\n    options.seed: [1]\n  baseline: {seed: 1}", "26",
            "'seed' is not a non-replicate axis"},
        {"grid:\n  axes:\n    ElasticDeform.config.sigma: [1.0, 2.0]\n    Flip.config.copies: [1]\n  baseline: {sigma: 1.0}",
            "26", "must give a value for every non-replicate axis; missing: copies"},
        {"grid:\n  axes:\n    ElasticDeform.config.sigma: [1.0, 2.0]\n  baseline: {sigma: 3.0}", "25",
            "grid.baseline 'sigma=3.0' is not a cell of the grid; cells: sigma=1.0; sigma=2.0"},
    };
    for (String[] c : cases) {
      ValidationException e = invalid(file(c[0]));
      String all = e.errors().stream().map(PipelineError::toString).collect(Collectors.joining("\n"));
      assertTrue(e.errors().stream().anyMatch(err -> String.valueOf(err.line()).equals(c[1])
          && err.message().contains(c[2])), c[0] + " ->\n" + all);
    }
  }

  @Test
  void tooManyCellsIsAnError() {
    StringBuilder seeds = new StringBuilder();
    StringBuilder copies = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      seeds.append(i == 0 ? "" : ", ").append(i);
      copies.append(i == 0 ? "" : ", ").append(i + 1);
    }
    String e = only(invalid(file("grid:", "  axes:", "    options.seed: [" + seeds + "]",
        "    ElasticDeform.config.copies: [" + copies + "]")));
    assertTrue(e.contains("the grid has 1600 cells; at most 1000"), e);
  }

  @Test
  void nestedConfigPathsAreSetOnTheNodeTreeWithTheAxisLine() throws Exception {
    String yaml = String.join("\n",
        "pipeline:",
        "  transforms:",
        "    - type: SyntheticImages",
        "      name: Net",
        "      config:",
        "        model: {family: unet, filters: 16}",   // 6
        "grid:",
        "  axes:",
        "    Net.config.model.family: [unet, unetpp]",  // 9
        "    Net.config.head.size.x: [1, 2]",           // 10: created mappings
        "");
    GridExpander.Expansion x = GridExpander.expand(PipelineFile.parse("nested.yaml", yaml, List.of()));
    assertEquals(List.of("family=unet,x=1", "family=unet,x=2", "family=unetpp,x=1", "family=unetpp,x=2"),
        x.cells().stream().map(GridCell::name).toList());
    MappingNode tree = x.trees().get(2);
    assertNotNull(Nodes.value(tree, "pipeline"));
    assertEquals(null, Nodes.value(tree, "grid"));
    MappingNode net = (MappingNode) ((org.yaml.snakeyaml.nodes.SequenceNode)
        Nodes.value((MappingNode) Nodes.value(tree, "pipeline"), "transforms")).getValue().get(0);
    MappingNode model = (MappingNode) Nodes.value((MappingNode) Nodes.value(net, "config"), "model");
    assertEquals("unetpp", ((ScalarNode) Nodes.value(model, "family")).getValue());
    assertEquals(9, Nodes.line(Nodes.value(model, "family")));
    assertEquals("16", ((ScalarNode) Nodes.value(model, "filters")).getValue()); // sibling keys kept
    MappingNode size = (MappingNode) Nodes.value((MappingNode) Nodes.value(
        (MappingNode) Nodes.value(net, "config"), "head"), "size");
    assertEquals("1", ((ScalarNode) Nodes.value(size, "x")).getValue());
    assertEquals(10, Nodes.line(size.getValue().get(0).getKeyNode()));
    // the parsed file is untouched: every cell has its own copy
    MappingNode orig = (MappingNode) ((org.yaml.snakeyaml.nodes.SequenceNode) Nodes.value(
        (MappingNode) Nodes.value(PipelineFile.parse("nested.yaml", yaml, List.of()).root(), "pipeline"),
        "transforms")).getValue().get(0);
    assertEquals("unet", ((ScalarNode) Nodes.value((MappingNode) Nodes.value(
        (MappingNode) Nodes.value(orig, "config"), "model"), "family")).getValue());
    assertEquals("unet", ((ScalarNode) Nodes.value((MappingNode) Nodes.value((MappingNode) Nodes.value(
        (MappingNode) ((org.yaml.snakeyaml.nodes.SequenceNode) Nodes.value((MappingNode) Nodes.value(x.trees().get(0),
            "pipeline"), "transforms")).getValue().get(0), "config"), "model"), "family")).getValue());
  }

  private static final String TRAIN = String.join("\n",
      "pipeline:",
      "  transforms:",
      "    - {type: SyntheticImages, name: S, config: {count: 4, height: 32, width: 32}}",
      "    - {type: WriteAvro, name: Shards, input: S, config: {path: shards}}",
      "    - type: Train",
      "      input: Shards",
      "      config:",
      "        path: model",
      "        model: {family: unet, depth: 2, filters: 4}",
      "        height: 32",
      "        width: 32",
      "        steps: 2",
      "    - {type: Evaluate, input: [Train, S], config: {path: eval}}",
      "grid:",
      "  axes:",
      "    Train.config.model.family: [unet, wide_unet]",            // 16
      "    Train.config.model.upsampling: [transpose, %s]",          // 17
      "    options.seed: [1, 2]",
      "  baseline: {family: unet, upsampling: transpose}",
      "options: {seed: 5}",
      "");

  @Test
  void nestedModelConfigOfTrainIsVariedAndBound() throws Exception {
    PipelinePlan p = plan(String.format(TRAIN, "bilinear"));
    GridPlan g = p.grid().orElseThrow();
    assertEquals(List.of("S", "Shards"), g.sharedStages());
    assertEquals(List.of("Train", "Evaluate"), g.branchStages());
    assertEquals(8, g.cells().size());
    org.unetpipelines.stages.train.Train.Config c = (org.unetpipelines.stages.train.Train.Config)
        stage(p, "Train[family=wide_unet,upsampling=bilinear,seed=2]").config();
    org.unetpipelines.model.unet.UNetConfig m = (org.unetpipelines.model.unet.UNetConfig) c.model();
    assertEquals("wide_unet", m.family());
    assertEquals(org.unetpipelines.model.Upsampling.BILINEAR, m.upsampling());
    assertEquals(4, m.baseFilters()); // the file's sibling key is kept
    assertEquals(List.of("Train[family=wide_unet,upsampling=bilinear,seed=2]", "S"),
        stage(p, "Evaluate[family=wide_unet,upsampling=bilinear,seed=2]").inputs());
    assertEquals("family=unet,upsampling=transpose", g.baseline().orElseThrow());

    ValidationException e = invalid(String.format(TRAIN, "bilinearr"));
    assertEquals(2, e.errors().size(), e.getMessage()); // one per family: the messages name it
    for (PipelineError err : e.errors()) {
      assertEquals(17, err.line());
      assertTrue(err.message().startsWith("grid axis 'Train.config.model.upsampling' (2 of 8 cells): 'model' (family "),
          err.message());
      assertTrue(err.message().contains("got 'bilinearr' (did you mean 'bilinear'?)"), err.message());
    }
    e = invalid(String.format(TRAIN, "bilinear").replace("model.upsampling", "model.upsamplin")
        .replace("upsampling: transpose}", "upsamplin: transpose}"));
    assertTrue(e.errors().stream().allMatch(err -> err.line() == 17
        && err.message().contains("unknown config key 'upsamplin' (did you mean 'upsampling'?)")), e.getMessage());
  }

  /** TRAIN's pipeline with a named axis over the whole model block (line 16 onwards). */
  private static String namedModels(String... gridLines) {
    String head = TRAIN.substring(0, TRAIN.indexOf("grid:"));
    return head + String.join("\n", gridLines) + "\noptions: {seed: 5}\n";
  }

  @Test
  void aNamedAxisGivesEachCellAWholeMappingAndNamesTheCellByItsLabel() throws Exception {
    String yaml = namedModels(
        "grid:",
        "  axes:",
        "    Train.config.model:",                                   // 16
        "      unet: {family: unet, depth: 2, filters: 4}",
        "      wide: {family: wide_unet, depth: 2}",
        "      unetpp_ds: {family: unetpp, filters: [4, 8, 16, 32, 64], deep_supervision: true}",  // 19
        "    options.seed: [1, 2]",
        "  baseline: {model: unet}");
    PipelinePlan p = plan(yaml);
    GridPlan g = p.grid().orElseThrow();
    assertEquals(List.of("model=unet,seed=1", "model=unet,seed=2", "model=wide,seed=1", "model=wide,seed=2",
        "model=unetpp_ds,seed=1", "model=unetpp_ds,seed=2"), g.cells().stream().map(GridCell::name).toList());
    assertEquals("model=unet", g.baseline().orElseThrow());
    org.unetpipelines.stages.train.Train.Config c = (org.unetpipelines.stages.train.Train.Config)
        stage(p, "Train[model=unetpp_ds,seed=2]").config();
    org.unetpipelines.model.unetpp.UNetPlusPlusConfig pp = (org.unetpipelines.model.unetpp.UNetPlusPlusConfig) c.model();
    assertTrue(pp.deepSupervision());
    // the whole block is replaced, not merged: the file's filters: 4 is gone where the cell's block omits it
    org.unetpipelines.model.unet.UNetConfig wide = (org.unetpipelines.model.unet.UNetConfig)
        ((org.unetpipelines.stages.train.Train.Config) stage(p, "Train[model=wide,seed=1]").config()).model();
    assertEquals("wide_unet", wide.family());
    assertTrue(wide.baseFilters() != 4, "wide_unet's default filters, not the file's 4");
    assertTrue(PlanText.of(p).contains("axis model  Train.config.model (line 16): unet, wide, unetpp_ds"),
        PlanText.of(p));

    // a bad key inside one value names its line and the cell
    ValidationException e = invalid(yaml.replace("deep_supervision: true", "deep_supervison: true"));
    assertEquals(1, e.errors().size(), e.getMessage());
    assertEquals(19, e.errors().get(0).line(), e.getMessage());
    assertTrue(e.errors().get(0).message().contains("'deep_supervison' (did you mean 'deep_supervision'?)"),
        e.getMessage());
    // labels must name folders; include takes only the axis's labels
    e = invalid(yaml.replace("      wide:", "      \"wide unet\":"));
    assertTrue(e.getMessage().contains("the label 'wide unet' may only use the characters"), e.getMessage());
    e = invalid(yaml.replace("  baseline: {model: unet}", "  include: [{model: unetplus}]\n  baseline: {model: unet}"));
    assertTrue(e.getMessage().contains("'unetplus' is not a value of axis model"), e.getMessage());
  }

  @Test
  void planTextListsCellsSharedAndPerCellStages() throws Exception {
    String text = PlanText.of(plan(file("grid:", "  axes:", "    ElasticDeform.config.sigma: [5.0, 10.0]",
        "    options.seed: [1, 2, 3]", "  baseline: {sigma: 10.0}")));
    String expected = String.join("\n",
        "plan grid: 21 stages (3 shared + 6 cells x 3 per-cell stages)",
        "grid: 6 cells over 2 axes (product 6, excluded 0, included 0)",
        "  axis sigma  ElasticDeform.config.sigma (line 24): 5.0, 10.0",
        "  axis seed   options.seed (line 25): 1, 2, 3   [replicate: pairs runs across cells]",
        "shared stages (run once, seed 42):",
        "  Images         SyntheticImages ",
        "  MirrorPad      MirrorPad        <- Images",
        "  Raw            WriteAvro        <- Images",
        "per-cell stages (named Stage[<cell>], the cell's seed, outputs under grid/<cell>/):",
        "  ElasticDeform  ElasticDeform    <- MirrorPad",
        "  Flip           Flip             <- ElasticDeform",
        "  Shards         WriteAvro        <- Flip",
        "cells:",
        "    1  sigma=5.0,seed=1   seed 1      grid/sigma=5.0,seed=1/",
        "    2  sigma=5.0,seed=2   seed 2      grid/sigma=5.0,seed=2/",
        "    3  sigma=5.0,seed=3   seed 3      grid/sigma=5.0,seed=3/",
        "    4  sigma=10.0,seed=1  seed 1      grid/sigma=10.0,seed=1/",
        "    5  sigma=10.0,seed=2  seed 2      grid/sigma=10.0,seed=2/",
        "    6  sigma=10.0,seed=3  seed 3      grid/sigma=10.0,seed=3/",
        "statistics: 2 cells (sigma=5.0; sigma=10.0), runs paired by seed; compared against baseline sigma=10.0",
        "max_parallel: no bound (cells whose stages train together are elements of one collection)",
        "");
    assertEquals(expected, text);
  }

  @Test
  void filesWithoutGridAreUnchanged() throws Exception {
    PipelinePlan p = PipelinePlan.validate(PipelineFile.parse("plain.yaml", PIPELINE + "options: {seed: 3}\n",
        List.of()), REGISTRY);
    assertFalse(p.grid().isPresent());
    assertTrue(PlanText.of(p).startsWith("plan plain: 6 stages, seed 3\n  Images         SyntheticImages \n"
        + "  MirrorPad      MirrorPad        <- Images\n"), PlanText.of(p));
    assertEquals(List.of("Images", "MirrorPad", "ElasticDeform", "Flip", "Shards", "Raw"), names(p));
  }
}
