package org.unetpipelines.engine;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * The one folder a pipeline writes under. Relative output paths resolve against it, and no path
 * (absolute, or with {@code ..}) may point outside it.
 */
public final class OutputRoot implements Serializable {
  private final String root;

  public OutputRoot(Path root) {
    this.root = root.toAbsolutePath().normalize().toString();
  }

  public Path path() {
    return Path.of(root);
  }

  /** The absolute path for {@code relative}; throws IllegalArgumentException when it leaves the root. */
  public Path resolve(String relative) {
    checkArgument(relative != null && !relative.isBlank(), "output path must not be empty");
    Path base = Path.of(root);
    Path p = Path.of(relative);
    Path resolved = (p.isAbsolute() ? p : base.resolve(p)).normalize();
    checkArgument(
        resolved.startsWith(base),
        "output path '%s' resolves to %s, which is outside the output root %s; "
            + "use a path relative to the output root (set the root with --out)",
        relative, resolved, base);
    return resolved;
  }

  @Override
  public String toString() {
    return root;
  }
}
