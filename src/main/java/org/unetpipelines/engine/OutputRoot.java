package org.unetpipelines.engine;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The one folder a pipeline writes under. Relative output paths resolve against it, and no path
 * may point outside it: not lexically (absolute paths elsewhere, {@code ..}) and not through
 * symbolic links (a link inside the root whose target lies outside, or a dangling link, is
 * refused). The root itself is kept as its real path, so every check compares real paths.
 *
 * <p>{@code validate} and {@code run} both go through {@link #forRun} and {@link #resolve}, so they
 * apply the same rules.
 */
public final class OutputRoot implements Serializable {
  /** Most symbolic links followed while resolving one path (as Linux's ELOOP limit). */
  static final int MAX_LINKS = 40;

  private final String root;
  /** The root as given (absolute, not resolved): absolute output paths may name it too. */
  private final String given;

  /** @throws IllegalArgumentException when the root cannot be resolved or is an existing non-folder */
  public OutputRoot(Path root) {
    checkArgument(root != null && !root.toString().isBlank(), "the output root must not be empty");
    Path abs = root.toAbsolutePath().normalize();
    Path real = realPath(abs, "the output root " + root);
    checkArgument(!Files.exists(real) || Files.isDirectory(real),
        "the output root %s exists and is not a folder", real);
    checkArgument(real.getParent() != null, "the output root must not be the file system root %s", real);
    this.root = real.toString();
    this.given = abs.toString();
  }

  /**
   * The root of a run: {@code out} when given ({@code --out}), else {@code out/<pipeline name>}
   * under the working directory. An empty {@code --out} is an error.
   */
  public static OutputRoot forRun(String out, String pipelineName) {
    if (out != null) {
      checkArgument(!out.isBlank(), "--out must name a folder, got an empty value");
      return new OutputRoot(Path.of(out));
    }
    checkArgument(PipelinePlan.isSafeName(pipelineName), "pipeline name '%s' cannot name a folder under out/",
        pipelineName);
    return new OutputRoot(Path.of("out", pipelineName));
  }

  public Path path() {
    return Path.of(root);
  }

  /**
   * The real absolute path for {@code relative} (or an absolute path under the root).
   *
   * @throws IllegalArgumentException when the path is empty or leaves the root, lexically or
   *     through a symbolic link
   */
  public Path resolve(String relative) {
    checkArgument(relative != null && !relative.isBlank(), "output path must not be empty");
    Path base = Path.of(root);
    Path p = Path.of(relative);
    Path resolved = (p.isAbsolute() ? p : base.resolve(p)).normalize();
    Path asGiven = Path.of(given);
    if (p.isAbsolute() && !resolved.startsWith(base) && resolved.startsWith(asGiven)) {
      resolved = base.resolve(asGiven.relativize(resolved)); // an absolute path through the root as given
    }
    checkArgument(
        resolved.startsWith(base),
        "output path '%s' resolves to %s, which is outside the output root %s; "
            + "use a path relative to the output root (set the root with --out)",
        relative, resolved, base);
    Path real = realPath(resolved, "output path '" + relative + "'");
    checkArgument(real.startsWith(base),
        "output path '%s' (%s) leads through a symbolic link to %s, which is outside the output root %s; "
            + "symbolic links inside the output root must point inside it",
        relative, resolved, real, base);
    return real;
  }

  /** {@code relative} as a path relative to the root, for messages. */
  String relative(Path resolved) {
    Path base = Path.of(root);
    return resolved.equals(base) ? "." : base.relativize(resolved).toString();
  }

  /**
   * The real path of {@code abs}: symbolic links resolved in every component that exists,
   * including dangling links (resolved by their target's path); components that do not exist yet
   * are appended as they are.
   */
  static Path realPath(Path abs, String what) {
    try {
      return realPath(abs, 0);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + ": cannot resolve " + abs + ": " + e.getMessage(), e);
    }
  }

  private static Path realPath(Path abs, int links) throws IOException {
    if (links > MAX_LINKS) {
      throw new IOException("more than " + MAX_LINKS + " symbolic links (a loop?)");
    }
    Path existing = abs;
    Deque<Path> rest = new ArrayDeque<>();
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      rest.push(existing.getFileName());
      existing = existing.getParent();
    }
    if (existing == null) {
      return abs;
    }
    Path base;
    if (Files.isSymbolicLink(existing) && !Files.exists(existing)) {
      // dangling (or looping) link: a write would create its target, so the target is what counts
      Path target = Files.readSymbolicLink(existing);
      Path parent = existing.getParent();
      base = realPath((parent == null ? target : parent.resolve(target)).toAbsolutePath().normalize(), links + 1);
    } else {
      base = existing.toRealPath();
    }
    for (Path r : rest) {
      base = base.resolve(r);
    }
    return base;
  }

  @Override
  public String toString() {
    return root;
  }
}
