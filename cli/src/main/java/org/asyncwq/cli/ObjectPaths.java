package org.asyncwq.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where an object lands when written out into a directory: its name, read as a relative path,
 * must stay inside that directory. Refused, naming the object: a NUL, an absolute name, a
 * {@code ..} segment, a name that normalises to the directory itself or outside it, and a name
 * whose existing parent directories inside the directory resolve (through a symbolic link)
 * outside it. A store can never make {@code get} write elsewhere.
 */
final class ObjectPaths {
  private ObjectPaths() {}

  /** The path {@code name} lands on inside {@code directory}, checked as the class says. */
  static Path inside(Path directory, String name) throws IOException {
    if (name.indexOf('\0') >= 0 || name.startsWith("/")) {
      throw escape(name, directory);
    }
    for (String segment : name.split("/", -1)) {
      if (segment.equals("..")) {
        throw escape(name, directory);
      }
    }
    Path base = directory.toAbsolutePath().normalize();
    Path resolved;
    try {
      resolved = base.resolve(name).normalize();
    } catch (InvalidPathException e) {
      throw escape(name, directory);
    }
    if (!resolved.startsWith(base) || resolved.equals(base)) {
      throw escape(name, directory);
    }
    if (Files.exists(base)) {
      Path existing = resolved.getParent();
      while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
        existing = existing.getParent();
      }
      checkResolvesInside(existing, base, name, directory);
    }
    return resolved;
  }

  /**
   * Makes the parent directories of {@code target} (from {@link #inside}) and checks again, now
   * that they exist, that they resolve inside {@code directory}: returns the real parent.
   */
  static Path parentInside(Path directory, Path target, String name) throws IOException {
    Path base = directory.toAbsolutePath().normalize();
    Path parent = target.getParent();
    Files.createDirectories(parent);
    return checkResolvesInside(parent, base, name, directory);
  }

  private static Path checkResolvesInside(Path existing, Path base, String name, Path directory)
      throws IOException {
    Path real;
    try {
      real = existing.toRealPath();
    } catch (IOException e) {
      // A dangling link inside the directory: where it leads cannot be known, so nothing goes there.
      throw escape(name, directory);
    }
    if (!real.startsWith(base.toRealPath())) {
      throw escape(name, directory);
    }
    return real;
  }

  private static CommandFailure escape(String name, Path directory) {
    return new CommandFailure(
        ExitStatus.FAILED,
        "object '" + printable(name) + "' would be written outside " + directory
            + "; nothing was written for it");
  }

  private static String printable(String name) {
    return name.replace("\0", "\\0");
  }
}
