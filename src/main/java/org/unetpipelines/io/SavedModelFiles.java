package org.unetpipelines.io;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * Checks that a SavedModel folder is complete before a pipeline starts, without loading TensorFlow:
 * {@code saved_model.pb} parses and has the meta graph {@code tag} with the signature
 * {@code signature}; when its graph has variables, {@code variables/variables.index} is an intact
 * tensor-bundle index (TensorFlow's LevelDB-style table: footer magic and block checksums) and
 * every data shard it names exists and is long enough for the tensors the index places in it.
 * Each problem names the path.
 */
public final class SavedModelFiles {
  public static final String SAVED_MODEL_PB = "saved_model.pb";
  public static final String VARIABLES = "variables";
  public static final String INDEX = "variables.index";

  /** Ops that hold variables: a graph with any of them needs its variables/ checkpoint. */
  static final Set<String> VARIABLE_OPS = Set.of("VariableV2", "Variable", "VarHandleOp");

  /** The table footer's magic number (TensorFlow's lib/io/format.h, as LevelDB's). */
  static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
  static final int FOOTER_LENGTH = 48;
  static final int BLOCK_TRAILER = 5;
  static final int MASK_DELTA = 0xa282ead8;

  private SavedModelFiles() {}

  /** Problems of the SavedModel in {@code dir}; empty when it is complete. */
  public static List<String> problems(Path dir, String tag, String signature) {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      out.add(dir + " is not a folder");
      return out;
    }
    Path pb = dir.resolve(SAVED_MODEL_PB);
    String why = InputFiles.unreadable(pb);
    if (why != null) {
      out.add(pb + ": " + why + " (a SavedModel folder holds saved_model.pb and variables/)");
      return out;
    }
    SavedModel model;
    try {
      model = SavedModel.parseFrom(Files.readAllBytes(pb));
    } catch (InvalidProtocolBufferException e) {
      out.add(pb + ": not a SavedModel protocol buffer (corrupt or truncated): " + e.getMessage());
      return out;
    } catch (IOException e) {
      out.add(pb + ": cannot be read: " + e.getMessage());
      return out;
    }
    MetaGraphDef graph = null;
    Set<String> tags = new TreeSet<>();
    for (MetaGraphDef g : model.getMetaGraphsList()) {
      tags.addAll(g.getMetaInfoDef().getTagsList());
      if (g.getMetaInfoDef().getTagsList().contains(tag)) {
        graph = g;
      }
    }
    if (graph == null) {
      out.add(pb + ": no meta graph tagged '" + tag + "' (tags found: " + tags + ")");
      return out;
    }
    if (!graph.getSignatureDefMap().containsKey(signature)) {
      out.add(pb + ": meta graph '" + tag + "' has no signature '" + signature + "' (signatures: "
          + new TreeSet<>(graph.getSignatureDefMap().keySet()) + ")");
    }
    boolean hasVariables = false;
    for (NodeDef n : graph.getGraphDef().getNodeList()) {
      hasVariables |= VARIABLE_OPS.contains(n.getOp());
    }
    if (hasVariables) {
      out.addAll(variableProblems(dir.resolve(VARIABLES)));
    }
    return out;
  }

  /** Problems of a {@code variables/} checkpoint: its index, and the data shards the index names. */
  static List<String> variableProblems(Path variables) {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(variables)) {
      out.add(variables + ": missing; the graph has variables, so the SavedModel needs its variables/ folder");
      return out;
    }
    Path index = variables.resolve(INDEX);
    String why = InputFiles.unreadable(index);
    if (why != null) {
      out.add(index + ": " + why);
      return out;
    }
    Bundle bundle;
    try {
      bundle = readIndex(Files.readAllBytes(index));
    } catch (IOException e) {
      out.add(index + ": not an intact tensor-bundle index (corrupt or truncated): " + e.getMessage());
      return out;
    }
    for (int shard = 0; shard < bundle.shards(); shard++) {
      Path data = variables.resolve(String.format("variables.data-%05d-of-%05d", shard, bundle.shards()));
      String bad = InputFiles.unreadable(data);
      if (bad != null) {
        out.add(data + ": " + bad + " (the index names " + bundle.shards() + " data shard(s))");
        continue;
      }
      long need = bundle.bytesNeeded().getOrDefault(shard, 0L);
      try {
        long size = Files.size(data);
        if (size < need) {
          out.add(data + ": truncated: " + size + " bytes, the index places tensors up to byte " + need);
        }
      } catch (IOException e) {
        out.add(data + ": cannot be read: " + e.getMessage());
      }
    }
    return out;
  }

  /** What an index says: the number of data shards, and per shard the bytes its tensors span. */
  record Bundle(int shards, TreeMap<Integer, Long> bytesNeeded) {}

  /** Reads a tensor-bundle index (a table: data blocks, an index block, a footer). */
  static Bundle readIndex(byte[] file) throws IOException {
    if (file.length < FOOTER_LENGTH) {
      throw new IOException(file.length + " bytes, shorter than the " + FOOTER_LENGTH + "-byte table footer");
    }
    ByteBuffer footer = ByteBuffer.wrap(file, file.length - FOOTER_LENGTH, FOOTER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    long magic = footer.getLong(file.length - 8);
    if (magic != TABLE_MAGIC) {
      throw new IOException(String.format("footer magic is 0x%016x, expected 0x%016x", magic, TABLE_MAGIC));
    }
    int[] pos = {file.length - FOOTER_LENGTH};
    varint(file, pos);
    varint(file, pos); // metaindex handle: unused
    long indexOffset = varint(file, pos);
    long indexSize = varint(file, pos);
    int shards = -1;
    TreeMap<Integer, Long> need = new TreeMap<>();
    List<byte[][]> indexEntries = entries(block(file, indexOffset, indexSize));
    for (byte[][] ie : indexEntries) {
      int[] hp = {0};
      long off = varint(ie[1], hp);
      long size = varint(ie[1], hp);
      for (byte[][] e : entries(block(file, off, size))) {
        if (e[0].length == 0) {
          shards = BundleHeaderProto.parseFrom(e[1]).getNumShards();
        } else {
          BundleEntryProto entry = BundleEntryProto.parseFrom(e[1]);
          need.merge(entry.getShardId(), entry.getOffset() + entry.getSize(), Math::max);
        }
      }
    }
    if (shards < 1) {
      throw new IOException("no bundle header with a shard count");
    }
    for (int s : need.keySet()) {
      if (s < 0 || s >= shards) {
        throw new IOException("a tensor is in shard " + s + ", but the header says " + shards + " shard(s)");
      }
    }
    return new Bundle(shards, need);
  }

  /** A block's contents, checksum verified. */
  private static byte[] block(byte[] file, long offset, long size) throws IOException {
    if (offset < 0 || size < 0 || offset + size + BLOCK_TRAILER > file.length - FOOTER_LENGTH) {
      throw new IOException("block at " + offset + " of " + size + " bytes lies outside the file ("
          + file.length + " bytes)");
    }
    int off = (int) offset;
    int len = (int) size;
    byte type = file[off + len];
    CRC32C crc = new CRC32C();
    crc.update(file, off, len + 1);
    int actual = (int) crc.getValue();
    int masked = ((actual >>> 15) | (actual << 17)) + MASK_DELTA;
    int stored = ByteBuffer.wrap(file, off + len + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(off + len + 1);
    if (masked != stored) {
      throw new IOException("block at " + offset + ": checksum mismatch");
    }
    byte[] raw = java.util.Arrays.copyOfRange(file, off, off + len);
    if (type != 0) {
      // TensorFlow's BundleWriter writes its tables uncompressed (kNoCompression)
      throw new IOException("block at " + offset + ": compression type " + type + ", expected 0 (none)");
    }
    return raw;
  }

  /** A block's key/value entries (keys prefix-compressed; restart array at the end). */
  private static List<byte[][]> entries(byte[] block) throws IOException {
    if (block.length < 4) {
      throw new IOException("block of " + block.length + " bytes has no restart count");
    }
    ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
    long restarts = Integer.toUnsignedLong(b.getInt(block.length - 4));
    long limit = block.length - 4 - 4 * restarts;
    if (restarts < 1 || limit < 0) {
      throw new IOException("bad restart count " + restarts);
    }
    List<byte[][]> out = new ArrayList<>();
    byte[] key = new byte[0];
    int[] pos = {0};
    while (pos[0] < limit) {
      long shared = varint(block, pos);
      long nonShared = varint(block, pos);
      long valueLength = varint(block, pos);
      if (shared > key.length || pos[0] + nonShared + valueLength > limit) {
        throw new IOException("entry at " + pos[0] + " runs past its block");
      }
      ByteArrayOutputStream k = new ByteArrayOutputStream();
      k.write(key, 0, (int) shared);
      k.write(block, pos[0], (int) nonShared);
      pos[0] += (int) nonShared;
      key = k.toByteArray();
      byte[] value = java.util.Arrays.copyOfRange(block, pos[0], pos[0] + (int) valueLength);
      pos[0] += (int) valueLength;
      out.add(new byte[][] {key, value});
    }
    return out;
  }

  private static long varint(byte[] b, int[] pos) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        throw new IOException("varint runs past the end");
      }
      int x = b[pos[0]++] & 0xff;
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("varint longer than 10 bytes");
  }
}
