package org.unetpipelines.io;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.ImageDecodeException;
import org.unetpipelines.image.ImageLimits;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Sample;

/**
 * Reading raw image sets: which files form which samples (pairing images with masks), and decoding
 * one such unit into samples or reasons it could not be read. No Beam here; the ReadImageSet stage
 * runs {@link #read} in parallel.
 *
 * <p>Ids are stable: the image's path relative to the fixed part of the images pattern, plus
 * {@code #NNNN} for the page of a multi-page TIFF or {@code #NNNNN} for the index of an IDX file.
 * Dead letters carry the same ids (an unpaired mask: its path relative to the masks pattern), and
 * their reasons name the file.
 *
 * <p>Every entry a pattern matches is accounted for: entries that cannot be read — FIFOs, sockets,
 * devices, dangling symbolic links, folders named like image files ({@code x.png/}), files over
 * 2 GiB ({@link InputFiles#unreadable}), images whose headers declare more than {@code maxPixels} —
 * become outcomes with a reason,
 * checked before anything is read or decoded (a FIFO is never opened).
 *
 * <p>Pairing: with a single image file and a single mask file (e.g. ISBI's {@code train-volume.tif}
 * and {@code train-labels.tif}) the two are paired directly, page by page. Otherwise the mask's file
 * name stem (name without extension) must equal {@code pairTemplate} with {@code {stem}} replaced
 * by the image's stem: {@code "{stem}"} pairs {@code images/a.png} with {@code labels/a.png},
 * {@code "{stem}_mask"} pairs it with {@code labels/a_mask.png}.
 */
public final class ImageSets {
  private ImageSets() {}

  /**
   * One unit of reading work: an image file (and its mask / label file), or a problem found while
   * pairing. {@code label}: the class of every sample of the file (folder-per-class layout), or null.
   */
  public record Task(String id, String image, String mask, String labels, String problem, Integer label)
      implements Serializable {
    public Task(String id, String image, String mask, String labels, String problem) {
      this(id, image, mask, labels, problem, null);
    }
  }

  /** The {@code labels} value that takes each image's class from its folder (see {@link #planFolders}). */
  public static final String FOLDER_LABELS = "folders";

  /**
   * The class folders of a folder-per-class layout ({@code images/<class>/...}, as torchvision's
   * {@code ImageFolder}): the non-hidden sub-folders of {@code images}, sorted by name; class k is
   * the k-th.
   */
  public static List<String> folderClasses(String images) {
    Path base = Path.of(images);
    checkArgument(Files.isDirectory(base), "with labels: %s, 'images' must be a folder of class folders, got '%s'",
        FOLDER_LABELS, images);
    try (java.util.stream.Stream<Path> s = Files.list(base)) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
          .sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + images, e);
    }
  }

  /**
   * Tasks of a folder-per-class layout: every non-hidden file under {@code images/<class>/} (at any
   * depth, sorted), labelled with its class's index in {@link #folderClasses}; files directly in
   * {@code images} become problem tasks. Ids are paths relative to {@code images} ({@code <class>/<file>}).
   */
  public static List<Task> planFolders(String images) {
    List<String> classes = folderClasses(images);
    Path base = Path.of(images);
    List<Task> tasks = new ArrayList<>();
    try (java.util.stream.Stream<Path> top = Files.list(base)) {
      for (Path f : top.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted().toList()) {
        tasks.add(new Task(relId(base, f), f.toString(), null, null,
            "file is not in a class folder: with labels: " + FOLDER_LABELS + " every image lives in " + images
                + "/<class>/ (classes: " + String.join(", ", classes) + ")"));
      }
      for (int k = 0; k < classes.size(); k++) {
        try (java.util.stream.Stream<Path> files = Files.walk(base.resolve(classes.get(k)))) {
          for (Path f : files.filter(Files::isRegularFile)
              .filter(p -> !base.relativize(p).toString().matches("(.*/)?\\..*")).sorted().toList()) {
            tasks.add(new Task(relId(base, f), f.toString(), null, null, null, k));
          }
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + images, e);
    }
    tasks.sort((a, b) -> a.id().compareTo(b.id()));
    return tasks;
  }

  /** The result of reading one unit: a sample, or why it was rejected. */
  public record Outcome(Sample sample, String input, String reason) {
    static Outcome ok(Sample s) {
      return new Outcome(s, null, null);
    }

    static Outcome bad(String input, String reason) {
      return new Outcome(null, input, reason);
    }

    public boolean isOk() {
      return sample != null;
    }
  }

  /**
   * The entries a pattern names as inputs: everything {@link Globs#entries} matches except folders,
   * unless a folder is named like an image file (then it is an input that cannot be read).
   */
  public static List<Path> inputs(String pattern) {
    List<Path> out = new ArrayList<>();
    for (Path p : Globs.entries(pattern)) {
      if (!Files.isDirectory(p) || namedLikeImage(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Whether a file name has an image or IDX extension (png, jpg, jpeg, tif, tiff, idx, gz, or an IDX name). */
  static boolean namedLikeImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return n.matches(".+\\.(png|jpe?g|tiff?|idx|gz)") || Idx.looksLikeIdx(n);
  }

  /** Resolves the patterns into tasks sorted by id. Images with no mask and masks with no image become problem tasks. */
  public static List<Task> plan(String images, String masks, String pairTemplate, String labels) {
    checkArgument(pairTemplate.contains("{stem}"), "pair template must contain {stem}, got '%s'", pairTemplate);
    List<Path> imageFiles = inputs(images);
    Path base = Globs.base(images);
    List<Task> tasks = new ArrayList<>();
    if (masks == null) {
      for (Path f : imageFiles) {
        tasks.add(new Task(relId(base, f), f.toString(), null, labels, null));
      }
    } else {
      List<Path> maskFiles = inputs(masks);
      Path maskBase = Globs.base(masks);
      if (imageFiles.size() == 1 && maskFiles.size() == 1) {
        Path f = imageFiles.get(0);
        tasks.add(new Task(relId(base, f), f.toString(), maskFiles.get(0).toString(), labels, null));
      } else {
        Map<String, Path> maskByStem = new HashMap<>();
        Map<String, String> duplicate = new HashMap<>();
        for (Path m : maskFiles) {
          Path prev = maskByStem.put(stem(m), m);
          if (prev != null) {
            duplicate.put(stem(m), prev + " and " + m);
          }
        }
        List<Path> used = new ArrayList<>();
        for (Path f : imageFiles) {
          String want = pairTemplate.replace("{stem}", stem(f));
          String id = relId(base, f);
          Path m = maskByStem.get(want);
          if (duplicate.containsKey(want)) {
            tasks.add(new Task(id, f.toString(), null, labels,
                "two masks have the stem '" + want + "': " + duplicate.get(want)));
          } else if (m == null) {
            tasks.add(new Task(id, f.toString(), null, labels,
                "no mask found: looked for a file with stem '" + want + "' matching " + masks
                    + " (pair rule '" + pairTemplate + "')"));
          } else {
            used.add(m);
            tasks.add(new Task(id, f.toString(), m.toString(), labels, null));
          }
        }
        for (Path m : maskFiles) {
          if (!used.contains(m) && !duplicate.containsKey(stem(m))) {
            tasks.add(new Task(relId(maskBase, m), m.toString(), null, null,
                "mask has no image: no image's stem maps to '" + stem(m) + "' under pair rule '" + pairTemplate + "'"));
          }
        }
      }
    }
    tasks.sort((a, b) -> a.id().compareTo(b.id()));
    return tasks;
  }

  /** Reads one task with the default pixel limit ({@link ImageLimits#DEFAULT_MAX_PIXELS}). */
  public static List<Outcome> read(Task t, long seed) {
    return read(t, seed, ImageLimits.DEFAULT_MAX_PIXELS);
  }

  /**
   * Reads one task. Never throws for bad input: every problem becomes an outcome with the id the
   * sample would have had and a reason that names the file. A file whose pages declare more than
   * {@code maxPixels} pixels is refused before its pixels are decoded.
   */
  public static List<Outcome> read(Task t, long seed, long maxPixels) {
    List<Outcome> out = new ArrayList<>();
    if (t.problem() != null) {
      out.add(Outcome.bad(t.id(), t.image() + ": " + t.problem()));
      return out;
    }
    Path image = Path.of(t.image());
    String why = InputFiles.unreadable(image);
    if (why != null) {
      out.add(Outcome.bad(t.id(), t.image() + ": " + why));
      return out;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(image);
    } catch (IOException | RuntimeException e) {
      out.add(Outcome.bad(t.id(), t.image() + ": cannot read file: " + e));
      return out;
    }
    if (Idx.looksLikeIdx(image.getFileName().toString())) {
      return readIdx(t, bytes, seed, maxPixels);
    }
    List<ImageArray> pages;
    try {
      pages = ImageCodec.decodeAll(bytes, maxPixels);
    } catch (ImageDecodeException e) {
      out.add(Outcome.bad(t.id(), t.image() + ": " + e.getMessage()));
      return out;
    }
    bytes = null; // the encoded file is no longer needed while the mask is decoded
    List<ImageArray> maskPages = null;
    if (t.mask() != null) {
      String maskWhy = InputFiles.unreadable(Path.of(t.mask()));
      try {
        if (maskWhy != null) {
          throw new ImageDecodeException(maskWhy);
        }
        maskPages = ImageCodec.decodeAll(Files.readAllBytes(Path.of(t.mask())), maxPixels);
      } catch (ImageDecodeException | IOException | RuntimeException e) {
        String reason = e instanceof ImageDecodeException ? e.getMessage() : e.toString();
        for (int i = 0; i < pages.size(); i++) {
          out.add(Outcome.bad(pageId(t.id(), i, pages.size()), pageInput(t.image(), i, pages.size())
              + ": mask " + t.mask() + " unreadable: " + reason));
        }
        return out;
      }
    }
    for (int i = 0; i < pages.size(); i++) {
      String id = pageId(t.id(), i, pages.size());
      String input = pageInput(t.image(), i, pages.size());
      ImageArray img = pages.get(i);
      Sample.Builder b = Sample.newBuilder().setId(id).setSource(input).setSeed(seed).setCopy(0)
          .setImage(Tensors.toTensor(img)).setParams(new ArrayList<>());
      if (t.label() != null) {
        b.setLabel(t.label());
      }
      if (maskPages != null) {
        if (i >= maskPages.size()) {
          out.add(Outcome.bad(id, input + ": mask " + t.mask() + " has " + maskPages.size() + " page(s), image has "
              + pages.size()));
          continue;
        }
        ImageArray m = maskPages.get(i);
        if (!m.sameSize(img)) {
          out.add(Outcome.bad(id, input + ": mask " + t.mask() + " is " + m.height() + "x" + m.width()
              + " but the image is " + img.height() + "x" + img.width() + " (they must match)"));
          continue;
        }
        if (m.channels() != 1) {
          out.add(Outcome.bad(id, input + ": mask " + t.mask() + " has " + m.channels()
              + " channels; masks must be single-channel (grayscale) label images"));
          continue;
        }
        b.setMask(Tensors.toTensor(m));
      }
      out.add(Outcome.ok(b.build()));
    }
    if (maskPages != null && maskPages.size() > pages.size()) {
      for (int i = pages.size(); i < maskPages.size(); i++) {
        out.add(Outcome.bad(pageId(t.id(), i, maskPages.size()), t.mask() + "#" + i + ": mask page " + i
            + " has no image page (image " + t.image() + " has " + pages.size() + ")"));
      }
    }
    return out;
  }

  private static List<Outcome> readIdx(Task t, byte[] bytes, long seed, long maxPixels) {
    List<Outcome> out = new ArrayList<>();
    Idx.Data images;
    Idx.Data labels = null;
    try {
      images = Idx.parse(bytes, maxPixels);
      if (images.rows() == 1 && images.cols() == 1) {
        out.add(Outcome.bad(t.id(), t.image() + ": IDX file holds labels, not images; give it as 'labels:'"));
        return out;
      }
      if (t.labels() != null) {
        String why = InputFiles.unreadable(Path.of(t.labels()));
        if (why != null) {
          out.add(Outcome.bad(t.id(), t.image() + ": labels file " + t.labels() + " " + why));
          return out;
        }
        labels = Idx.parse(Files.readAllBytes(Path.of(t.labels())), maxPixels);
        if (labels.count() != images.count()) {
          out.add(Outcome.bad(t.id(), t.image() + ": labels file " + t.labels() + " has " + labels.count()
              + " labels for " + images.count() + " images"));
          return out;
        }
      }
    } catch (IOException | RuntimeException e) {
      out.add(Outcome.bad(t.id(), t.image() + ": " + e.getMessage()));
      return out;
    }
    for (int i = 0; i < images.count(); i++) {
      Sample.Builder b = Sample.newBuilder()
          .setId(idxId(t.id(), i, images.count()))
          .setSource(t.image() + "#" + i)
          .setSeed(seed)
          .setCopy(0)
          .setImage(Tensors.toTensor(images.image(i)))
          .setParams(new ArrayList<>());
      if (labels != null) {
        b.setLabel(labels.label(i));
      } else if (t.label() != null) {
        b.setLabel(t.label());
      }
      out.add(Outcome.ok(b.build()));
    }
    return out;
  }

  /** The id of page {@code page} of a file with id {@code id}: the id itself for one page, else {@code id#NNNN}. */
  static String pageId(String id, int page, int pages) {
    return pages > 1 ? id + String.format("#%04d", page) : id;
  }

  /** The id of item {@code i} of an IDX file: {@code id#NNNNN} (at least 5 digits). */
  static String idxId(String id, int i, int count) {
    int digits = Math.max(5, String.valueOf(count).length());
    return id + "#" + String.format("%0" + digits + "d", i);
  }

  private static String pageInput(String file, int page, int pages) {
    return pages > 1 ? file + "#" + page : file;
  }

  static String stem(Path p) {
    String n = p.getFileName().toString();
    if (n.endsWith(".gz")) {
      n = n.substring(0, n.length() - 3);
    }
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  private static String relId(Path base, Path f) {
    Path b = base.toAbsolutePath().normalize();
    Path a = f.toAbsolutePath().normalize();
    String rel = a.startsWith(b) ? b.relativize(a).toString() : f.getFileName().toString();
    return rel.replace('\\', '/');
  }
}
