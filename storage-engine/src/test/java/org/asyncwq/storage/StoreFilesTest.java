package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.asyncwq.storage.block.FileBlockDevice;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16 point 3: private device files and directory; creation never follows a link. */
@Timeout(60)
class StoreFilesTest {
  @TempDir Path tmp;

  private static StoreOptions small() {
    return StoreOptions.builder().deviceSize(8L << 20).build();
  }

  @BeforeEach
  void posix() {
    assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"));
  }

  private static String perms(Path p) throws Exception {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void deviceFilesAreOwnerOnlyAndTheStoreDirectoryIsPrivate() throws Exception {
    Path dir = tmp.resolve("a").resolve("s");
    try (Store s = Store.create(dir, small())) {
      assertThat(perms(dir)).isEqualTo("rwx------");
      assertThat(perms(dir.resolve("mirror-0.img"))).isEqualTo("rw-------");
      assertThat(perms(dir.resolve("mirror-1.img"))).isEqualTo("rw-------");
      assertThat(perms(dir.resolve("mirror-0.img.lock"))).isEqualTo("rw-------");
    }
    Path f = tmp.resolve("dev.img");
    FileBlockDevice.create(f, 16).close();
    assertThat(perms(f)).isEqualTo("rw-------");
  }

  @Test
  void aSymbolicLinkInPlaceOfADeviceFileIsNeverFollowed() throws Exception {
    Path target = Files.writeString(tmp.resolve("precious.txt"), "keep me");
    Path dir = Files.createDirectories(tmp.resolve("s"));
    Files.createSymbolicLink(dir.resolve("mirror-0.img"), target);
    assertThatThrownBy(() -> Store.create(dir, small()))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("mirror-0.img");
    assertThat(Files.readString(target)).isEqualTo("keep me");
    assertThat(dir.resolve("mirror-1.img")).doesNotExist();

    Path dangling = tmp.resolve("dangling.img");
    Path missing = tmp.resolve("would-be-created.img");
    Files.createSymbolicLink(dangling, missing);
    assertThatThrownBy(() -> FileBlockDevice.create(dangling, 16))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(missing).doesNotExist();
  }
}
