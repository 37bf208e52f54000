package org.asyncwq.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The repository this module is built in: its root, its documents and its files. */
final class Repository {
  /** Directories that hold no file of the repository: build output, VCS and IDE state. */
  private static final List<String> NOT_OURS = List.of(".git", "target", ".idea", ".vscode");

  private Repository() {}

  /** The repository root (surefire passes it as asyncwq.repository; else the module's parent). */
  static Path root() {
    String given = System.getProperty("asyncwq.repository");
    Path root = (given != null ? Path.of(given) : Path.of("..")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("README.md"))) {
      throw new IllegalStateException("no README.md in " + root + ": not the repository root");
    }
    return root;
  }

  /** README.md and every Markdown file under docs/, relative to the root. */
  static List<Path> documents() {
    Path root = root();
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      return Stream.concat(Stream.of(root.resolve("README.md")),
              docs.filter(p -> p.toString().endsWith(".md")).sorted())
          .map(root::relativize)
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every regular file of the repository, build output and VCS state left out. */
  static List<Path> files() {
    Path root = root();
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(Files::isRegularFile)
          .map(root::relativize)
          .filter(p -> {
            for (Path part : p) {
              if (NOT_OURS.contains(part.toString())) {
                return false;
              }
            }
            return true;
          })
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
