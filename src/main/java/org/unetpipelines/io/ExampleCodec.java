package org.unetpipelines.io;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.AugmentParam;
import org.unetpipelines.records.DType;
import org.unetpipelines.records.Sample;
import org.unetpipelines.records.Tensor;

/**
 * Maps a {@link Sample} to a {@code tf.train.Example} and back. Feature keys (readable from Python
 * tf.data with {@code tf.io.parse_single_example}):
 *
 * <table>
 *   <tr><th>key</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>sample/id, sample/source</td><td>bytes</td><td>stable id; where it came from</td></tr>
 *   <tr><td>sample/seed, sample/copy</td><td>int64</td><td>pipeline seed; fan-out copy index</td></tr>
 *   <tr><td>image/encoded</td><td>bytes</td><td>PNG (8- or 16-bit) for integer images; raw float32 LE for FLOAT32</td></tr>
 *   <tr><td>image/format</td><td>bytes</td><td>"png" or "raw_float32"</td></tr>
 *   <tr><td>image/height, image/width, image/channels</td><td>int64</td><td>shape</td></tr>
 *   <tr><td>image/bit_depth</td><td>int64</td><td>8, 16 or 32</td></tr>
 *   <tr><td>mask/encoded, mask/format, mask/bit_depth</td><td>bytes/int64</td><td>label mask, PNG (optional)</td></tr>
 *   <tr><td>weights/raw</td><td>bytes</td><td>float32 LE border weight map, height x width (optional)</td></tr>
 *   <tr><td>label</td><td>int64</td><td>class label (optional)</td></tr>
 *   <tr><td>augment/stage, augment/name</td><td>bytes list</td><td>applied augmentation parameters, in order</td></tr>
 *   <tr><td>augment/value</td><td>float list</td><td>their values</td></tr>
 * </table>
 *
 * <p>Integer tensors round-trip exactly through PNG; float32 tensors through raw bytes.
 */
public final class ExampleCodec {
  private ExampleCodec() {}

  public static byte[] encode(Sample s) {
    Features.Builder f = Features.newBuilder();
    put(f, "sample/id", bytes(s.getId()));
    put(f, "sample/source", bytes(s.getSource()));
    put(f, "sample/seed", int64(s.getSeed()));
    put(f, "sample/copy", int64(s.getCopy()));
    putTensor(f, "image", s.getImage());
    if (s.getMask() != null) {
      putTensor(f, "mask", s.getMask());
    }
    if (s.getWeights() != null) {
      put(f, "weights/raw", Feature.newBuilder().setBytesList(
          BytesList.newBuilder().addValue(ByteString.copyFrom(s.getWeights().getData().duplicate()))).build());
      put(f, "weights/height", int64(s.getWeights().getHeight()));
      put(f, "weights/width", int64(s.getWeights().getWidth()));
    }
    if (s.getLabel() != null) {
      put(f, "label", int64(s.getLabel()));
    }
    if (!s.getParams().isEmpty()) {
      BytesList.Builder stages = BytesList.newBuilder();
      BytesList.Builder names = BytesList.newBuilder();
      FloatList.Builder values = FloatList.newBuilder();
      for (AugmentParam p : s.getParams()) {
        stages.addValue(ByteString.copyFromUtf8(p.getStage()));
        names.addValue(ByteString.copyFromUtf8(p.getName()));
        values.addValue((float) p.getValue());
      }
      put(f, "augment/stage", Feature.newBuilder().setBytesList(stages).build());
      put(f, "augment/name", Feature.newBuilder().setBytesList(names).build());
      put(f, "augment/value", Feature.newBuilder().setFloatList(values).build());
      // Exact doubles too, so a round trip is lossless.
      BytesList.Builder exact = BytesList.newBuilder();
      ByteBuffer bb = ByteBuffer.allocate(8 * s.getParams().size());
      s.getParams().forEach(p -> bb.putDouble(p.getValue()));
      exact.addValue(ByteString.copyFrom(bb.array()));
      put(f, "augment/value_f64", Feature.newBuilder().setBytesList(exact).build());
    }
    Example ex = Example.newBuilder().setFeatures(f).build();
    // Deterministic serialization sorts map keys, so equal samples give equal bytes on every JVM.
    byte[] out = new byte[ex.getSerializedSize()];
    com.google.protobuf.CodedOutputStream cos = com.google.protobuf.CodedOutputStream.newInstance(out);
    cos.useDeterministicSerialization();
    try {
      ex.writeTo(cos);
      cos.checkNoSpaceLeft();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  public static Sample decode(byte[] bytes) throws InvalidProtocolBufferException {
    Map<String, Feature> f = Example.parseFrom(bytes).getFeatures().getFeatureMap();
    Sample.Builder b = Sample.newBuilder()
        .setId(str(f, "sample/id"))
        .setSource(str(f, "sample/source"))
        .setSeed(i64(f, "sample/seed"))
        .setCopy((int) i64(f, "sample/copy"))
        .setImage(tensor(f, "image"));
    if (f.containsKey("mask/encoded")) {
      b.setMask(tensor(f, "mask"));
    }
    if (f.containsKey("weights/raw")) {
      b.setWeights(Tensor.newBuilder()
          .setHeight((int) i64(f, "weights/height"))
          .setWidth((int) i64(f, "weights/width"))
          .setChannels(1)
          .setDtype(DType.FLOAT32)
          .setData(ByteBuffer.wrap(f.get("weights/raw").getBytesList().getValue(0).toByteArray()))
          .build());
    }
    if (f.containsKey("label")) {
      b.setLabel((int) i64(f, "label"));
    }
    List<AugmentParam> params = new ArrayList<>();
    if (f.containsKey("augment/stage")) {
      BytesList stages = f.get("augment/stage").getBytesList();
      BytesList names = f.get("augment/name").getBytesList();
      ByteBuffer exact = ByteBuffer.wrap(f.get("augment/value_f64").getBytesList().getValue(0).toByteArray());
      for (int i = 0; i < stages.getValueCount(); i++) {
        params.add(AugmentParam.newBuilder()
            .setStage(stages.getValue(i).toStringUtf8())
            .setName(names.getValue(i).toStringUtf8())
            .setValue(exact.getDouble())
            .build());
      }
    }
    b.setParams(params);
    return b.build();
  }

  private static void putTensor(Features.Builder f, String prefix, Tensor t) {
    boolean png = t.getDtype() != DType.FLOAT32;
    byte[] data;
    if (png) {
      data = ImageCodec.encodePng(Tensors.toImage(t));
    } else {
      ByteBuffer d = t.getData().duplicate();
      data = new byte[d.remaining()];
      d.get(data);
    }
    put(f, prefix + "/encoded", Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(data))).build());
    put(f, prefix + "/format", bytes(png ? "png" : "raw_float32"));
    put(f, prefix + "/height", int64(t.getHeight()));
    put(f, prefix + "/width", int64(t.getWidth()));
    put(f, prefix + "/channels", int64(t.getChannels()));
    put(f, prefix + "/bit_depth", int64(t.getDtype() == DType.UINT8 ? 8 : t.getDtype() == DType.UINT16 ? 16 : 32));
  }

  private static Tensor tensor(Map<String, Feature> f, String prefix) throws InvalidProtocolBufferException {
    byte[] data = f.get(prefix + "/encoded").getBytesList().getValue(0).toByteArray();
    String format = str(f, prefix + "/format");
    int h = (int) i64(f, prefix + "/height");
    int w = (int) i64(f, prefix + "/width");
    int c = (int) i64(f, prefix + "/channels");
    if (format.equals("png")) {
      try {
        ImageArray img = ImageCodec.decodeFirst(data);
        return Tensors.toTensor(img);
      } catch (Exception e) {
        throw new InvalidProtocolBufferException("bad PNG in " + prefix + "/encoded: " + e.getMessage());
      }
    }
    return Tensor.newBuilder().setHeight(h).setWidth(w).setChannels(c).setDtype(DType.FLOAT32)
        .setData(ByteBuffer.wrap(data)).build();
  }

  private static void put(Features.Builder f, String key, Feature v) {
    f.putFeature(key, v);
  }

  private static Feature bytes(String s) {
    return Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8(s))).build();
  }

  private static Feature int64(long v) {
    return Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(v)).build();
  }

  private static String str(Map<String, Feature> f, String key) throws InvalidProtocolBufferException {
    Feature v = f.get(key);
    if (v == null || v.getBytesList().getValueCount() == 0) {
      throw new InvalidProtocolBufferException("tf.train.Example lacks feature '" + key + "'");
    }
    return v.getBytesList().getValue(0).toStringUtf8();
  }

  private static long i64(Map<String, Feature> f, String key) throws InvalidProtocolBufferException {
    Feature v = f.get(key);
    if (v == null || v.getInt64List().getValueCount() == 0) {
      throw new InvalidProtocolBufferException("tf.train.Example lacks feature '" + key + "'");
    }
    return v.getInt64List().getValue(0);
  }
}
