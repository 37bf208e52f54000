package org.asyncwq.cli;

import java.nio.file.Path;

/**
 * Where an object lands when written out into a directory: its name, read as a relative path,
 * must stay inside that directory ({@code ..}, absolute names and NUL are refused, naming the
 * object), so a store can never make {@code get} write elsewhere.
 */
final class ObjectPaths {
  private ObjectPaths() {}

  static Path inside(Path directory, String name) {
    Path base = directory.toAbsolutePath().normalize();
    if (name.indexOf('\0') >= 0 || name.startsWith("/")) {
      throw escape(name, directory);
    }
    Path resolved = base.resolve(name).normalize();
    if (!resolved.startsWith(base) || resolved.equals(base)) {
      throw escape(name, directory);
    }
    return resolved;
  }

  private static CommandFailure escape(String name, Path directory) {
    return new CommandFailure(
        ExitStatus.FAILED,
        "object '" + name + "' would be written outside " + directory + "; nothing was written for it");
  }
}
