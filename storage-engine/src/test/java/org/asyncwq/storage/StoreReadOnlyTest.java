package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.Arrays;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.MemoryBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16 point 2: read-only opening shares with readers, never with a writer, writes nothing. */
@Timeout(60)
class StoreReadOnlyTest {
  @TempDir Path tmp;

  @Test
  void readersShareTheStoreButNeverWithAWriterAndRefuseEveryChange() throws Exception {
    Path dir = tmp.resolve("s");
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(8L << 20).build())) {
      s.put("a", new ByteArrayInputStream(new byte[] {7}));
    }
    try (Store r1 = Store.openReadOnly(dir); Store r2 = Store.openReadOnly(dir)) {
      assertThat(r1.isReadOnly()).isTrue();
      assertThat(r1.read("a")).containsExactly(7);
      assertThat(r2.list("")).hasSize(1);
      assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(StoreLockedException.class)
          .hasMessageContaining(dir.toString()).hasMessageContaining("read-only");
      assertThatThrownBy(() -> r1.put("b", new ByteArrayInputStream(new byte[1])))
          .isInstanceOf(ReadOnlyStoreException.class).hasMessageContaining("read-only")
          .hasMessageContaining("put of \"b\"");
      assertThatThrownBy(() -> r1.delete("a")).isInstanceOf(ReadOnlyStoreException.class)
          .hasMessageContaining("delete");
      assertThatThrownBy(() -> r1.replace(0, new MemoryBlockDevice(2048), (d, t) -> { }))
          .isInstanceOf(ReadOnlyStoreException.class).hasMessageContaining("replace");
      assertThat(r2.read("a")).containsExactly(7);
    }
    try (Store w = Store.open(dir)) {
      assertThatThrownBy(() -> Store.openReadOnly(dir)).isInstanceOf(StoreLockedException.class)
          .hasMessageContaining("for writing");
      assertThat(w.isReadOnly()).isFalse();
      assertThat(w.delete("a")).isTrue();
    }
  }

  @Test
  void aBadCopyIsReadAroundButLeftForAWritableOpenToRepair() throws Exception {
    Path dir = tmp.resolve("bad");
    byte[] data = new byte[3 * BlockDevice.BLOCK_SIZE];
    Arrays.fill(data, (byte) 5);
    long block;
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(8L << 20).build())) {
      s.put("x", new ByteArrayInputStream(data));
      block = s.locate("x", 0).get(0).block();
    }
    Path m0 = dir.resolve("mirror-0.img");
    Path m1 = dir.resolve("mirror-1.img");
    byte[] junk = new byte[BlockDevice.BLOCK_SIZE];
    Arrays.fill(junk, (byte) 0x66);
    try (FileChannel ch = FileChannel.open(m0, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(junk), block * BlockDevice.BLOCK_SIZE);
    }
    byte[] m0Before = Files.readAllBytes(m0);
    byte[] m1Before = Files.readAllBytes(m1);
    try (Store r = Store.openReadOnly(dir)) {
      for (int i = 0; i < 4; i++) { // reads take turns among the mirrors: meet the bad copy
        assertThat(r.read("x")).isEqualTo(data);
      }
      assertThat(r.repairsWithheld()).isPositive();
    }
    assertThat(Files.readAllBytes(m0)).as("read-only store wrote nothing").isEqualTo(m0Before);
    assertThat(Files.readAllBytes(m1)).isEqualTo(m1Before);
    try (Store w = Store.open(dir)) {
      for (int i = 0; i < 4; i++) {
        assertThat(w.read("x")).isEqualTo(data);
      }
      assertThat(w.repairsWithheld()).isZero();
    }
    assertThat(block(m0, block)).isEqualTo(block(m1, block));
  }

  private static byte[] block(Path file, long block) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(BlockDevice.BLOCK_SIZE);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.read(b, block * BlockDevice.BLOCK_SIZE);
    }
    return b.array();
  }
}
