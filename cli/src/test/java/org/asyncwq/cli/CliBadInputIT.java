package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 point 4 (and issue 16 point 5): every bad input gets its exit status and one line on
 * stderr saying what was wrong, and the store is unchanged afterwards: {@code check} is clean and
 * {@code ls -l} lists the same objects.
 */
@Timeout(300)
class CliBadInputIT {
  @TempDir static Path work;
  private static AsyncwqProcess asyncwq;
  private static Path file;
  private static Path big;
  private static String listingBefore;

  @BeforeAll
  static void storeWithOneObject() throws IOException {
    asyncwq = new AsyncwqProcess(work, work.resolve("store"));
    asyncwq.run("mkfs", "--size", "16M", "--ags", "2").succeeds();
    file = TestFiles.random(work, "kept", 20_000, 11);
    asyncwq.run("put", "kept", file.toString()).succeeds();
    // Larger than a pipe holds: a 'get -o -' of it, not drained, holds the store open read-only.
    big = TestFiles.random(work, "big", 2L << 20, 13);
    asyncwq.run("put", "big", big.toString()).succeeds();
    // A name a store may hold but that must never be written out as a path.
    asyncwq.run("put", "../escape", file.toString()).succeeds();
    listingBefore = asyncwq.run("ls", "-l").succeeds().stdout();
  }

  /**
   * The store as it was: check is clean (it verifies every block's checksum) and the same objects
   * are listed, with the same sizes and generations.
   */
  private static void assertStoreUnchanged() {
    asyncwq.run("check").succeeds();
    assertThat(asyncwq.run("ls", "-l").succeeds().stdout()).isEqualTo(listingBefore);
  }

  @Test
  void unknownCommandIsUsageError() throws IOException {
    assertThat(asyncwq.run("frobnicate").exits(2).oneLineError()).contains("unknown command 'frobnicate'");
    assertStoreUnchanged();
  }

  @Test
  void unknownOptionIsUsageError() throws IOException {
    assertThat(asyncwq.run("ls", "--colour").exits(2).oneLineError()).contains("unknown option '--colour'");
    assertStoreUnchanged();
  }

  @Test
  void missingArgumentIsUsageError() throws IOException {
    assertThat(asyncwq.run("get").exits(2).oneLineError()).contains("NAME");
    assertThat(asyncwq.run("rm").exits(2).oneLineError()).contains("NAME");
    assertStoreUnchanged();
  }

  /**
   * Issue 16 points 1 and 6: while one CLI process holds the store (a put waiting on its stdin),
   * another is refused with exit 4 naming the holder; once the holder is killed the store opens
   * and is unchanged.
   */
  @Test
  void storeOpenInAnotherProcessIsRefusedAndUnchangedAfterTheHolderIsKilled() throws Exception {
    Process holder = new ProcessBuilder(asyncwq.commandLine("put", "held", "-"))
        .directory(work.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try {
      // The holder takes the lock some time after it starts; a probe before that would race it for
      // the lock (and could win, leaving the holder refused). Its pid in the lock record is the
      // sign it holds the store. Bounded: a holder that dies or never locks fails the test.
      Path record = work.resolve("store").resolve("mirror-0.img.lock");
      String pid = Long.toString(holder.pid());
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
      while (!holds(record, pid)) {
        assertThat(holder.isAlive()).as("the holding put is still running").isTrue();
        assertThat(System.nanoTime() - deadline).as("holder locked within 120 s").isNegative();
        holder.waitFor(20, java.util.concurrent.TimeUnit.MILLISECONDS); // wakes early if it dies
      }
      AsyncwqProcess.Result refused = asyncwq.run("ls");
      assertThat(refused.exitCode()).as("ls refused while the put holds the store").isEqualTo(4);
      assertThat(refused.oneLineError()).contains("locked").contains("another process")
          .contains("process " + holder.pid());
      assertThat(asyncwq.run("put", "intruder", file.toString()).exits(4).oneLineError())
          .contains("locked");
    } finally {
      holder.destroyForcibly();
      assertThat(holder.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    assertStoreUnchanged();
  }

  private static boolean holds(Path record, String pid) throws IOException {
    try {
      return Files.readString(record).trim().equals(pid);
    } catch (java.nio.file.NoSuchFileException notYet) {
      return false;
    }
  }

  @Test
  void storeDirectoryThatDoesNotExistCannotBeOpened() {
    AsyncwqProcess elsewhere = new AsyncwqProcess(work, work.resolve("no-such-store"));
    assertThat(elsewhere.run("ls").exits(4).oneLineError()).contains("no store at").contains("no-such-store");
    assertThat(work.resolve("no-such-store")).doesNotExist();
  }

  @Test
  void directoryThatIsNotAStoreCannotBeOpened() throws IOException {
    Path notAStore = Files.createTempDirectory(work, "photos");
    Files.writeString(notAStore.resolve("holiday.txt"), "not a store");
    AsyncwqProcess elsewhere = new AsyncwqProcess(work, notAStore);
    assertThat(elsewhere.run("ls").exits(4).oneLineError()).contains("cannot open the store");
    assertThat(elsewhere.run("put", "x", file.toString()).exits(4).oneLineError()).contains("cannot open the store");
    assertThat(Files.list(notAStore).toList()).containsExactly(notAStore.resolve("holiday.txt"));
  }

  @Test
  void damagedSuperblockOnEveryMirrorCannotBeOpenedAndNothingIsWritten() throws IOException {
    AsyncwqProcess damaged = new AsyncwqProcess(work, work.resolve("damaged"));
    damaged.run("mkfs", "--size", "1M", "--ags", "1").succeeds();
    damaged.run("put", "kept", file.toString()).succeeds();
    for (int mirror = 0; mirror < 2; mirror++) {
      Path device = damaged.store().resolve("mirror-" + mirror + ".img");
      try (FileChannel channel = FileChannel.open(device, StandardOpenOption.WRITE)) {
        ByteBuffer garbage = ByteBuffer.allocate(2 * 4096);
        while (garbage.hasRemaining()) {
          garbage.put((byte) 0x5a);
        }
        channel.write(garbage.flip(), 0);
      }
    }
    byte[] before = Files.readAllBytes(damaged.store().resolve("mirror-0.img"));
    assertThat(damaged.run("ls").exits(4).oneLineError()).contains("cannot open the store");
    assertThat(damaged.run("check").exits(4).oneLineError()).contains("cannot open the store");
    assertThat(damaged.run("get", "kept").exits(4).oneLineError()).contains("cannot open the store");
    assertThat(Files.readAllBytes(damaged.store().resolve("mirror-0.img"))).isEqualTo(before);
  }

  @Test
  void nameThatIsNotUtf8IsUsageError() throws IOException {
    String command = String.join(" ", asyncwq.commandLine("put")) + " \"$(printf 'bad\\377name')\" " + file;
    AsyncwqProcess.Result result = asyncwq.exec(List.of("bash", "-c", command), null, null).exits(2);
    assertThat(result.oneLineError()).contains("not valid UTF-8");
    assertStoreUnchanged();
  }

  @Test
  void nameTooLongIsUsageError() throws IOException {
    String name = "n".repeat(1025);
    assertThat(asyncwq.run("put", name, file.toString()).exits(2).oneLineError()).contains("1025 bytes");
    assertStoreUnchanged();
  }

  @Test
  void getOfAMissingObjectFails() throws IOException {
    assertThat(asyncwq.run("get", "absent").exits(1).oneLineError()).contains("no object named 'absent'");
    assertStoreUnchanged();
  }

  @Test
  void putOfAMissingFileFails() throws IOException {
    assertThat(asyncwq.run("put", "x", work.resolve("absent.bin").toString()).exits(1).oneLineError())
        .contains("no such file").contains("absent.bin");
    assertStoreUnchanged();
  }

  @Test
  void putLargerThanTheFreeSpaceFailsAndLosesNothing() throws IOException {
    Path huge = TestFiles.random(work, "huge", 24L << 20, 12);
    huge.toFile().deleteOnExit();
    assertThat(asyncwq.run("put", "huge", huge.toString()).exits(1).oneLineError()).containsIgnoringCase("space");
    assertStoreUnchanged();
  }

  @Test
  void unwritableOutputFileFails() throws IOException {
    Path underAFile = file.resolve("copy");
    assertThat(asyncwq.run("get", "kept", "-o", underAFile.toString()).exits(1).oneLineError()).contains("kept");
    assertStoreUnchanged();
  }

  @Test
  void unknownChecksumTypeIsUsageErrorAndMakesNothing() {
    AsyncwqProcess fresh = new AsyncwqProcess(work, work.resolve("fresh-" + System.nanoTime()));
    assertThat(fresh.run("mkfs", "--checksum", "md5").exits(2).oneLineError()).contains("md5").contains("CRC32C");
    assertThat(fresh.store()).doesNotExist();
  }

  @Test
  void corruptAndReplaceChangeNothingWithoutForce() throws IOException {
    assertThat(asyncwq.run("corrupt", "kept").exits(2).oneLineError()).contains("--force");
    assertThat(asyncwq.run("replace", "1", work.resolve("new.img").toString()).exits(2).oneLineError())
        .contains("--force");
    assertThat(work.resolve("new.img")).doesNotExist();
    assertStoreUnchanged();
  }

  @Test
  void objectNameEscapingTheOutputDirectoryIsRefused() throws IOException {
    AsyncwqProcess other = new AsyncwqProcess(work, work.resolve("escaping"));
    other.run("put", "../escape", file.toString()).succeeds();
    Path into = Files.createDirectory(work.resolve("into"));
    assertThat(other.run("get", "../escape", "-o", into.toString()).exits(1).oneLineError())
        .contains("'../escape'").contains("outside");
    assertThat(work.resolve("escape")).doesNotExist();
    assertThat(into).isEmptyDirectory();
  }

  /**
   * Issue 16 points 2 and 6: while a reader (a {@code get -o -} blocked on its undrained stdout)
   * holds the store read-only, a writer is refused with exit 4 and one line, and nothing changes.
   */
  @Test
  void writerBesideAReadOnlyHolderIsRefusedAndTheStoreIsUnchanged() throws Exception {
    Process reader = asyncwq.start("get", "big", "-o", "-");
    try (java.io.InputStream held = reader.getInputStream()) {
      assertThat(held.readNBytes(4096)).as("the reader has the store open").hasSize(4096);
      assertThat(asyncwq.run("put", "intruder", file.toString()).exits(4).oneLineError())
          .contains("cannot open the store").contains("locked").contains("another process");
      assertThat(asyncwq.run("rm", "kept").exits(4).oneLineError()).contains("locked");
      assertThat(held.readAllBytes()).hasSize((int) Files.size(big) - 4096);
    } finally {
      if (!reader.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
        reader.destroyForcibly().waitFor();
      }
    }
    assertThat(reader.exitValue()).isZero();
    assertStoreUnchanged();
  }

  /**
   * Issue 16 points 4 and 6: an object whose name would land outside the output directory is
   * refused with exit 1 and one line naming it, by {@code get -o DIR/} and by {@code get --dir}
   * (which still writes the others); nothing lands outside and the store is unchanged.
   */
  @Test
  void escapingNameIsRefusedByGetIntoADirectoryAndTheStoreIsUnchanged() throws IOException {
    Path into = Files.createDirectories(work.resolve("into-escape"));
    assertThat(asyncwq.run("get", "../escape", "-o", into + "/").exits(1).oneLineError())
        .contains("object '../escape'").contains("outside").contains("nothing was written");
    assertThat(into).isEmptyDirectory();
    Path all = work.resolve("all-escape");
    assertThat(asyncwq.run("get", "--dir", all.toString()).exits(1).oneLineError())
        .contains("object '../escape'").contains("outside");
    assertThat(all.resolve("kept")).hasSameBinaryContentAs(file);
    assertThat(all.resolve("big")).hasSameBinaryContentAs(big);
    assertThat(work.resolve("escape")).doesNotExist();
    assertStoreUnchanged();
  }
}
