package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The decorator's injected failures, corruption and per-block IO counts. */
class FaultyBlockDeviceTest {

  @Test
  void failsReadsWritesAndFlushesUntilHealed() throws IOException {
    FaultyBlockDevice dev = new FaultyBlockDevice(new MemoryBlockDevice(8));
    ByteBuffer data = Fixtures.data(2, 1);
    dev.failWrites(3);
    assertThatThrownBy(() -> dev.write(2, data.duplicate()))
        .isInstanceOf(IOException.class).hasMessageContaining("block 3");
    dev.failReads(2);
    assertThatThrownBy(() -> dev.read(2, ByteBuffer.allocate(BLOCK_SIZE)))
        .isInstanceOf(IOException.class).hasMessageContaining("block 2");
    dev.failFlushes(true);
    assertThatThrownBy(dev::flush).isInstanceOf(IOException.class);

    dev.heal();
    dev.write(2, data.duplicate());
    dev.flush();
    ByteBuffer back = ByteBuffer.allocate(2 * BLOCK_SIZE);
    dev.read(2, back);
    assertThat(back.flip()).isEqualTo(data);
    assertThat(dev.writes(3)).isEqualTo(2);
    assertThat(dev.reads(2)).isEqualTo(2);
    assertThat(dev.reads(3)).isEqualTo(1);
    assertThat(dev.writes(0)).isZero();
  }

  @Test
  void corruptFlipsTheStoredByteAndHealKeepsIt() throws IOException {
    FaultyBlockDevice dev = new FaultyBlockDevice(new MemoryBlockDevice(4));
    ByteBuffer data = Fixtures.data(1, 9);
    dev.write(1, data.duplicate());
    dev.corrupt(1, 100);
    dev.heal();
    ByteBuffer back = ByteBuffer.allocate(BLOCK_SIZE);
    dev.read(1, back);
    assertThat(back.get(100)).isEqualTo((byte) ~data.get(100));
    back.put(100, data.get(100));
    assertThat(back.rewind()).isEqualTo(data);
    assertThatThrownBy(() -> dev.corrupt(1, BLOCK_SIZE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("byteOffset");
  }
}
