package org.unetpipelines.stages.schema;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.transforms.SchemaTransform;
import org.apache.beam.sdk.schemas.transforms.SchemaTransformProvider;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionRowTuple;
import org.apache.beam.sdk.values.Row;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.OutputRoot;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.PipelinePlan;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.engine.StageRegistry;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.DeadLetter;

/**
 * A registered stage type as a Beam {@link SchemaTransformProvider}, the extension point of Beam YAML
 * and of cross-language pipelines (Python, Go) through the expansion service.
 *
 * <ul>
 *   <li>URN {@code beam:schematransform:org.unetpipelines:<snake_case_type>:v1};
 *   <li>config: the stage's own config record ({@link ConfigRows}: the fields, defaults and checks
 *       of the pipeline-file {@code config:}), followed by the fields of {@link Context} — what a
 *       pipeline file gives every stage through {@code options:} and the engine;
 *   <li>inputs: none for readers; otherwise {@code input} (rows of the stage's first input record,
 *       e.g. {@code Sample}), and for a second accepted record type a tag named after it in snake
 *       case (e.g. {@code model_artifact});
 *   <li>outputs: {@code output} (rows of the stage's output record: {@code Sample},
 *       {@code ShardSet}, {@code MetricRecord}) and {@code errors}, the stage's dead letters
 *       ({@code DeadLetter} rows: input, stage, reason).
 * </ul>
 *
 * The transform itself is the stage's {@link Stage#expand}, the same code a pipeline file runs.
 * Subclasses name only the stage type.
 */
public abstract class StageTransformProvider implements SchemaTransformProvider {
  public static final String URN_PREFIX = "beam:schematransform:org.unetpipelines:";
  public static final String URN_VERSION = ":v1";
  /** The first input's tag. */
  public static final String INPUT = "input";
  /** The main output's tag. */
  public static final String OUTPUT = "output";
  /** The dead letters' tag. */
  public static final String ERRORS = "errors";
  /** The pipeline name the stages see (Evaluate names runs of a {@code model:} folder after it). */
  public static final String PIPELINE_NAME = "beam";

  /** What a pipeline file's engine gives every stage besides its config; part of every config schema. */
  public record Context(
      @Param(doc = "pipeline seed: with sample ids, copies and the stage name it fixes all randomness, as options.seed",
          def = "0", min = Long.MIN_VALUE, max = Long.MAX_VALUE) long seed,
      @Param(doc = "the stage's name, as a pipeline file's 'name:' (in sample ids, params, dead letters and random"
          + " streams); default: the stage type", def = Param.NULL) String stage_name,
      @Param(doc = "folder under which relative output paths resolve and which no output may leave, as --out",
          def = "'.'") String output_root) {}

  private final String type;
  private transient Stage<?> stage;

  protected StageTransformProvider(String type) {
    checkArgument(type != null && !type.isBlank(), "stage type must not be empty");
    this.type = type;
  }

  /** The URN of a stage type: {@code ElasticDeform} -> {@code beam:schematransform:org.unetpipelines:elastic_deform:v1}. */
  public static String urn(String type) {
    return URN_PREFIX + snakeCase(type) + URN_VERSION;
  }

  /** {@code ElasticDeform} -> {@code elastic_deform}, {@code WriteTFRecord} -> {@code write_tf_record}. */
  public static String snakeCase(String camel) {
    return camel.replaceAll("([A-Z]+)([A-Z][a-z])", "$1_$2").replaceAll("([a-z0-9])([A-Z])", "$1_$2")
        .toLowerCase(java.util.Locale.ROOT);
  }

  /** The stage type this provider serves. */
  public final String type() {
    return type;
  }

  /** The registered stage (from {@link StageRegistry}, as the engine finds it). */
  public final synchronized Stage<?> stage() {
    if (stage == null) {
      Stage<?> s = StageRegistry.load().get(type);
      if (s == null) {
        throw new IllegalStateException("no registered stage type '" + type + "' for " + getClass().getName());
      }
      checkArgument(SpecificRecord.class.isAssignableFrom(s.outputType()),
          "stage %s emits %s, which is not a record of schemas/", type, s.outputType().getName());
      Set<String> clash = new TreeSet<>(ConfigRows.schema(s.configClass()).getFieldNames());
      clash.retainAll(ConfigRows.schema(Context.class).getFieldNames());
      if (!clash.isEmpty()) {
        throw new IllegalStateException("stage " + type + " config fields " + clash
            + " clash with the schema transform's context fields");
      }
      stage = s;
    }
    return stage;
  }

  @Override
  public String identifier() {
    return urn(type);
  }

  @Override
  public String description() {
    Stage<?> s = stage();
    return s.type() + ": " + s.description() + ". Inputs: " + (inputTags(s.inputs()).isEmpty() ? "none"
        : String.join(", ", inputTags(s.inputs()).keySet())) + "; outputs: " + OUTPUT + " ("
        + s.outputType().getSimpleName() + " rows), " + ERRORS + " (DeadLetter rows).";
  }

  @Override
  public Schema configurationSchema() {
    Schema.Builder b = Schema.builder();
    ConfigRows.schema(stage().configClass()).getFields().forEach(b::addField);
    ConfigRows.schema(Context.class).getFields().forEach(b::addField);
    return b.build();
  }

  @Override
  public List<String> inputCollectionNames() {
    return List.copyOf(inputTags(stage().inputs()).keySet());
  }

  @Override
  public List<String> outputCollectionNames() {
    return List.of(OUTPUT, ERRORS);
  }

  @Override
  public SchemaTransform from(Row configuration) {
    return bind(stage(), configuration);
  }

  private <C extends Record> StageSchemaTransform<C> bind(Stage<C> s, Row row) {
    Map<String, Object> given = ConfigRows.values(row);
    Map<String, Object> contextValues = new LinkedHashMap<>();
    for (String f : ConfigRows.schema(Context.class).getFieldNames()) {
      if (given.containsKey(f)) {
        contextValues.put(f, given.remove(f));
      }
    }
    List<String> errors = new ArrayList<>();
    Context context = ConfigRows.bind(Context.class, contextValues, errors);
    C config = ConfigRows.bind(s.configClass(), given, errors);
    if (config != null) {
      errors.addAll(s.check(config));
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(identifier() + " (stage " + type + "): " + errors.size()
          + " config error(s): " + String.join("; ", errors) + "; config fields: "
          + String.join(", ", configurationSchema().getFieldNames()));
    }
    return new StageSchemaTransform<>(s, config, context);
  }

  /** Input tags of a stage: {@code input} for its first accepted record type, snake_case names for others. */
  static Map<String, Class<?>> inputTags(InputSpec spec) {
    Map<String, Class<?>> tags = new LinkedHashMap<>();
    if (spec.max() == 0) {
      return tags;
    }
    for (int i = 0; i < spec.accepted().size(); i++) {
      Class<?> c = spec.accepted().get(i);
      tags.put(i == 0 ? INPUT : snakeCase(c.getSimpleName()), c);
    }
    return tags;
  }

  /** The stage's expand() between rows: rows to records, the stage, records to rows. */
  static final class StageSchemaTransform<C extends Record> extends SchemaTransform {
    private final transient Stage<C> stage;
    private final transient C config;
    private final transient Context context;

    StageSchemaTransform(Stage<C> stage, C config, Context context) {
      this.stage = stage;
      this.config = config;
      this.context = context;
    }

    /** The bound config record (tests). */
    C config() {
      return config;
    }

    Context context() {
      return context;
    }

    @Override
    public PCollectionRowTuple expand(PCollectionRowTuple input) {
      Pipeline p = input.getPipeline();
      String name = context.stage_name() == null ? stage.type() : context.stage_name();
      Map<String, Class<?>> tags = inputTags(stage.inputs());
      Set<String> unknown = new TreeSet<>(input.getAll().keySet());
      unknown.removeAll(tags.keySet());
      checkArgument(unknown.isEmpty(), "stage %s (%s): unknown input(s) %s; inputs: %s", name, stage.type(), unknown,
          tags.isEmpty() ? "none (a reader: apply it to an empty PCollectionRowTuple)" : tags.keySet());
      List<PCollection<?>> inputs = new ArrayList<>();
      for (Map.Entry<String, Class<?>> t : tags.entrySet()) {
        if (input.has(t.getKey())) {
          inputs.add(input.get(t.getKey()).apply("RowsTo" + t.getValue().getSimpleName(),
              AvroRows.fromRows(t.getValue().asSubclass(SpecificRecord.class))));
        }
      }
      InputSpec spec = stage.inputs();
      checkArgument(inputs.size() >= spec.min() && inputs.size() <= spec.max(),
          "stage %s (%s) takes %s (tags %s), got %s", name, stage.type(), spec.describe(), tags.keySet(),
          input.getAll().keySet());
      String configJson = new PipelinePlan.StagePlan(name, stage.type(), stage, config, List.of(), 0).configJson();
      StageContext ctx = new StageContext(p, name, stage.type(), PIPELINE_NAME, context.seed(),
          new OutputRoot(Path.of(context.output_root())), Path.of("").toAbsolutePath(), configJson);
      PCollection<?> out = stage.expand(ctx, inputs, config);
      PCollection<Row> outRows = toRows(out, stage.outputType().asSubclass(SpecificRecord.class));
      List<PCollection<DeadLetter>> letters = ctx.deadLetters();
      PCollection<DeadLetter> dead = letters.isEmpty()
          ? p.apply("NoDeadLetters", Create.empty(Coders.deadLetter()))
          : letters.size() == 1 ? letters.get(0)
          : PCollectionList.of(letters).apply("AllDeadLetters", Flatten.pCollections());
      return PCollectionRowTuple.of(OUTPUT, outRows).and(ERRORS,
          dead.apply("DeadLettersToRows", AvroRows.toRows(DeadLetter.class)));
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> PCollection<Row> toRows(PCollection<?> records, Class<T> cls) {
      return ((PCollection<T>) records).apply("ToRows", AvroRows.toRows(cls));
    }
  }
}
