package org.unetpipelines.stages.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.TypeName;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.unetpipelines.records.AugmentParam;
import org.unetpipelines.records.DType;
import org.unetpipelines.records.DeadLetter;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.ShardFormat;
import org.unetpipelines.records.ShardSet;
import org.unetpipelines.records.Tensor;

class AvroRowsTest {
  static Tensor tensor(int h, int w, DType dtype, byte... data) {
    return Tensor.newBuilder().setHeight(h).setWidth(w).setChannels(1).setDtype(dtype)
        .setData(ByteBuffer.wrap(data)).build();
  }

  static Sample fullSample() {
    return Sample.newBuilder().setId("a.png/ElasticDeform#1").setSource("/data/a.png")
        .setImage(tensor(1, 2, DType.UINT8, (byte) 3, (byte) 250))
        .setMask(tensor(1, 2, DType.UINT8, (byte) 0, (byte) 255))
        .setWeights(tensor(1, 1, DType.FLOAT32, (byte) 0, (byte) 0, (byte) 0x80, (byte) 0x3f))
        .setLabel(7).setSeed(42).setCopy(1)
        .setParams(List.of(AugmentParam.newBuilder().setStage("ElasticDeform").setName("dy[0][0]").setValue(-1.5).build()))
        .build();
  }

  @Test
  void sampleSchemaHasTheAvroFields() {
    Schema s = AvroRows.schema(Sample.class);
    assertEquals(List.of("id", "source", "image", "mask", "weights", "label", "seed", "copy", "params"),
        s.getFieldNames());
    Schema tensor = s.getField("image").getType().getRowSchema();
    assertEquals(List.of("height", "width", "channels", "dtype", "data"), tensor.getFieldNames());
    assertEquals(TypeName.BYTES, tensor.getField("data").getType().getTypeName());
    EnumerationType dtype = tensor.getField("dtype").getType().getLogicalType(EnumerationType.class);
    assertEquals(List.of("UINT8", "UINT16", "FLOAT32"), dtype.getValues());
    assertTrue(s.getField("mask").getType().getNullable());
    assertTrue(s.getField("label").getType().getNullable());
    assertEquals(TypeName.ARRAY, s.getField("params").getType().getTypeName());
  }

  @Test
  void sampleRoundTripsWithEveryField() {
    Sample in = fullSample();
    Row row = AvroRows.toRow(in, AvroRows.schema(Sample.class));
    assertEquals("a.png/ElasticDeform#1", row.getString("id"));
    assertArrayEquals(new byte[] {3, (byte) 250}, row.getRow("image").getBytes("data"));
    assertEquals(7, row.getInt32("label"));
    assertEquals(in, AvroRows.fromRow(row, Sample.class));

    Sample bare = Sample.newBuilder(in).setMask(null).setWeights(null).setLabel(null).setParams(List.of()).build();
    Row bareRow = AvroRows.toRow(bare, AvroRows.schema(Sample.class));
    assertNull(bareRow.getRow("mask"));
    assertEquals(bare, AvroRows.fromRow(bareRow, Sample.class));
  }

  @Test
  void otherRecordsRoundTrip() {
    ShardSet s = ShardSet.newBuilder().setDirectory("/out/a").setFormat(ShardFormat.TFRECORD)
        .setFiles(List.of("part-00000-of-00001.tfrecord")).setRecords(3).setManifest("/out/a/manifest.json").build();
    assertEquals(s, AvroRows.fromRow(AvroRows.toRow(s, AvroRows.schema(ShardSet.class)), ShardSet.class));
    MetricRecord m = MetricRecord.newBuilder().setRun("r").setModel("m").setVariant("v").setDataset("d")
        .setSplit("test").setImageId(null).setMetric("iou").setValue(0.5).setN(3).setStd(0.1).setCiLow(0.2)
        .setCiHigh(0.8).build();
    assertEquals(m, AvroRows.fromRow(AvroRows.toRow(m, AvroRows.schema(MetricRecord.class)), MetricRecord.class));
    DeadLetter d = DeadLetter.newBuilder().setInput("x.png").setStage("Read").setReason("not an image").build();
    assertEquals(d, AvroRows.fromRow(AvroRows.toRow(d, AvroRows.schema(DeadLetter.class)), DeadLetter.class));
  }
}
