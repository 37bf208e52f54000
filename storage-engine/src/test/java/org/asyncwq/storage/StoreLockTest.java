package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.FileBlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16 point 1: one writer per store, in this JVM and across processes. */
@Timeout(120)
class StoreLockTest {
  @TempDir Path tmp;

  private static StoreOptions small() {
    return StoreOptions.builder().deviceSize(8L << 20).build();
  }

  private static List<byte[]> contents(Path dir) throws Exception {
    List<byte[]> out = new ArrayList<>();
    for (int m = 0; m < 2; m++) {
      out.add(Files.readAllBytes(dir.resolve("mirror-" + m + ".img")));
    }
    return out;
  }

  @Test
  void aSecondOpenOrCreateOfAnOpenDirectoryInThisJvmFailsAtOnceAndWritesNothing()
      throws Exception {
    Path dir = tmp.resolve("s");
    Store.create(dir, small()).close();
    try (Store first = Store.open(dir)) {
      first.put("a", new java.io.ByteArrayInputStream(new byte[] {1, 2, 3}));
      List<byte[]> before = contents(dir);
      assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(StoreLockedException.class)
          .hasMessageContaining(dir.toString()).hasMessageContaining("this process")
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
      assertThatThrownBy(() -> Store.create(dir, small()))
          .isInstanceOf(StoreLockedException.class).hasMessageContaining(dir.toString());
      List<FileBlockDevice> again = List.of(FileBlockDevice.open(dir.resolve("mirror-0.img")),
          FileBlockDevice.open(dir.resolve("mirror-1.img")));
      try {
        assertThatThrownBy(() -> Store.open(List.copyOf(again)))
            .isInstanceOf(StoreLockedException.class).hasMessageContaining("mirror-0.img");
      } finally {
        for (FileBlockDevice d : again) {
          d.close();
        }
      }
      assertThat(contents(dir)).containsExactlyElementsOf(before);
      // the first store still works after the refusals
      assertThat(first.read("a")).containsExactly(1, 2, 3);
    }
    try (Store reopened = Store.open(dir)) {
      assertThat(reopened.read("a")).containsExactly(1, 2, 3);
    }
  }

  @Test
  void anyBlockDeviceIsGuardedInThisJvmAndReleasedOnClose() throws Exception {
    List<BlockDevice> devices = List.of(new MemoryBlockDevice(1024), new MemoryBlockDevice(1024));
    Store first = Store.create(devices, StoreOptions.defaults());
    assertThatThrownBy(() -> Store.open(devices)).isInstanceOf(StoreLockedException.class)
        .hasMessageContaining("already open for writing");
    assertThatThrownBy(() -> Store.create(devices, StoreOptions.defaults()))
        .isInstanceOf(StoreLockedException.class);
    // one shared device is enough to refuse
    assertThatThrownBy(() -> Store.open(List.of(devices.get(0))))
        .isInstanceOf(StoreLockedException.class);
    first.close();
    // a refused open does not leave the guard behind
    List<BlockDevice> fresh = List.of(new MemoryBlockDevice(1024), new MemoryBlockDevice(1024));
    Store.create(fresh, StoreOptions.defaults()).close();
  }

  @Test
  void aFailedOpenReleasesTheLock() throws Exception {
    Path dir = tmp.resolve("bad");
    Files.createDirectories(dir);
    Files.write(dir.resolve("mirror-0.img"), new byte[BlockDevice.BLOCK_SIZE * 8]);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(CorruptStoreException.class);
    }
  }

  @Test
  void anotherProcessHoldingTheStoreIsNamedAndItsDeathReleasesTheLock() throws Exception {
    Path dir = tmp.resolve("s");
    Store.create(dir, small()).close();
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), StoreLockHolder.class.getName(),
        dir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.equals("locked"));
      assertThat(line).as("child reported the lock").isEqualTo("locked");
      List<byte[]> before = contents(dir);
      assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(StoreLockedException.class)
          .hasMessageContaining(dir.toString()).hasMessageContaining("another process")
          .hasMessageContaining("process " + child.pid());
      assertThat(contents(dir)).containsExactlyElementsOf(before);
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    try (Store s = Store.open(dir)) {
      assertThat(s.list("")).isEmpty();
      assertThat(Files.readString(dir.resolve("mirror-0.img.lock")).trim())
          .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }
    assertThat(dir.resolve("mirror-0.img.lock")).doesNotExist();
  }
}
