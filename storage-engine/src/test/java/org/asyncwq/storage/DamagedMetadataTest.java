package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.asyncwq.storage.block.BlockDevice;
import org.asyncwq.storage.block.Checksum;
import org.asyncwq.storage.block.ChecksumType;
import org.asyncwq.storage.tree.BlockPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests for the defects the fuzzing campaign found: metadata whose checksums verify (a
 * crafted or resealed image) but whose fields are impossible must be refused with the documented
 * {@link CorruptStoreException} or a superblock problem, never an undocumented RuntimeException.
 */
@Timeout(60)
class DamagedMetadataTest {
  private static final int CSUM_LENGTH_AT = 96; // after the root block and generation

  private static ByteBuffer resealed(ByteBuffer sb) {
    CRC32C crc = new CRC32C();
    crc.update(sb.array(), 0, BlockDevice.BLOCK_SIZE - 4);
    sb.putInt(BlockDevice.BLOCK_SIZE - 4, (int) crc.getValue());
    return sb;
  }

  private static Superblock superblock() {
    Checksum c = Checksum.of(ChecksumType.CRC32C, ByteBuffer.allocate(BlockDevice.BLOCK_SIZE));
    return new Superblock(UUID.randomUUID(), 0, 2, ChecksumType.CRC32C, 2, 1024, 5, 9, 3,
        new BlockPointer(10, 5, c));
  }

  @Test
  void aResealedSuperblockWithANegativeOrWrongChecksumLengthIsRefusedNotThrown() {
    for (int length : new int[] {-1, -128, 3, 32, 127}) {
      ByteBuffer raw = superblock().encode();
      raw.put(CSUM_LENGTH_AT, (byte) length);
      Superblock.Read r = Superblock.decode(resealed(raw));
      assertThat(r.ok()).as("checksum length %s", length).isFalse();
      assertThat(r.problem()).contains("out of range");
    }
  }

  @Test
  void aResealedSuperblockWithImpossibleGeometryIsRefused() {
    ByteBuffer raw = superblock().encode();
    raw.putLong(48, 1); // device blocks: fewer than the two superblock slots
    assertThat(Superblock.decode(resealed(raw)).problem()).contains("out of range");
    raw = superblock().encode();
    raw.putInt(44, Integer.MAX_VALUE); // more allocation groups than blocks
    assertThat(Superblock.decode(resealed(raw)).problem()).contains("out of range");
    raw = superblock().encode();
    raw.putLong(80, 5000); // directory root beyond the device
    assertThat(Superblock.decode(resealed(raw)).problem()).contains("out of range");
    assertThat(Superblock.decode(superblock().encode()).ok()).isTrue();
  }

  @Test
  void anExtentEntryReachingPastTheEndOfTheBlockNumbersIsCorruptMetadata() {
    ByteBuffer v = ByteBuffer.allocate(8 + 2 + 3 * 4);
    v.putLong(Long.MAX_VALUE - 1).putShort((short) 3);
    assertThatThrownBy(() -> ExtentRun.decode(new byte[8], v.array(), ChecksumType.CRC32C))
        .isInstanceOf(CorruptStoreException.class).hasMessageContaining("extent-map entry");
    assertThatThrownBy(() -> ExtentRun.decode(new byte[8], new byte[5], ChecksumType.CRC32C))
        .isInstanceOf(CorruptStoreException.class);
  }

  @Test
  void anObjectRecordWithAnUnknownChecksumTypeOrImpossibleSizeIsCorruptMetadata() {
    ObjectRecord good = new ObjectRecord(7, 5000, 3, Instant.EPOCH, ChecksumType.CRC32C, 1, 2,
        null);
    byte[] bad = good.encode();
    bad[36] = 9; // checksum type ordinal
    assertThatThrownBy(() -> ObjectRecord.decode(bad)).isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("checksum type 9");
    byte[] size = good.encode();
    ByteBuffer.wrap(size).putLong(8, -5);
    assertThatThrownBy(() -> ObjectRecord.decode(size)).isInstanceOf(CorruptStoreException.class);
    assertThatThrownBy(() -> ObjectRecord.decode(new byte[3]))
        .isInstanceOf(CorruptStoreException.class);
  }

  @Test
  void anExtentEntryOfMoreBlocksThanAnEntryHoldsIsCorruptMetadata() {
    int n = ExtentRun.maxBlocks(ChecksumType.CRC32C) + 1;
    ByteBuffer v = ByteBuffer.allocate(8 + 2 + n * 4);
    v.putLong(100).putShort((short) n);
    assertThatThrownBy(() -> ExtentRun.decode(new byte[8], v.array(), ChecksumType.CRC32C))
        .isInstanceOf(CorruptStoreException.class);
  }

  /**
   * The fuzzer's findings replayed: execution 111 (a directory page whose keys left its parent's
   * range hid an object from lookups: NoSuchObjectException for a listed object) and 276 (an
   * object record whose extent map does not tile its size: IndexOutOfBoundsException on read).
   */
  @Test
  void fuzzExecutions111And276NowFailOnlyWithDocumentedExceptions() throws Exception {
    StoreImageFuzzTarget.fuzzerTestOneInput(StoreImageFuzzTest.input(111));
    StoreImageFuzzTarget.fuzzerTestOneInput(StoreImageFuzzTest.input(276));
  }

  /** The fuzzer's execution 461: a key that is not UTF-8 was listed but could not be read. */
  @Test
  void aDirectoryKeyThatIsNotUtf8IsCorruptMetadataNotAListedNameNoLookupFinds() throws Exception {
    assertThatThrownBy(() -> Names.decodeStored(new byte[] {'a', (byte) 0xC3, 'b'}))
        .isInstanceOf(CorruptStoreException.class).hasMessageContaining("UTF-8");
    assertThat(Names.decodeStored("名前".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo("名前");
    StoreImageFuzzTarget.fuzzerTestOneInput(StoreImageFuzzTest.input(461));
  }
}
