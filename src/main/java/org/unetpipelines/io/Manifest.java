package org.unetpipelines.io;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code manifest.json}: what an output folder holds. Written last, after every shard is closed,
 * so its presence means the folder is complete. It holds no timestamps, so the same pipeline
 * writes the same manifest.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
    @JsonProperty("format") String format,
    @JsonProperty("records") long records,
    @JsonProperty("shards") List<Shard> shards,
    @JsonProperty("schema") JsonNode schema,
    @JsonProperty("seed") long seed,
    @JsonProperty("stage") Stage stage,
    @JsonProperty("ids") List<String> ids) {

  public static final String FILE = "manifest.json";

  /** One shard file: name relative to the folder, record count, SHA-256 of its bytes. */
  public record Shard(
      @JsonProperty("file") String file,
      @JsonProperty("records") long records,
      @JsonProperty("sha256") String sha256) implements java.io.Serializable {}

  /** The stage that wrote the folder. */
  public record Stage(
      @JsonProperty("name") String name,
      @JsonProperty("type") String type,
      @JsonProperty("config") JsonNode config) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  public static Manifest read(Path dir) throws IOException {
    Path f = dir.resolve(FILE);
    try {
      return JSON.readValue(f.toFile(), Manifest.class);
    } catch (java.io.FileNotFoundException | NoSuchFileException e) {
      throw new IOException("no " + FILE + " in " + dir + ": not a finished shard folder "
          + "(written by WriteAvro / WriteTFRecord)", e);
    }
  }

  public static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + text, e);
    }
  }
}
