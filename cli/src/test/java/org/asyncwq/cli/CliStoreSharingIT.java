package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 2, as separate processes: {@code ls}, {@code stat}, {@code get} and {@code check}
 * open the store read-only, so they run beside another reader, while a writer beside a reader is
 * refused with exit status 4 and changes nothing.
 *
 * <p>The holding reader is a {@code get -o -} of an object far larger than a pipe holds, whose
 * stdout the test does not drain: once its first bytes arrive it has the store open, and it keeps
 * it open, blocked on the full pipe, until the test reads the rest. No sleeping: the test waits on
 * the holder's output.
 */
@Timeout(300)
class CliStoreSharingIT {
  @TempDir Path work;

  @Test
  void twoReadersRunAtOnceAndAWriterBesideThemIsRefusedChangingNothing() throws Exception {
    AsyncwqProcess asyncwq = new AsyncwqProcess(work, work.resolve("store"));
    // Small devices: the test compares a whole device file before and after the refused writer.
    asyncwq.run("mkfs", "--size", "32M", "--ags", "2").succeeds();
    Path big = TestFiles.random(work, "big", 4L << 20, 21);
    Path small = TestFiles.random(work, "small", 10_000, 22);
    asyncwq.run("put", "big", big.toString()).succeeds();
    asyncwq.run("put", "small", small.toString()).succeeds();
    String listing = asyncwq.run("ls", "-l").succeeds().stdout();

    Process holder = asyncwq.start("get", "big", "-o", "-");
    byte[] expected = Files.readAllBytes(big);
    try (InputStream held = holder.getInputStream()) {
      byte[] first = held.readNBytes(4096);
      assertThat(first).as("the holding get's first bytes (it has the store open)")
          .isEqualTo(java.util.Arrays.copyOf(expected, 4096));
      assertThat(holder.isAlive()).as("the holder still holds the store, blocked on its pipe").isTrue();

      // A second reader of each kind runs beside it.
      assertThat(asyncwq.run("ls", "-l").succeeds().stdout()).isEqualTo(listing);
      Path copy = work.resolve("small.copy");
      asyncwq.run("get", "small", "-o", copy.toString()).succeeds();
      assertThat(copy).hasSameBinaryContentAs(small);

      // A writer is refused, naming why, and writes nothing.
      byte[] device = Files.readAllBytes(asyncwq.store().resolve("mirror-0.img"));
      String refused = asyncwq.run("put", "intruder", small.toString()).exits(4).oneLineError();
      assertThat(refused).contains("cannot open the store").contains("locked").contains("another process");
      assertThat(Files.readAllBytes(asyncwq.store().resolve("mirror-0.img"))).isEqualTo(device);

      byte[] rest = held.readAllBytes();
      assertThat(rest.length).isEqualTo(expected.length - 4096);
      assertThat(java.util.Arrays.equals(rest, 0, rest.length, expected, 4096, expected.length))
          .as("the holder's bytes are the object's").isTrue();
    } finally {
      if (!holder.waitFor(120, TimeUnit.SECONDS)) {
        holder.destroyForcibly().waitFor();
      }
    }
    assertThat(holder.exitValue()).isZero();
    asyncwq.run("check").succeeds();
    assertThat(asyncwq.run("ls", "-l").succeeds().stdout()).isEqualTo(listing);
  }
}
