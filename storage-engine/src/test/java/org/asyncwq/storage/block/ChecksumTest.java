package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Point 9: every checksum type round-trips and catches one flipped bit anywhere in a block. */
class ChecksumTest {

  @ParameterizedTest
  @EnumSource(ChecksumType.class)
  void roundTripsThroughItsBytesAndIsAValue(ChecksumType type) {
    ByteBuffer block = Fixtures.data(1, 7);
    Checksum sum = Checksum.of(type, block);

    assertThat(sum.type()).isEqualTo(type);
    assertThat(sum.bytes()).hasSize(type.size());
    Checksum back = Checksum.fromBytes(type, sum.bytes());
    assertThat(back).isEqualTo(sum).hasSameHashCodeAs(sum);
    assertThat(back.toString()).isEqualTo(sum.toString()).matches("[0-9a-f]+")
        .hasSize(2 * type.size());
    assertThat(Checksum.of(type, block)).isEqualTo(sum);
    assertThat(sum.matches(block)).isTrue();
    assertThat(block.position()).isZero();
    assertThat(block.remaining()).isEqualTo(BLOCK_SIZE);
  }

  @ParameterizedTest
  @EnumSource(ChecksumType.class)
  void detectsASingleFlippedBitInAnyByteOfABlock(ChecksumType type) {
    ByteBuffer block = Fixtures.data(1, 11);
    Checksum sum = Checksum.of(type, block);
    for (int offset = 0; offset < BLOCK_SIZE; offset++) {
      byte original = block.get(offset);
      for (int bit = 0; bit < 8; bit++) {
        block.put(offset, (byte) (original ^ (1 << bit)));
        assertThat(sum.matches(block))
            .as("%s misses bit %d of byte %d", type, bit, offset).isFalse();
      }
      block.put(offset, original);
    }
    assertThat(sum.matches(block)).isTrue();
  }

  @Test
  void matchesTheAlgorithmsPublishedCheckValues() {
    ByteBuffer check = ByteBuffer.wrap("123456789".getBytes(StandardCharsets.US_ASCII));
    assertThat(Checksum.of(ChecksumType.CRC32C, check)).hasToString("e3069283");
    assertThat(Checksum.of(ChecksumType.XXH64, ByteBuffer.allocate(0)))
        .hasToString("ef46db3751d8e999");
    assertThat(Checksum.of(ChecksumType.SHA256, ByteBuffer.allocate(0))).hasToString(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void everyTypeOfADirectBufferIsComputedAndMatchedAsOfTheSameBytesOnTheHeap() {
    ByteBuffer heap = Fixtures.data(3, 2);
    ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
    for (ChecksumType t : ChecksumType.values()) {
      Checksum onHeap = Checksum.of(t, heap);
      assertThat(Checksum.of(t, direct)).as("%s", t).isEqualTo(onHeap);
      assertThat(onHeap.matches(direct)).as("%s", t).isTrue();
      assertThat(onHeap.matches(direct, 4096, 4096)).as("%s second block", t)
          .isEqualTo(Checksum.of(t, heap.duplicate().position(4096)).equals(onHeap));
    }
  }

  @Test
  void differentTypesAreNeverEqual() {
    byte[] four = {1, 2, 3, 4};
    assertThat(Checksum.fromBytes(ChecksumType.CRC32C, four))
        .isNotEqualTo(Checksum.fromBytes(ChecksumType.CRC32C, new byte[] {1, 2, 3, 5}));
    assertThat(Checksum.of(ChecksumType.CRC32C, Fixtures.data(1, 1)))
        .isNotEqualTo(Checksum.of(ChecksumType.XXH64, Fixtures.data(1, 1)));
  }

  @Test
  void refusesBytesOfTheWrongLength() {
    assertThatThrownBy(() -> Checksum.fromBytes(ChecksumType.XXH64, new byte[4]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("XXH64 checksum has 8 bytes, got 4");
  }
}
