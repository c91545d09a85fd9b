package org.unetpipelines.stages.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.transforms.SchemaTransformProvider;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionRowTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.augment.Boundary;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.eval.ModelSpec;
import org.unetpipelines.eval.TinySavedModel;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.Synthetic;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.io.ShardReader;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DType;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardFormat;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.stages.SampleResult;
import org.unetpipelines.stages.augment.BorderWeightMap;
import org.unetpipelines.stages.augment.Crop;
import org.unetpipelines.stages.augment.ElasticDeform;
import org.unetpipelines.stages.augment.Flip;
import org.unetpipelines.stages.augment.MirrorPad;
import org.unetpipelines.stages.augment.Rotate;
import org.unetpipelines.stages.augment.Tile;
import org.unetpipelines.stages.eval.Evaluate;
import org.unetpipelines.stages.eval.Predict;

/**
 * Drives every provider as Beam YAML and the expansion service do: found through ServiceLoader by
 * URN, configured from a {@link Row} of its discovered config schema (fields not given are null),
 * applied to a {@link PCollectionRowTuple} in a {@link TestPipeline}, outputs checked with
 * {@link PAssert}: against independently known values, and against the stage's own Java PTransform
 * built by hand with the same settings (so every config field reaches the stage).
 */
class SchemaTransformsTest {
  static final long SEED = 7;
  static Map<String, SchemaTransformProvider> providers;

  @TempDir Path tmp;

  @BeforeAll
  static void discover() {
    providers = new TreeMap<>();
    for (SchemaTransformProvider p : ServiceLoader.load(SchemaTransformProvider.class)) {
      providers.put(p.identifier(), p);
    }
  }

  static SchemaTransformProvider provider(String snake) {
    SchemaTransformProvider p = providers.get("beam:schematransform:org.unetpipelines:" + snake + ":v1");
    assertTrue(p != null, snake + " not registered; have " + providers.keySet());
    return p;
  }

  /** A config row as a YAML or Python caller builds it: the discovered schema, given fields set, others null. */
  static Row config(String snake, Object... keyValues) {
    Schema s = provider(snake).configurationSchema();
    Map<String, Object> given = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      given.put((String) keyValues[i], keyValues[i + 1]);
    }
    Row.Builder b = Row.withSchema(s);
    for (Schema.Field f : s.getFields()) {
      b.addValue(given.remove(f.getName()));
    }
    assertTrue(given.isEmpty(), "not config fields of " + snake + ": " + given.keySet());
    return b.build();
  }

  static PCollectionRowTuple apply(PCollectionRowTuple in, String snake, Row config) {
    return in.apply(snake, provider(snake).from(config));
  }

  static TestPipeline pipeline() {
    return TestPipeline.create().enableAbandonedNodeEnforcement(false);
  }

  static Sample sample(String id, int h, int w, boolean mask, long seed) {
    Synthetic.Pair p = Synthetic.membranes(seed, 0, h, w, 5, 4);
    Sample.Builder b = Sample.newBuilder().setId(id).setSource("test").setImage(Tensors.toTensor(p.image()))
        .setParams(new ArrayList<>());
    return (mask ? b.setMask(Tensors.toTensor(p.mask())) : b).build();
  }

  static PCollection<Row> rows(TestPipeline p, String name, List<Sample> samples) {
    Schema s = AvroRows.schema(Sample.class);
    return p.apply(name, Create.of(samples.stream().map(x -> AvroRows.toRow(x, s)).collect(Collectors.toList()))
        .withRowSchema(s));
  }

  static PCollection<Sample> records(TestPipeline p, String name, List<Sample> samples) {
    return p.apply(name, Create.of(samples).withCoder(Coders.sample()));
  }

  static <T extends SpecificRecord> PCollection<T> decode(PCollection<Row> rows, String name, Class<T> cls) {
    return rows.apply(name, AvroRows.fromRows(cls));
  }

  /**
   * Asserts two collections hold the same records by key (each key once): the schema transform's
   * rows and the stage's own transform's records.
   */
  static <T extends SpecificRecord> void assertSame(String what, PCollection<Row> actualRows, Class<T> cls,
      PCollection<T> expected, SerializableFunction<T, String> key) {
    PCollection<T> actual = decode(actualRows, what + "/Decode", cls);
    TupleTag<T> a = new TupleTag<>();
    TupleTag<T> e = new TupleTag<>();
    PCollection<String> problems = KeyedPCollectionTuple
        .of(a, actual.apply(what + "/KeyA", WithKeys.of(key).withKeyType(TypeDescriptors.strings())))
        .and(e, expected.apply(what + "/KeyE", WithKeys.of(key).withKeyType(TypeDescriptors.strings())))
        .apply(what + "/Join", CoGroupByKey.create())
        .apply(what + "/Compare", ParDo.of(new CompareFn<>(a, e)));
    PAssert.that(what, problems).empty();
  }

  static final class CompareFn<T> extends DoFn<KV<String, CoGbkResult>, String> {
    private final TupleTag<T> a;
    private final TupleTag<T> e;

    CompareFn(TupleTag<T> a, TupleTag<T> e) {
      this.a = a;
      this.e = e;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> kv, OutputReceiver<String> out) {
      List<T> as = new ArrayList<>();
      List<T> es = new ArrayList<>();
      kv.getValue().getAll(a).forEach(as::add);
      kv.getValue().getAll(e).forEach(es::add);
      if (as.size() != 1 || es.size() != 1) {
        out.output(kv.getKey() + ": " + as.size() + " from the schema transform, " + es.size() + " from the stage");
      } else if (!as.get(0).equals(es.get(0))) {
        out.output(kv.getKey() + ": differs");
      }
    }
  }

  /** The samples of a stage's own Java transform. */
  static PCollection<Sample> java(PCollection<Sample> in, String name,
      PTransform<PCollection<Sample>, SampleResult> t) {
    return in.apply(name, t).samples();
  }

  static SerializableFunction<Sample, String> byId() {
    return Sample::getId;
  }

  static SerializableFunction<Row, Integer> imageHeight() {
    return r -> r.getRow("image").getInt32("height");
  }

  static PCollection<String> ids(PCollection<Row> rows, String name) {
    return rows.apply(name, org.apache.beam.sdk.transforms.MapElements.into(TypeDescriptors.strings())
        .via((Row r) -> r.getString("id")));
  }

  static PCollection<String> deadInputs(PCollectionRowTuple out, String name) {
    return out.get(StageTransformProvider.ERRORS).apply(name,
        org.apache.beam.sdk.transforms.MapElements.into(TypeDescriptors.strings())
            .via((Row r) -> r.getString("input") + " | " + r.getString("stage")));
  }

  @Test
  void readersTakeAnEmptyTupleAndEmitSampleRows() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("images"));
    ImageArray a = ImageArray.wrap(2, 3, 1, ImageArray.Depth.U8, new float[] {0, 10, 20, 30, 40, 250});
    Files.write(dir.resolve("a.png"), ImageCodec.encodePng(a));
    Files.writeString(dir.resolve("b.png"), "not a png");

    TestPipeline p = pipeline();
    PCollectionRowTuple none = PCollectionRowTuple.empty(p);
    PCollectionRowTuple synth = apply(none, "synthetic_images",
        config("synthetic_images", "count", 2, "height", 16, "width", 12, "cells", 4, "seed", SEED));
    List<Sample> expected = new ArrayList<>();
    for (long i = 0; i < 2; i++) {
      Synthetic.Pair pair = Synthetic.membranes(SEED, i, 16, 12, 4, 8);
      expected.add(Sample.newBuilder().setId(String.format("membranes-%05d", i)).setSource("synthetic:membranes")
          .setSeed(SEED).setCopy(0).setImage(Tensors.toTensor(pair.image())).setMask(Tensors.toTensor(pair.mask()))
          .setParams(new ArrayList<>()).build());
    }
    PAssert.that("synthetic", decode(synth.get(StageTransformProvider.OUTPUT), "DecodeSynth", Sample.class))
        .containsInAnyOrder(expected);
    PAssert.that("synthetic errors", synth.get(StageTransformProvider.ERRORS)).empty();

    PCollectionRowTuple read = apply(none, "read_image_set",
        config("read_image_set", "images", dir.resolve("*.png").toString(), "stage_name", "Raw"));
    PAssert.that("read", decode(read.get(StageTransformProvider.OUTPUT), "DecodeRead", Sample.class))
        .satisfies(got -> {
          Sample s = got.iterator().next();
          assertEquals("a.png", s.getId());
          assertEquals(DType.UINT8, s.getImage().getDtype());
          assertEquals(List.of(0f, 10f, 20f, 30f, 40f, 250f), floats(Tensors.toImage(s.getImage()).data()));
          return null;
        });
    PAssert.that("read errors", deadInputs(read, "ReadErrors")).satisfies(got -> {
      List<String> l = new ArrayList<>();
      got.forEach(l::add);
      assertEquals(1, l.size(), l.toString());
      assertTrue(l.get(0).endsWith("b.png | Raw"), l.get(0));
      return null;
    });
    p.run().waitUntilFinish();
  }

  static List<Float> floats(float[] v) {
    List<Float> l = new ArrayList<>();
    for (float f : v) {
      l.add(f);
    }
    return l;
  }

  @Test
  void augmentationStagesMatchTheirJavaTransforms() {
    List<Sample> in = List.of(sample("a", 20, 18, true, 1), sample("b", 17, 21, true, 2));
    TestPipeline p = pipeline();
    PCollectionRowTuple input = PCollectionRowTuple.of(StageTransformProvider.INPUT, rows(p, "Rows", in));
    PCollection<Sample> records = records(p, "Records", in);

    PCollectionRowTuple pad = apply(input, "mirror_pad",
        config("mirror_pad", "pad", 3, "left", 1, "mode", "symmetric", "seed", SEED));
    assertSame("MirrorPad", pad.get("output"), Sample.class, java(records, "JavaPad",
        MirrorPad.of(3, 3, 1, 3).withBoundary(Boundary.SYMMETRIC).withSeed(SEED).withStageName("MirrorPad")), byId());
    PAssert.that("padded heights", pad.get("output").apply("Heights",
        org.apache.beam.sdk.transforms.MapElements.into(TypeDescriptors.integers()).via(imageHeight())))
        .containsInAnyOrder(26, 23);

    PCollectionRowTuple deform = apply(input, "elastic_deform",
        config("elastic_deform", "grid", 4, "sigma", 3.0, "order", "linear", "copies", 2, "seed", SEED,
            "stage_name", "Deform"));
    assertSame("ElasticDeform", deform.get("output"), Sample.class, java(records, "JavaDeform",
        ElasticDeform.create().withGrid(4).withSigma(3).withOrder(Interpolation.LINEAR).withCopies(2)
            .withSeed(SEED).withStageName("Deform")), byId());
    PAssert.that("deformed ids", ids(deform.get("output"), "DeformIds"))
        .containsInAnyOrder("a/Deform#0", "a/Deform#1", "b/Deform#0", "b/Deform#1");

    PCollectionRowTuple rotate = apply(input, "rotate", config("rotate", "mode", "right", "copies", 3, "seed", SEED));
    assertSame("Rotate", rotate.get("output"), Sample.class, java(records, "JavaRotate",
        Rotate.rightAngles().withCopies(3).withSeed(SEED).withStageName("Rotate")), byId());

    PCollectionRowTuple flip = apply(input, "flip", config("flip", "horizontal", 1.0, "vertical", 0.0));
    assertSame("Flip", flip.get("output"), Sample.class, java(records, "JavaFlip",
        Flip.random(1.0, 0.0).withSeed(0).withStageName("Flip")), byId());
    PAssert.that("flipped", decode(flip.get("output"), "DecodeFlip", Sample.class)).satisfies(got -> {
      for (Sample s : got) {
        Sample orig = in.stream().filter(x -> s.getId().startsWith(x.getId())).findFirst().orElseThrow();
        ImageArray o = Tensors.toImage(orig.getImage());
        ImageArray f = Tensors.toImage(s.getImage());
        for (int y = 0; y < o.height(); y++) {
          for (int x = 0; x < o.width(); x++) {
            assertEquals(o.data()[y * o.width() + x], f.data()[y * o.width() + (o.width() - 1 - x)], s.getId());
          }
        }
      }
      return null;
    });

    PCollectionRowTuple crop = apply(input, "crop", config("crop", "height", 19, "width", 10));
    assertSame("Crop", crop.get("output"), Sample.class, java(records, "JavaCrop",
        Crop.center(19, 10).withSeed(0).withStageName("Crop")), byId());
    PAssert.that("crop too small", deadInputs(crop, "CropErrors")).containsInAnyOrder("b | Crop");

    PCollectionRowTuple tile = apply(input, "tile", config("tile", "height", 10, "width", 9, "stride_y", 5));
    assertSame("Tile", tile.get("output"), Sample.class, java(records, "JavaTile",
        Tile.of(10, 9).withStride(5, 9).withSeed(0).withStageName("Tile")), byId());
    // a (20x18): rows 0,5,10 x cols 0,9; b (17x21): rows 0,5,7 x cols 0,9,12 (last tiles flush with the border)
    PAssert.that("tiles", tile.get("output").apply("CountTiles", Count.globally())).containsInAnyOrder(6L + 9L);

    PCollectionRowTuple weights = apply(input, "border_weight_map",
        config("border_weight_map", "w0", 5.0, "sigma", 3.0, "class_balance", false));
    assertSame("BorderWeightMap", weights.get("output"), Sample.class, java(records, "JavaWeights",
        BorderWeightMap.create().withW0(5).withSigma(3).withClassBalance(false).withSeed(0)
            .withStageName("BorderWeightMap")), byId());
    PAssert.that("weights", decode(weights.get("output"), "DecodeWeights", Sample.class)).satisfies(got -> {
      for (Sample s : got) {
        ImageArray w = Tensors.toImage(s.getWeights());
        assertEquals(DType.FLOAT32, s.getWeights().getDtype());
        double min = Double.MAX_VALUE;
        for (float v : w.data()) {
          min = Math.min(min, v);
          assertTrue(v >= 1.0 && v <= 1.0 + 5.0 + 1e-6, "w_c = 1 and 0 <= border term <= w0: " + v);
        }
        assertTrue(min >= 1.0);
      }
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void writersEmitShardSetRowsThatReadShardsReadsBack() throws IOException {
    List<Sample> in = List.of(sample("a", 8, 8, true, 1), sample("b", 9, 8, false, 2), sample("c", 8, 9, true, 3));
    TestPipeline p = pipeline();
    PCollectionRowTuple input = PCollectionRowTuple.of("input", rows(p, "Rows", in));
    String root = tmp.toString();
    String avroDir = tmp.resolve("shards/avro").toString();
    PCollectionRowTuple avro = apply(input, "write_avro",
        config("write_avro", "path", "shards/avro", "shards", 2, "output_root", root, "seed", SEED));
    PCollectionRowTuple tfr = apply(input, "write_tf_record",
        config("write_tf_record", "path", "shards/tfr", "output_root", root));
    PAssert.that("avro shard set", decode(avro.get("output"), "DecodeAvroSet", ShardSet.class)).satisfies(got -> {
      ShardSet s = got.iterator().next();
      assertEquals(ShardFormat.AVRO, s.getFormat());
      assertEquals(3, s.getRecords());
      assertEquals(List.of("part-00000-of-00002.avro", "part-00001-of-00002.avro"), s.getFiles());
      assertEquals(avroDir, s.getDirectory());
      return null;
    });
    PAssert.that("tfrecord shard set", decode(tfr.get("output"), "DecodeTfrSet", ShardSet.class)).satisfies(got -> {
      ShardSet s = got.iterator().next();
      assertEquals(ShardFormat.TFRECORD, s.getFormat());
      assertEquals(List.of("part-00000-of-00001.tfrecord"), s.getFiles());
      assertEquals(3, s.getRecords());
      return null;
    });
    // ReadShards from the writer's ShardSet rows: the same samples come back.
    PCollectionRowTuple back = apply(PCollectionRowTuple.of("input", avro.get("output")), "read_shards",
        config("read_shards"));
    PAssert.that("read back", decode(back.get("output"), "DecodeBack", Sample.class)).containsInAnyOrder(in);
    p.run().waitUntilFinish();

    List<Sample> fromDisk = new ArrayList<>();
    ShardReader.read(tmp.resolve("shards/tfr")).forEach(fromDisk::add);
    assertEquals(in.stream().map(Sample::getId).sorted().toList(), fromDisk.stream().map(Sample::getId).toList());

    // ReadShards as a reader: an empty tuple and a path under the output root.
    TestPipeline q = pipeline();
    PCollectionRowTuple again = apply(PCollectionRowTuple.empty(q), "read_shards",
        config("read_shards", "path", "shards/tfr", "output_root", root));
    PAssert.that(decode(again.get("output"), "Decode", Sample.class)).satisfies(got -> {
      List<String> ids = new ArrayList<>();
      got.forEach(s -> ids.add(s.getId()));
      assertEquals(List.of("a", "b", "c"), ids.stream().sorted().toList());
      return null;
    });
    q.run().waitUntilFinish();
  }

  @Test
  void evaluateAndPredictRunASavedModelFolder() throws IOException {
    ModelSpec spec = TinySavedModel.export(tmp.resolve("model"));
    List<Sample> labelled = List.of(sample("a", 14, 13, true, 1), sample("b", 12, 12, true, 2));
    Sample unlabelled = sample("u", 12, 12, false, 3);
    List<Sample> all = new ArrayList<>(labelled);
    all.add(unlabelled);
    TestPipeline p = pipeline();
    PCollectionRowTuple input = PCollectionRowTuple.of("input", rows(p, "Rows", all));
    String root = tmp.resolve("out").toString();

    PCollectionRowTuple eval = apply(input, "evaluate", config("evaluate", "model", spec.savedModelDir(),
        "dataset", "toy", "path", "eval", "overlays", false, "output_root", root));
    PCollection<MetricRecord> expected = records(p, "Labelled", labelled).apply("JavaEvaluate",
        Evaluate.model(spec, StageTransformProvider.PIPELINE_NAME + "/Evaluate").withDataset("toy")
            .withSplit("test").withOverlays(false).withStageName("Evaluate")).metrics();
    assertSame("Evaluate", eval.get("output"), MetricRecord.class, expected,
        m -> m.getImageId() + "/" + m.getMetric());
    PAssert.that("evaluate", decode(eval.get("output"), "DecodeMetrics", MetricRecord.class)).satisfies(got -> {
      Map<String, Long> perMetric = new TreeMap<>();
      for (MetricRecord m : got) {
        if (m.getImageId() == null && m.getMetric().equals("pixel_error")) {
          assertEquals(2, m.getN());
        }
        perMetric.merge(m.getMetric(), 1L, Long::sum);
      }
      assertEquals(3L, perMetric.get("pixel_error"), "two images and the aggregate: " + perMetric);
      assertEquals(3L, perMetric.get("iou"), perMetric.toString());
      return null;
    });
    PAssert.that("unlabelled", eval.get("errors")).satisfies(got -> {
      Row r = got.iterator().next();
      assertEquals("u", r.getString("input"));
      assertTrue(r.getString("reason").contains("neither a mask nor a class label"), r.getString("reason"));
      return null;
    });

    PCollectionRowTuple predict = apply(input, "predict",
        config("predict", "model", spec.savedModelDir(), "threshold", 0.3, "output_root", root));
    PAssert.that("predict", decode(predict.get("output"), "DecodePredictions", Sample.class)).satisfies(got -> {
      int n = 0;
      for (Sample s : got) {
        n++;
        Sample orig = all.stream().filter(x -> x.getId().equals(s.getId())).findFirst().orElseThrow();
        ImageArray prob = Tensors.toImage(s.getImage());
        ImageArray label = Tensors.toImage(s.getMask());
        assertEquals(DType.FLOAT32, s.getImage().getDtype());
        assertEquals(orig.getImage().getHeight(), s.getImage().getHeight());
        for (int i = 0; i < prob.data().length; i++) {
          assertEquals(prob.data()[i] > 0.3 ? 255f : 0f, label.data()[i], s.getId() + " pixel " + i);
        }
      }
      assertEquals(3, n);
      return null;
    });
    PAssert.that("predict errors", predict.get("errors")).empty();
    p.run().waitUntilFinish();
    assertTrue(Files.isRegularFile(Path.of(root, "eval", "metrics.csv")));
    for (String id : List.of("a", "b", "u")) {
      assertTrue(Files.isRegularFile(Path.of(root, "predictions", id + "_prob.png")), id);
      assertTrue(Files.isRegularFile(Path.of(root, "predictions", id + "_label.png")), id);
    }
  }

  @Test
  void badConfigsAndInputsAreRefusedBeforeAnythingRuns() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> provider("elastic_deform").from(config("elastic_deform", "crop_height", 10, "order", "spline")));
    assertTrue(e.getMessage().startsWith("beam:schematransform:org.unetpipelines:elastic_deform:v1 (stage ElasticDeform)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("'order' must be one of nearest | linear | cubic, got 'spline'"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> provider("elastic_deform").from(config("elastic_deform", "crop_height", 10)));
    assertTrue(e.getMessage().contains("crop_height and crop_width go together"), e.getMessage());

    // A caller whose row lacks a required field (a non-nullable field cannot be null in a row).
    Row partial = Row.withSchema(Schema.builder().addInt32Field("shards").build()).addValue(2).build();
    e = assertThrows(IllegalArgumentException.class, () -> provider("write_avro").from(partial));
    assertTrue(e.getMessage().contains("missing required config key 'path'"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> provider("tile").from(config("tile", "height", 4, "width", 4, "stride_y", 9)));
    assertTrue(e.getMessage().contains("stride"), e.getMessage());

    Row fractionalSeed = Row.withSchema(Schema.builder().addDoubleField("seed").build()).addValue(1.5).build();
    e = assertThrows(IllegalArgumentException.class, () -> provider("synthetic_images").from(fractionalSeed));
    assertTrue(e.getMessage().contains("'seed' must be integer, got '1.5'"), e.getMessage());

    TestPipeline p = pipeline();
    PCollection<Row> samples = rows(p, "Rows", List.of(sample("a", 8, 8, true, 1)));
    PTransform<PCollectionRowTuple, PCollectionRowTuple> flip = provider("flip").from(config("flip"));
    e = assertThrows(IllegalArgumentException.class,
        () -> PCollectionRowTuple.of("samples", samples).apply("WrongTag", flip));
    assertTrue(e.getMessage().contains("unknown input(s) [samples]; inputs: [input]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> PCollectionRowTuple.empty(p).apply("NoInput", provider("flip").from(config("flip"))));
    assertTrue(e.getMessage().contains("takes 1 input(s) of Sample"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> PCollectionRowTuple.of("input", samples).apply("ReaderWithInput",
            provider("synthetic_images").from(config("synthetic_images"))));
    assertTrue(e.getMessage().contains("inputs: none"), e.getMessage());
    PCollection<Row> notSamples = p.apply("Other", Create.of(Row.withSchema(AvroRows.schema(DeadLetter.class))
        .addValues("x", "y", "z").build()).withRowSchema(AvroRows.schema(DeadLetter.class)));
    e = assertThrows(IllegalArgumentException.class,
        () -> PCollectionRowTuple.of("input", notSamples).apply("WrongRows", provider("flip").from(config("flip"))));
    assertTrue(e.getMessage().contains("input rows must have the Sample schema"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> PCollectionRowTuple.of("input", samples).apply("Outside", provider("write_avro")
            .from(config("write_avro", "path", "../elsewhere", "output_root", tmp.toString()))));
    assertTrue(e.getMessage().contains("outside the output root"), e.getMessage());
  }
}
