package org.asyncwq.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Files of pseudo-random bytes (incompressible, reproducible from the seed) for the CLI tests. */
final class TestFiles {
  private TestFiles() {}

  static Path random(Path dir, String fileName, long size, long seed) throws IOException {
    Path file = dir.resolve(fileName);
    SplittableRandom random = new SplittableRandom(seed);
    byte[] chunk = new byte[1 << 16];
    try (OutputStream out = Files.newOutputStream(file)) {
      long left = size;
      while (left > 0) {
        random.nextBytes(chunk);
        int n = (int) Math.min(chunk.length, left);
        out.write(chunk, 0, n);
        left -= n;
      }
    }
    return file;
  }
}
