package org.unetpipelines.eval;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.unetpipelines.records.ModelArtifact;

/**
 * Where a SavedModel is and the tile geometry it serves (the serving contract's {@code model.json},
 * whose fields are the {@link ModelArtifact}'s).
 *
 * @param savedModelDir the SavedModel directory (tag "serve", signature "serving_default")
 * @param inputHeight input tile height
 * @param inputWidth input tile width
 * @param inputChannels input channels
 * @param outputHeight output tile height for an input of {@code inputHeight}
 * @param outputWidth output tile width
 * @param classes output channels (1 = sigmoid foreground probability)
 * @param heads the named output heads the SavedModel serves besides its default one
 *     ({@code serving.heads} in model.json; empty: only the default head)
 * @param head the head to run: null = the default head (output {@code probabilities}), else one of
 *     {@code heads} (output {@code probabilities_<head>})
 */
public record ModelSpec(String savedModelDir, int inputHeight, int inputWidth, int inputChannels,
    int outputHeight, int outputWidth, int classes, List<String> heads, String head) implements Serializable {

  /** The file beside (inside) a SavedModel directory that describes its geometry. */
  public static final String MODEL_JSON = "model.json";

  public ModelSpec {
    checkArgument(savedModelDir != null && !savedModelDir.isEmpty(), "savedModelDir must be given");
    checkArgument(inputHeight > 0 && inputWidth > 0 && inputChannels > 0,
        "model input must be positive, got %sx%sx%s", inputHeight, inputWidth, inputChannels);
    checkArgument(outputHeight > 0 && outputWidth > 0 && classes > 0,
        "model output must be positive, got %sx%sx%s", outputHeight, outputWidth, classes);
    checkArgument(outputHeight <= inputHeight && outputWidth <= inputWidth,
        "model output %sx%s is larger than its input %sx%s", outputHeight, outputWidth, inputHeight, inputWidth);
    heads = List.copyOf(heads);
    checkArgument(head == null || heads.contains(head),
        "model %s has no head '%s'; it serves %s", savedModelDir, head, describeHeads(heads));
  }

  /** A model with only its default head. */
  public ModelSpec(String savedModelDir, int inputHeight, int inputWidth, int inputChannels, int outputHeight,
      int outputWidth, int classes) {
    this(savedModelDir, inputHeight, inputWidth, inputChannels, outputHeight, outputWidth, classes, List.of(), null);
  }

  /** "the default head and the named heads L1, L2" (for error messages). */
  static String describeHeads(List<String> heads) {
    return heads.isEmpty() ? "only its default head (model.json lists no serving.heads)"
        : "its default head and the named heads " + String.join(", ", heads);
  }

  /**
   * The spec of an artifact; its heads come from the {@code model.json} in or beside its SavedModel
   * folder, when there is one.
   */
  public static ModelSpec of(ModelArtifact a) {
    Path json = modelJson(Path.of(a.getSavedModelDir()));
    List<String> heads = json == null ? List.of() : heads(readJson(json), json);
    return new ModelSpec(a.getSavedModelDir(), a.getInputHeight(), a.getInputWidth(), a.getInputChannels(),
        a.getOutputHeight(), a.getOutputWidth(), a.getClasses(), heads, null);
  }

  /** The same model run with another head (null = the default one); fails naming the heads it serves. */
  public ModelSpec withHead(String head) {
    return new ModelSpec(savedModelDir, inputHeight, inputWidth, inputChannels, outputHeight, outputWidth, classes,
        heads, head);
  }

  /** Sub-folder that holds the SavedModel in a training output folder. */
  public static final String SAVED_MODEL = "saved_model";

  /**
   * Reads a model folder: either a SavedModel folder ({@code saved_model.pb}) with {@code model.json}
   * inside it or beside it (in its parent), or a training output folder holding {@code saved_model/}
   * and {@code model.json}. The SavedModel is the folder found, whatever {@code savedModelDir} the
   * file names (so trained models can be moved).
   */
  public static ModelSpec read(Path dir) {
    checkArgument(Files.isDirectory(dir), "model directory %s does not exist", dir);
    Path model = dir;
    if (!Files.isRegularFile(dir.resolve("saved_model.pb")) && Files.isRegularFile(dir.resolve(SAVED_MODEL).resolve("saved_model.pb"))) {
      model = dir.resolve(SAVED_MODEL);
    }
    Path file = modelJson(model);
    checkArgument(file != null,
        "no %s in %s or its parent: it must give inputHeight, inputWidth, inputChannels, outputHeight, "
            + "outputWidth and classes", MODEL_JSON, model);
    JsonNode n = readJson(file);
    return new ModelSpec(model.toString(), field(n, "inputHeight", file), field(n, "inputWidth", file),
        field(n, "inputChannels", file), field(n, "outputHeight", file), field(n, "outputWidth", file),
        field(n, "classes", file), heads(n, file), null);
  }

  /** model.json inside the SavedModel folder or beside it (in its parent), or null. */
  private static Path modelJson(Path model) {
    Path file = model.resolve(MODEL_JSON);
    if (!Files.isRegularFile(file) && model.toAbsolutePath().getParent() != null) {
      file = model.toAbsolutePath().getParent().resolve(MODEL_JSON);
    }
    return Files.isRegularFile(file) ? file : null;
  }

  private static JsonNode readJson(Path file) {
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code serving.heads}: a list of head names, absent = none. */
  private static List<String> heads(JsonNode n, Path file) {
    JsonNode serving = n.get("serving");
    JsonNode list = serving == null ? null : serving.get("heads");
    if (list == null || list.isNull()) {
      return List.of();
    }
    checkArgument(list.isArray(), "%s: serving.heads must be a list of head names, got %s", file, list);
    List<String> out = new ArrayList<>();
    for (JsonNode h : list) {
      checkArgument(h.isTextual() && !h.asText().isBlank(), "%s: serving.heads must hold names, got %s", file, h);
      out.add(h.asText());
    }
    return out;
  }

  private static int field(JsonNode n, String name, Path file) {
    JsonNode v = n.get(name);
    checkArgument(v != null && v.canConvertToInt(), "%s: field %s is missing or not an integer", file, name);
    return v.asInt();
  }

  /** The same model run on another input tile size (for models that accept any size). */
  public ModelSpec withTile(int inHeight, int inWidth) {
    int dy = inputHeight - outputHeight;
    int dx = inputWidth - outputWidth;
    checkArgument(inHeight > dy && inWidth > dx,
        "a %sx%s tile leaves no output: the model's margins take %s rows and %s columns", inHeight, inWidth, dy, dx);
    return new ModelSpec(savedModelDir, inHeight, inWidth, inputChannels, inHeight - dy, inWidth - dx, classes,
        heads, head);
  }

  /** The contents of {@code model.json} for this spec ({@code serving.heads} when it has named heads). */
  public String toJson() {
    var json = new ObjectMapper().createObjectNode()
        .put("savedModelDir", savedModelDir).put("inputHeight", inputHeight).put("inputWidth", inputWidth)
        .put("inputChannels", inputChannels).put("outputHeight", outputHeight).put("outputWidth", outputWidth)
        .put("classes", classes);
    if (!heads.isEmpty()) {
      var list = json.putObject("serving").putArray("heads");
      heads.forEach(list::add);
    }
    return json.toPrettyString();
  }
}
