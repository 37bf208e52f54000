package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Point 7: a mirror over its error budget becomes FAULTY and is skipped from then on. */
@Timeout(60)
class DeviceEvictionTest {

  @Test
  void point7_aMirrorOverItsBudgetIsFaultyAndSkippedByReadsAndWrites() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 16);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).errorBudget(2).build()) {
      ByteBuffer data = Fixtures.data(1, 4);
      List<Checksum> sums = v.write(1, data).join();
      m.get(0).failReads(1);
      for (int i = 0; i < 2; i++) {
        assertThat(v.read(1, sums, 0).join()).isEqualTo(data);
        assertThat(v.deviceStats().get(0).state()).isEqualTo(DeviceState.HEALTHY);
      }
      assertThat(v.read(1, sums, 0).join()).isEqualTo(data); // third error: over the budget of 2
      assertThat(v.deviceStats().get(0).state()).isEqualTo(DeviceState.FAULTY);
      assertThat(v.deviceStats().get(0).readErrors()).isEqualTo(3);
      assertThat(v.deviceStats().get(1).state()).isEqualTo(DeviceState.HEALTHY);

      long reads = m.get(0).reads(1);
      long writes = m.get(0).writes(2);
      List<Checksum> more = v.write(2, Fixtures.data(1, 5)).join();
      assertThat(v.read(2, more, 0).join()).isEqualTo(Fixtures.data(1, 5));
      assertThat(v.read(1, sums, 0).join()).isEqualTo(data);
      v.flush().join();
      assertThat(v.scrub(List.of(new BlockRef(1, sums.get(0))), ScrubListener.NONE).join()
          .blocks()).isEqualTo(1);
      assertThat(m.get(0).reads(1)).isEqualTo(reads);
      assertThat(m.get(0).reads(2)).isZero();
      assertThat(m.get(0).writes(2)).isEqualTo(writes);
    }
  }

  @Test
  void point7_aVolumeWithNoHealthyMirrorFailsEveryCallClearly() throws Exception {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 16);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).errorBudget(0).build()) {
      List<Checksum> sums = v.write(0, Fixtures.data(1, 1)).join();
      m.get(0).failWrites(3);
      m.get(1).failWrites(3);
      assertThatThrownBy(() -> v.write(3, Fixtures.data(1, 1)).join()).cause()
          .isInstanceOf(IOException.class);
      assertThat(v.deviceStats()).allSatisfy(s -> assertThat(s.state()).isEqualTo(
          DeviceState.FAULTY));

      assertThatThrownBy(() -> v.write(0, Fixtures.data(1, 1)).join()).cause()
          .isInstanceOf(IOException.class).hasMessageContaining("no healthy mirror");
      assertThatThrownBy(() -> v.read(0, sums).join()).cause()
          .isInstanceOf(IOException.class).hasMessageContaining("no healthy mirror");
      assertThatThrownBy(() -> v.flush().join()).cause()
          .isInstanceOf(IOException.class).hasMessageContaining("no healthy mirror");
      assertThatThrownBy(() -> v.scrub(List.of(new BlockRef(0, sums.get(0))),
          ScrubListener.NONE).join()).cause()
          .isInstanceOf(IOException.class).hasMessageContaining("no healthy mirror");
      assertThatThrownBy(() -> v.readMirror(0, 0, 1).join()).cause()
          .isInstanceOf(IOException.class).hasMessageContaining("faulty");
      assertThat(m.get(0).writes(0)).isEqualTo(1);
    }
  }

  @Test
  void generationErrorsCountAgainstTheBudget() {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(2, 4);
    try (MirroredVolume v = MirroredVolume.builder(Fixtures.devices(m)).errorBudget(1).build()) {
      v.reportGenerationError(1);
      assertThat(v.deviceStats().get(1).generationErrors()).isEqualTo(1);
      assertThat(v.deviceStats().get(1).state()).isEqualTo(DeviceState.HEALTHY);
      v.reportGenerationError(1);
      assertThat(v.deviceStats().get(1).state()).isEqualTo(DeviceState.FAULTY);
    }
  }
}
