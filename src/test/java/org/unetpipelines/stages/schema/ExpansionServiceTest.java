package org.unetpipelines.stages.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.beam.model.expansion.v1.ExpansionApi;
import org.apache.beam.model.expansion.v1.ExpansionServiceGrpc;
import org.apache.beam.model.pipeline.v1.ExternalTransforms;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.model.pipeline.v1.SchemaApi;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.expansion.service.ExpansionServer;
import org.apache.beam.sdk.expansion.service.ExpansionService;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaTranslation;
import org.apache.beam.sdk.schemas.transforms.SchemaTransformProvider;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.util.construction.BeamUrns;
import org.apache.beam.sdk.util.construction.SdkComponents;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.records.Sample;

/**
 * Starts Beam's {@link ExpansionService} in this JVM on a local port and talks to it over gRPC as
 * Beam YAML and the Python SDK do: discovery must list every stage URN with its config schema and
 * collection names, and an expansion request for {@code ElasticDeform} must come back as a
 * transform whose outputs are Sample and DeadLetter rows.
 *
 * <p>With {@code -Dunet.expansionService=HOST:PORT} the same checks run against an expansion
 * service started elsewhere, e.g. the shaded jar: {@code java -jar target/unet-pipelines-expansion-service.jar 8097}.
 */
class ExpansionServiceTest {
  /** The stage types served as schema transforms: those that map samples to samples. */
  static final List<String> TYPES = List.of("ReadImageSet", "SyntheticImages", "ReadShards", "MirrorPad",
      "ElasticDeform", "Rotate", "Flip", "Crop", "Tile", "BorderWeightMap", "WriteAvro", "WriteTFRecord", "Evaluate",
      "Predict");

  static ExpansionServer server;
  static ManagedChannel channel;
  static ExpansionServiceGrpc.ExpansionServiceBlockingStub stub;

  @BeforeAll
  static void start() throws IOException {
    String external = System.getProperty("unet.expansionService");
    String host;
    int port;
    if (external != null && !external.isBlank()) {
      host = external.substring(0, external.lastIndexOf(':'));
      port = Integer.parseInt(external.substring(external.lastIndexOf(':') + 1));
    } else {
      server = ExpansionServer.create(new ExpansionService(), "localhost", 0);
      host = server.getHost();
      port = server.getPort();
    }
    channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
    stub = ExpansionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    if (server != null) {
      server.close();
    }
  }

  static Map<String, SchemaTransformProvider> localProviders() {
    Map<String, SchemaTransformProvider> m = new TreeMap<>();
    ServiceLoader.load(SchemaTransformProvider.class).forEach(p -> m.put(p.identifier(), p));
    return m;
  }

  @Test
  void discoveryListsEveryStageUrnWithItsConfigSchema() {
    ExpansionApi.DiscoverSchemaTransformResponse r =
        stub.discoverSchemaTransform(ExpansionApi.DiscoverSchemaTransformRequest.getDefaultInstance());
    assertEquals("", r.getError());
    Set<String> ours = r.getSchemaTransformConfigsMap().keySet().stream()
        .filter(u -> u.startsWith(StageTransformProvider.URN_PREFIX)).collect(Collectors.toCollection(TreeSet::new));
    Set<String> expected = TYPES.stream().map(StageTransformProvider::urn).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(expected, ours);
    assertTrue(ours.contains("beam:schematransform:org.unetpipelines:elastic_deform:v1"));
    assertTrue(ours.contains("beam:schematransform:org.unetpipelines:write_tf_record:v1"));

    StageRegistry registry = StageRegistry.load();
    Map<String, SchemaTransformProvider> local = localProviders();
    for (String type : TYPES) {
      String urn = StageTransformProvider.urn(type);
      ExpansionApi.SchemaTransformConfig c = r.getSchemaTransformConfigsOrThrow(urn);
      Schema served = SchemaTranslation.schemaFromProto(c.getConfigSchema());
      // The served schema is the stage's config keys (inline records' keys in place), then the context fields.
      Stage<?> stage = registry.get(type);
      List<String> names = new ArrayList<>(org.unetpipelines.engine.ConfigBinder.keys(stage.configClass()));
      names.addAll(List.of("seed", "stage_name", "output_root"));
      assertEquals(names, served.getFieldNames(), urn);
      assertTrue(served.equivalent(local.get(urn).configurationSchema()), urn);
      for (Schema.Field f : served.getFields()) {
        assertTrue(!f.getDescription().isBlank(), urn + " " + f.getName() + " has no description");
      }
      assertEquals(stage.inputs().max() == 0 ? List.of() : List.of("input"),
          c.getInputPcollectionNamesList().subList(0, Math.min(1, c.getInputPcollectionNamesCount())), urn);
      assertEquals(List.of("output", "errors"), c.getOutputPcollectionNamesList(), urn);
      assertTrue(c.getDescription().startsWith(type + ": " + stage.description()), c.getDescription());
    }
    ExpansionApi.SchemaTransformConfig eval = r.getSchemaTransformConfigsOrThrow(StageTransformProvider.urn("Evaluate"));
    assertEquals(List.of("input", "model_artifact"), eval.getInputPcollectionNamesList());
    Schema deform = SchemaTranslation.schemaFromProto(
        r.getSchemaTransformConfigsOrThrow(StageTransformProvider.urn("ElasticDeform")).getConfigSchema());
    assertEquals("number: standard deviation of each displacement component, pixels [0..65536] (default: 10.0)",
        deform.getField("sigma").getDescription());
    assertEquals(Schema.FieldType.DOUBLE.withNullable(true), deform.getField("sigma").getType());
  }

  /** An expansion request as a Python or YAML pipeline sends it: components, the input's id, the payload. */
  static ExpansionApi.ExpansionResponse expandElasticDeform(Map<String, Object> values) throws IOException {
    Pipeline p = Pipeline.create();
    Schema sampleSchema = AvroRows.schema(Sample.class);
    Sample s = SchemaTransformsTest.sample("a", 16, 16, true, 1);
    PCollection<Row> in = p.apply(Create.of(AvroRows.toRow(s, sampleSchema)).withRowSchema(sampleSchema));
    SdkComponents components = SdkComponents.create(p.getOptions());
    String inputId = components.registerPCollection(in);

    Schema configSchema = localProviders().get(StageTransformProvider.urn("ElasticDeform")).configurationSchema();
    Row.Builder b = Row.withSchema(configSchema);
    for (Schema.Field f : configSchema.getFields()) {
      b.addValue(values.get(f.getName()));
    }
    ByteArrayOutputStream row = new ByteArrayOutputStream();
    RowCoder.of(configSchema).encode(b.build(), row);
    ExternalTransforms.SchemaTransformPayload payload = ExternalTransforms.SchemaTransformPayload.newBuilder()
        .setIdentifier(StageTransformProvider.urn("ElasticDeform"))
        .setConfigurationSchema(SchemaTranslation.schemaToProto(configSchema, true))
        .setConfigurationRow(ByteString.copyFrom(row.toByteArray()))
        .build();
    RunnerApi.PTransform transform = RunnerApi.PTransform.newBuilder()
        .setUniqueName("ElasticDeform")
        .setSpec(RunnerApi.FunctionSpec.newBuilder()
            .setUrn(BeamUrns.getUrn(ExternalTransforms.ExpansionMethods.Enum.SCHEMA_TRANSFORM))
            .setPayload(payload.toByteString()))
        .putInputs("input", inputId)
        .build();
    return stub.expand(ExpansionApi.ExpansionRequest.newBuilder()
        .setComponents(components.toComponents()).setTransform(transform).setNamespace("test").build());
  }

  @Test
  void expandingElasticDeformGivesSampleAndDeadLetterRows() throws Exception {
    ExpansionApi.ExpansionResponse r = expandElasticDeform(Map.of("sigma", 5.0, "copies", 2, "seed", 42L));
    assertEquals("", r.getError());
    Map<String, String> outputs = r.getTransform().getOutputsMap();
    assertEquals(Set.of("output", "errors"), outputs.keySet());
    RunnerApi.Components c = r.getComponents();
    Schema out = rowSchema(c, outputs.get("output"));
    assertTrue(out.equivalent(AvroRows.schema(Sample.class)), out.toString());
    Schema errors = rowSchema(c, outputs.get("errors"));
    assertEquals(List.of("input", "stage", "reason"), errors.getFieldNames());
    assertTrue(r.getTransform().getSubtransformsCount() > 0, "the stage's own transforms are expanded");
  }

  @Test
  void aRejectedConfigComesBackAsTheExpansionError() throws Exception {
    ExpansionApi.ExpansionResponse r = expandElasticDeform(Map.of("grid", 1, "order", "spline"));
    assertTrue(r.getError().contains("'order' must be one of nearest | linear | cubic, got 'spline'"), r.getError());
  }

  static Schema rowSchema(RunnerApi.Components c, String pcollectionId) throws IOException {
    RunnerApi.Coder coder = c.getCodersOrThrow(c.getPcollectionsOrThrow(pcollectionId).getCoderId());
    assertEquals("beam:coder:row:v1", coder.getSpec().getUrn());
    return SchemaTranslation.schemaFromProto(SchemaApi.Schema.parseFrom(coder.getSpec().getPayload()));
  }
}
