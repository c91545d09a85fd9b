package org.unetpipelines.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Local file globs: {@code dir/*.png}, {@code dir/**}{@code /*.tif}, or a folder (all regular,
 * non-hidden files in it), or one file. Results are sorted, so reading order never depends on the
 * file system.
 */
public final class Globs {
  private Globs() {}

  /** The fixed directory part of a pattern: everything before the first segment with a wildcard. */
  public static Path base(String pattern) {
    Path p = Path.of(pattern);
    if (!hasWildcard(pattern)) {
      return Files.isDirectory(p) ? p : (p.getParent() == null ? Path.of(".") : p.getParent());
    }
    Path base = p.isAbsolute() ? p.getRoot() : Path.of("");
    for (Path part : p) {
      if (hasWildcard(part.toString())) {
        break;
      }
      base = base.resolve(part);
    }
    return base.toString().isEmpty() ? Path.of(".") : base;
  }

  public static boolean hasWildcard(String s) {
    return s.contains("*") || s.contains("?") || s.contains("[") || s.contains("{");
  }

  /**
   * Every entry matching {@code pattern}, of any kind — regular files, folders, symbolic links
   * (dangling ones too), FIFOs, devices — sorted; a folder pattern gives its non-hidden entries.
   * For readers that must account for each entry rather than skip what they cannot read.
   * Symbolic links to folders are not followed while walking {@code **}.
   */
  public static List<Path> entries(String pattern) {
    Path p = Path.of(pattern);
    List<Path> out = new ArrayList<>();
    if (!hasWildcard(pattern)) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().forEach(out::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        out.add(p);
      }
      return out;
    }
    Path base = base(pattern);
    if (!Files.isDirectory(base)) {
      return out;
    }
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern.replace("\\", "/"));
    try (Stream<Path> s = pattern.contains("**") ? Files.walk(base) : Files.list(base)) {
      s.filter(f -> !f.equals(base))
          .filter(f -> m.matches(f) || m.matches(Path.of(f.toString().replace("\\", "/"))))
          .sorted()
          .forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Files matching {@code pattern}, sorted; empty when none match. */
  public static List<Path> match(String pattern) {
    Path p = Path.of(pattern);
    List<Path> out = new ArrayList<>();
    if (!hasWildcard(pattern)) {
      if (Files.isRegularFile(p)) {
        out.add(p);
      } else if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(Files::isRegularFile)
              .filter(f -> !f.getFileName().toString().startsWith("."))
              .sorted()
              .forEach(out::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return out;
    }
    Path base = base(pattern);
    if (!Files.isDirectory(base)) {
      return out;
    }
    String glob = pattern.replace("\\", "/");
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    boolean recursive = pattern.contains("**");
    try (Stream<Path> s = recursive ? Files.walk(base) : Files.list(base)) {
      s.filter(Files::isRegularFile)
          .filter(f -> m.matches(f) || m.matches(Path.of(f.toString().replace("\\", "/"))))
          .sorted()
          .forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!recursive) {
      return out;
    }
    return out;
  }
}
