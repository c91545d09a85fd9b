package org.unetpipelines.stages.schema;

import static com.google.common.base.Preconditions.checkArgument;

import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * The records of {@code schemas/} ({@code Sample}, {@code ShardSet}, {@code MetricRecord},
 * {@code DeadLetter}, ...) as Beam rows: the schema is derived from the generated class's Avro schema
 * by Beam's {@link AvroUtils} (records become ROWs, {@code ["null", T]} unions nullable fields,
 * {@code bytes} BYTES, Avro enums Beam's enumeration logical type), so another SDK sees the same
 * fields as {@code schemas/*.avsc}.
 */
public final class AvroRows {
  private AvroRows() {}

  /** The Beam schema of a generated Avro record class. */
  public static Schema schema(Class<? extends SpecificRecord> cls) {
    return AvroUtils.toBeamSchema(avroSchema(cls));
  }

  /** A record as a row of {@link #schema}. */
  public static Row toRow(SpecificRecord record, Schema schema) {
    return AvroUtils.toBeamRowStrict((GenericRecord) record, schema);
  }

  /** A row of {@link #schema} (or one assignable to it) as the generated record. */
  public static <T extends SpecificRecord> T fromRow(Row row, Class<T> cls) {
    org.apache.avro.Schema avro = avroSchema(cls);
    GenericRecord generic = AvroUtils.toGenericRecord(row, avro);
    return cls.cast(SpecificData.getForClass(cls).deepCopy(avro, generic));
  }

  /** Converts records to rows with the record's schema attached. */
  public static <T extends SpecificRecord> PTransform<PCollection<T>, PCollection<Row>> toRows(Class<T> cls) {
    checkArgument(cls != null, "record class must not be null");
    return new ToRows<>(cls);
  }

  /** Converts rows back to records (with the record's AvroCoder), so the stages' own transforms apply. */
  public static <T extends SpecificRecord> PTransform<PCollection<Row>, PCollection<T>> fromRows(Class<T> cls) {
    checkArgument(cls != null, "record class must not be null");
    return new FromRows<>(cls);
  }

  static org.apache.avro.Schema avroSchema(Class<? extends SpecificRecord> cls) {
    return SpecificData.getForClass(cls).getSchema(cls);
  }

  private static final class ToRows<T extends SpecificRecord> extends PTransform<PCollection<T>, PCollection<Row>> {
    private final Class<T> cls;

    ToRows(Class<T> cls) {
      this.cls = cls;
    }

    @Override
    public PCollection<Row> expand(PCollection<T> input) {
      return input.apply("ToRow", ParDo.of(new ToRowFn<>(cls))).setRowSchema(schema(cls));
    }
  }

  private static final class FromRows<T extends SpecificRecord> extends PTransform<PCollection<Row>, PCollection<T>> {
    private final Class<T> cls;

    FromRows(Class<T> cls) {
      this.cls = cls;
    }

    @Override
    public PCollection<T> expand(PCollection<Row> input) {
      Schema expected = schema(cls);
      checkArgument(input.hasSchema() && input.getSchema().assignableTo(expected),
          "input rows must have the %s schema (schemas/%s.avsc): %s; got %s", cls.getSimpleName(),
          cls.getSimpleName(), expected, input.hasSchema() ? input.getSchema() : "no schema");
      return input.apply("FromRow", ParDo.of(new FromRowFn<>(cls))).setCoder(AvroCoder.of(cls));
    }
  }

  static final class ToRowFn<T extends SpecificRecord> extends DoFn<T, Row> {
    private final Class<T> cls;
    private transient Schema schema;

    ToRowFn(Class<T> cls) {
      this.cls = cls;
    }

    @Setup
    public void setup() {
      schema = schema(cls);
    }

    @ProcessElement
    public void process(@Element T record, OutputReceiver<Row> out) {
      out.output(toRow(record, schema));
    }
  }

  static final class FromRowFn<T extends SpecificRecord> extends DoFn<Row, T> {
    private final Class<T> cls;

    FromRowFn(Class<T> cls) {
      this.cls = cls;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<T> out) {
      out.output(fromRow(row, cls));
    }
  }
}
