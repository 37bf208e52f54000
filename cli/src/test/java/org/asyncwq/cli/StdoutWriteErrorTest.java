package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression test for a defect the bad-input campaign found: with stdout on a full disk, {@code ls},
 * {@code stat}, {@code check} and {@code scrub} exited 0 with their results lost, because a
 * {@link PrintStream} only records write errors. A command whose results could not be written now
 * fails with exit 1 and one line saying so.
 */
class StdoutWriteErrorTest {
  @TempDir Path dir;

  /** Stdout on a full disk: every write fails as /dev/full's do. */
  private static final class FullDisk extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      throw new IOException("No space left on device");
    }
  }

  @Test
  void resultsThatCannotBeWrittenFailTheCommandWithOneLine() throws IOException {
    String store = dir.resolve("store").toString();
    assertThat(Main.run("--store", store, "-q", "mkfs", "--size", "1M", "--ags", "1")).isZero();
    Path file = TestFiles.random(dir, "kept", 5_000, 3);
    assertThat(Main.run("--store", store, "-q", "put", "kept", file.toString())).isZero();
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int status;
    try {
      System.setOut(new PrintStream(new FullDisk(), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
      status = Main.run("--store", store, "ls", "-l");
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    assertThat(status).isEqualTo(ExitStatus.FAILED.code());
    assertThat(errors.toString(StandardCharsets.UTF_8).lines().toList())
        .singleElement().asString()
        .startsWith("asyncwq: cannot write the results to standard output");
    assertThat(Main.run("--store", store, "-q", "check")).as("the store is unharmed").isZero();
  }
}
