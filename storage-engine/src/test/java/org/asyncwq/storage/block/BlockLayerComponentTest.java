package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Dagger wiring: one set of queues, one volume on them, built from devices and options. */
@Timeout(60)
class BlockLayerComponentTest {

  @Test
  void daggerProvidesTheQueuesAndAVolumeRunningOnThem() {
    List<BlockDevice> devices = List.of(new MemoryBlockDevice(8), new MemoryBlockDevice(8));
    VolumeOptions options = new VolumeOptions(ChecksumType.SHA256, 5,
        Map.of(StorageQueues.ENDIO, 1));
    BlockLayerComponent component = BlockLayerComponent.create(devices, options);
    StorageQueues queues = component.queues();
    try (queues; MirroredVolume volume = component.volume()) {
      assertThat(component.queues()).isSameAs(queues);
      assertThat(component.volume()).isSameAs(volume);
      assertThat(volume.queues()).isSameAs(queues);
      assertThat(volume.checksumType()).isEqualTo(ChecksumType.SHA256);
      assertThat(volume.mirrors()).isEqualTo(2);
      assertThat(queues.queue(StorageQueues.ENDIO).limitActive()).isEqualTo(1);

      ByteBuffer data = Fixtures.data(2, 3);
      List<Checksum> sums = volume.write(1, data).join();
      assertThat(sums).allSatisfy(s -> assertThat(s.type()).isEqualTo(ChecksumType.SHA256));
      assertThat(volume.read(1, sums).join()).isEqualTo(data);
    }
  }
}
