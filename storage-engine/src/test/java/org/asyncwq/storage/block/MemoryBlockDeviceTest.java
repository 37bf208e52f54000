package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class MemoryBlockDeviceTest {

  @Test
  void storesBlocksAcrossChunkBoundaries() throws IOException {
    MemoryBlockDevice dev = new MemoryBlockDevice(1000);
    ByteBuffer data = Fixtures.data(10, 5);
    dev.write(250, data.duplicate());
    ByteBuffer back = ByteBuffer.allocate(10 * BLOCK_SIZE);
    dev.read(250, back);
    assertThat(back.flip()).isEqualTo(data);
  }

  @Test
  void rejectsBadSizesAndRanges() {
    assertThatThrownBy(() -> new MemoryBlockDevice(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockCount");
    MemoryBlockDevice dev = new MemoryBlockDevice(2);
    assertThatThrownBy(() -> dev.read(2, ByteBuffer.allocate(BLOCK_SIZE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
  }
}
