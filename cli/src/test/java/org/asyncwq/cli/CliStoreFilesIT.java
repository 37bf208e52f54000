package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16 point 3: the store a first {@code put} makes is private to its owner. */
@Timeout(300)
class CliStoreFilesIT {
  @TempDir Path work;

  private static String perms(Path p) throws Exception {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void theDefaultStoreDirectoryIsOwnerOnlyAndItsDeviceFilesToo() throws Exception {
    assumeTrue(work.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path store = work.resolve("home").resolve("store");
    AsyncwqProcess asyncwq = new AsyncwqProcess(work, store);
    Path file = TestFiles.random(work, "f", 5_000, 3);
    asyncwq.run("put", "f", file.toString()).succeeds();
    assertThat(perms(store)).isEqualTo("rwx------");
    assertThat(perms(store.resolve("mirror-0.img"))).isEqualTo("rw-------");
    assertThat(perms(store.resolve("mirror-1.img"))).isEqualTo("rw-------");
    // the holder record is gone once the command has closed the store
    assertThat(store.resolve("mirror-0.img.lock")).doesNotExist();
  }
}
