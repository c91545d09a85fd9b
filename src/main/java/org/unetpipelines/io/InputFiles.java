package org.unetpipelines.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Whether a path can be read as an input file, decided without opening it. */
public final class InputFiles {
  /** The largest file read whole: the JVM's largest byte[]. */
  public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8L;

  private InputFiles() {}

  /**
   * Why {@code p} cannot be read as an input file, checked without opening it (opening a FIFO
   * blocks until someone writes to it); null when it is a readable regular file of at most
   * {@link #MAX_FILE_BYTES} bytes.
   */
  public static String unreadable(Path p) {
    try {
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        return "no such file";
      }
      if (Files.isSymbolicLink(p) && !Files.exists(p)) {
        return "dangling symbolic link to " + Files.readSymbolicLink(p) + " (its target does not exist)";
      }
      if (Files.isDirectory(p)) {
        return "is a folder, not a file";
      }
      if (!Files.isRegularFile(p)) {
        return "is not a regular file (a FIFO, socket or device); only regular files are read";
      }
      if (!Files.isReadable(p)) {
        return "cannot be read (permission denied)";
      }
      long size = Files.size(p);
      if (size > MAX_FILE_BYTES) {
        return "is " + size + " bytes; files over " + MAX_FILE_BYTES + " bytes cannot be read whole (split it)";
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return "cannot be read: " + e;
    }
  }
}
