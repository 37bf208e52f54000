package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.asyncwq.storage.block.BlockDevice;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11 point 4: superblock damage, on real files. */
@Timeout(120)
class StoreSuperblockTest {
  private static final int B = BlockDevice.BLOCK_SIZE;
  @TempDir Path tmp;
  private Path dir;

  @BeforeEach
  void storeWithTwoObjects() throws Exception {
    dir = tmp.resolve("s");
    try (Store s = Store.create(dir, StoreOptions.builder().deviceSize(8L << 20).build())) {
      s.put("a", new ByteArrayInputStream(StoreRoundTripTest.random(1, 10_000)));
      s.put("b", new ByteArrayInputStream(StoreRoundTripTest.random(2, 100)));
    }
  }

  private Path mirror(int m) {
    return dir.resolve("mirror-" + m + ".img");
  }

  private static ByteBuffer block(Path f, long block) throws Exception {
    try (FileChannel ch = FileChannel.open(f)) {
      ByteBuffer b = ByteBuffer.allocate(B);
      ch.read(b, block * B);
      return b.flip();
    }
  }

  private static void write(Path f, long block, ByteBuffer b) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.write(b, block * B);
    }
  }

  private static void flip(Path f, long block, int offset) throws Exception {
    ByteBuffer b = block(f, block);
    b.put(offset, (byte) ~b.get(offset));
    write(f, block, b);
  }

  private String digest() throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(Files.readAllBytes(mirror(0)));
    md.update(Files.readAllBytes(mirror(1)));
    return HexFormat.of().formatHex(md.digest());
  }

  @Test
  void oneMirrorsSuperblocksDamagedOpensFromTheOtherAndRewritesThem() throws Exception {
    flip(mirror(0), 0, 100);
    flip(mirror(0), 1, 100);
    assertThat(Superblock.decode(block(mirror(0), 0)).ok()).isFalse();
    try (Store s = Store.open(dir)) {
      assertThat(s.read("a")).isEqualTo(StoreRoundTripTest.random(1, 10_000));
    }
    for (int slot = 0; slot < 2; slot++) {
      Superblock.Read r0 = Superblock.decode(block(mirror(0), slot));
      Superblock.Read r1 = Superblock.decode(block(mirror(1), slot));
      assertThat(r0.ok()).isTrue();
      assertThat(r0.superblock().mirror()).isZero();
      assertThat(r0.superblock().generation()).isEqualTo(r1.superblock().generation());
    }
  }

  @Test
  void bothMirrorsDamagedIsACorruptStoreAndNothingIsWritten() throws Exception {
    for (int m = 0; m < 2; m++) {
      flip(mirror(m), 0, 200);
      flip(mirror(m), 1, 200);
    }
    String before = digest();
    assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("no valid superblock")
        .hasMessageContaining("mirror-1.img")
        .hasMessageContaining("damaged");
    assertThat(digest()).isEqualTo(before);
  }

  @Test
  void wrongMagicIsNotAStore() throws Exception {
    for (int m = 0; m < 2; m++) {
      write(mirror(m), 0, ByteBuffer.wrap("not a store at all".repeat(300).getBytes(), 0, B));
      write(mirror(m), 1, ByteBuffer.allocate(B));
    }
    String before = digest();
    assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("bad magic");
    assertThat(digest()).isEqualTo(before);
  }

  @Test
  void truncatedDevicesAreRefusedSayingSo() throws Exception {
    for (int m = 0; m < 2; m++) {
      try (FileChannel ch = FileChannel.open(mirror(m), StandardOpenOption.WRITE)) {
        ch.truncate(64L * B);
      }
    }
    String before = digest();
    assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("has 64 blocks but the store needs 2048");
    assertThat(digest()).isEqualTo(before);
  }

  @Test
  void anUnknownFormatVersionIsRefusedNeverGuessed() throws Exception {
    ByteBuffer b = block(mirror(1), 1);
    b.putInt(8, 7);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, B - 4);
    b.putInt(B - 4, (int) crc.getValue());
    write(mirror(1), 1, b);
    String before = digest();
    assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("unknown format version 7")
        .hasMessageContaining("mirror 1");
    assertThat(digest()).isEqualTo(before);
  }

  @Test
  void aDirectoryWithoutDevicesIsNotAStore() throws Exception {
    Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> Store.open(tmp.resolve("empty")))
        .isInstanceOf(CorruptStoreException.class).hasMessageContaining("no mirror-N.img");
  }
}
