package org.asyncwq.bench.storage;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where the storage benchmarks put their files: a fresh directory under {@code
 * -Dasyncwq.bench.dir} (default: the working directory, which {@code bench/run} sets to the
 * checkout, so the files are on the disk the project is on, never on a tmpfs {@code /tmp}), removed
 * with everything in it afterwards.
 */
final class BenchDirectory {
  private BenchDirectory() {}

  static Path base() {
    return Path.of(System.getProperty("asyncwq.bench.dir", ".")).toAbsolutePath().normalize();
  }

  static Path create(String prefix) throws IOException {
    Files.createDirectories(base());
    return Files.createTempDirectory(base(), ".storage-bench-" + prefix + "-");
  }

  /** The file system type of the base directory (e.g. ext4, xfs, tmpfs), for the report. */
  static String fileSystem() {
    try {
      Files.createDirectories(base());
      return Files.getFileStore(base()).type();
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  static void delete(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
