package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression test for a message the bad-input campaign found unclear: {@code get NAME -o
 * FILE/copy}, where FILE is a regular file, said only "already exists: FILE". It now says what
 * cannot be written and why, and leaves the file as it was.
 */
class OutputUnderAFileTest {
  @TempDir Path dir;

  @Test
  void getIntoAPathUnderARegularFileSaysTheParentIsAFile() throws IOException {
    String store = dir.resolve("store").toString();
    Path file = TestFiles.random(dir, "kept", 5_000, 5);
    byte[] before = Files.readAllBytes(file);
    assertThat(Main.run("--store", store, "-q", "put", "kept", file.toString())).isZero();
    PrintStream err = System.err;
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int status;
    try {
      System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
      status = Main.run("--store", store, "get", "kept", "-o", file.resolve("copy").toString());
    } finally {
      System.setErr(err);
    }
    assertThat(status).isEqualTo(ExitStatus.FAILED.code());
    assertThat(errors.toString(StandardCharsets.UTF_8).lines().toList()).singleElement().asString()
        .startsWith("asyncwq: cannot write " + file.resolve("copy"))
        .endsWith(file + " is a file, not a directory");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }
}
