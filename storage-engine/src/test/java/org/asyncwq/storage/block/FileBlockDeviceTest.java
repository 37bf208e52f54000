package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** FileBlockDevice against real files: sparse creation, reopen, positional IO, bad input. */
@Timeout(60)
class FileBlockDeviceTest {
  @TempDir Path dir;

  @Test
  void createsASparseFileOfTheRequestedSizeAndReopensIt() throws IOException {
    Path file = dir.resolve("m0.img");
    ByteBuffer data = Fixtures.data(3, 1);
    try (FileBlockDevice dev = FileBlockDevice.create(file, 1024)) {
      assertThat(dev.blockCount()).isEqualTo(1024);
      assertThat(Files.size(file)).isEqualTo(1024L * BLOCK_SIZE);
      dev.write(500, data.duplicate());
      dev.flush();
    }
    try (FileBlockDevice dev = FileBlockDevice.open(file)) {
      assertThat(dev.blockCount()).isEqualTo(1024);
      ByteBuffer back = ByteBuffer.allocate(3 * BLOCK_SIZE);
      dev.read(500, back);
      assertThat(back.hasRemaining()).isFalse();
      assertThat(back.flip()).isEqualTo(data);
      ByteBuffer zero = ByteBuffer.allocate(BLOCK_SIZE);
      dev.read(0, zero);
      assertThat(zero.flip()).isEqualTo(ByteBuffer.allocate(BLOCK_SIZE));
    }
  }

  @Test
  void refusesToOverwriteAnExistingFile() throws IOException {
    Path file = dir.resolve("taken.img");
    Files.writeString(file, "precious");
    assertThatThrownBy(() -> FileBlockDevice.create(file, 8))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(file)).isEqualTo("precious");
  }

  @Test
  void refusesToOpenAFileThatIsNotWholeBlocks() throws IOException {
    Path file = dir.resolve("odd.img");
    Files.write(file, new byte[BLOCK_SIZE + 1]);
    assertThatThrownBy(() -> FileBlockDevice.open(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("4097 bytes")
        .hasMessageContaining("not a positive whole number of 4096-byte blocks");
  }

  @Test
  void rejectsBadArgumentsBeforeTouchingTheFile() throws IOException {
    try (FileBlockDevice dev = FileBlockDevice.create(dir.resolve("d.img"), 4)) {
      ByteBuffer data = Fixtures.data(2, 3);
      assertThatThrownBy(() -> dev.write(3, data))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("blocks [3, 5) are out of range")
          .hasMessageContaining("[0, 4)");
      assertThatThrownBy(() -> dev.write(-1, data))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("out of range");
      assertThatThrownBy(() -> dev.write(0, ByteBuffer.allocate(100)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("100 bytes")
          .hasMessageContaining("not a positive multiple of the block size 4096");
      assertThatThrownBy(() -> dev.read(0, ByteBuffer.allocate(0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("0 bytes");
      assertThat(data.position()).isZero();
      ByteBuffer back = ByteBuffer.allocate(4 * BLOCK_SIZE);
      dev.read(0, back);
      assertThat(back.flip()).isEqualTo(ByteBuffer.allocate(4 * BLOCK_SIZE));
    }
  }

  @Test
  void refusesIoAfterClose() throws IOException {
    FileBlockDevice dev = FileBlockDevice.create(dir.resolve("c.img"), 2);
    dev.close();
    assertThatThrownBy(() -> dev.read(0, ByteBuffer.allocate(BLOCK_SIZE)))
        .isInstanceOf(ClosedChannelException.class);
  }

  @Test
  void concurrentWritersOfDisjointBlocksAllLand() throws Exception {
    int threads = 4;
    int perThread = 64;
    try (FileBlockDevice dev = FileBlockDevice.create(dir.resolve("p.img"), threads * perThread)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int base = t * perThread;
          all.add(CompletableFuture.runAsync(() -> {
            for (int i = 0; i < perThread; i++) {
              try {
                dev.write(base + i, Fixtures.data(1, base + i));
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            }
          }, pool));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
      } finally {
        pool.shutdownNow();
      }
      for (int b = 0; b < threads * perThread; b++) {
        ByteBuffer back = ByteBuffer.allocate(BLOCK_SIZE);
        dev.read(b, back);
        assertThat(back.flip()).isEqualTo(Fixtures.data(1, b));
      }
    }
  }
}
