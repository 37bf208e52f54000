package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Point 10: bad input is refused with an exception that names the problem; nothing is written. */
@Timeout(60)
class BadInputTest {

  private static void assertNothingWritten(List<FaultyBlockDevice> mirrors) {
    for (FaultyBlockDevice m : mirrors) {
      for (long b = 0; b < m.blockCount(); b++) {
        assertThat(m.writes(b)).as("writes of block %d", b).isZero();
      }
    }
  }

  @Test
  void point10_blocksOutOfRange() {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 8);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      assertThatThrownBy(() -> v.write(7, Fixtures.data(2, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("write: blocks [7, 9) are out of range")
          .hasMessageContaining("[0, 8)");
      assertThatThrownBy(() -> v.write(-1, Fixtures.data(1, 1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
      Checksum sum = Checksum.of(ChecksumType.CRC32C, Fixtures.data(1, 1));
      assertThatThrownBy(() -> v.read(8, List.of(sum)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("read: blocks [8, 9) are out of range");
      assertThatThrownBy(() -> v.scrub(List.of(new BlockRef(99, sum)), ScrubListener.NONE))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scrub");
      assertThatThrownBy(() -> v.read(0, List.of(sum), 2))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mirror 2");
      assertNothingWritten(m);
    }
  }

  @Test
  void point10_aBufferThatIsNotWholeBlocks() {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 8);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build()) {
      assertThatThrownBy(() -> v.write(0, ByteBuffer.allocate(BLOCK_SIZE + 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("4097 bytes")
          .hasMessageContaining("not a positive multiple of the block size");
      assertThatThrownBy(() -> v.write(0, ByteBuffer.allocate(0)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 bytes");
      assertThatThrownBy(() -> v.read(0, List.of()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no checksums");
      assertThatThrownBy(() -> v.read(0, Arrays.asList((Checksum) null)))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("checksum 0 is null");
      assertNothingWritten(m);
    }
  }

  @Test
  void point10_mirrorsOfUnequalSizeOrTooFewOrTooMany() {
    assertThatThrownBy(() -> MirroredVolume.builder(List.of(new MemoryBlockDevice(8),
        new MemoryBlockDevice(9))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("equal size")
        .hasMessageContaining("mirror 0 has 8 blocks, mirror 1");
    assertThatThrownBy(() -> MirroredVolume.builder(List.of()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 4 mirrors, got 0");
    List<BlockDevice> five = List.of(new MemoryBlockDevice(1), new MemoryBlockDevice(1),
        new MemoryBlockDevice(1), new MemoryBlockDevice(1), new MemoryBlockDevice(1));
    assertThatThrownBy(() -> MirroredVolume.builder(five).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 5");
    MemoryBlockDevice same = new MemoryBlockDevice(4);
    assertThatThrownBy(() -> MirroredVolume.builder(List.of(same, same)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same device");
    assertThatThrownBy(() -> MirroredVolume.builder(List.of(same)).errorBudget(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errorBudget");
  }

  @Test
  void point10_aClosedVolume() {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 8);
    MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).build();
    Checksum sum = v.write(0, Fixtures.data(1, 1)).join().get(0);
    v.close();
    assertThat(v.isClosed()).isTrue();
    assertThatThrownBy(() -> v.write(1, Fixtures.data(1, 1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> v.read(0, List.of(sum)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(v::flush)
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> v.scrub(List.of(), ScrubListener.NONE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(m.get(0).writes(1)).isZero();
    assertThat(m.get(1).writes(1)).isZero();
    v.close(); // idempotent
  }
}
