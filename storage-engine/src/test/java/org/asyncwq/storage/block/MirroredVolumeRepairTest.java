package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Points 1, 2, 3 and 5: verified reads, repair from the other mirrors, uncorrectable blocks. */
@Timeout(60)
class MirroredVolumeRepairTest {
  private static final long B = 5;

  private MirroredVolume volume;

  @AfterEach
  void close() {
    if (volume != null) {
      volume.close();
    }
  }

  private List<FaultyBlockDevice> mirrors(int n) {
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(n, 16);
    volume = MirroredVolume.builder(m).build();
    return m;
  }

  @Test
  void point1_corruptCopyOnMirror0IsServedFromMirror1AndRewritten() throws Exception {
    List<FaultyBlockDevice> m = mirrors(2);
    ByteBuffer data = Fixtures.data(1, 42);
    List<Checksum> sums = volume.write(B, data).join();
    m.get(0).corrupt(B, 17);
    long m0Writes = m.get(0).writes(B);
    long m1Writes = m.get(1).writes(B);

    ByteBuffer back = volume.read(B, sums, 0).join();

    assertThat(back).isEqualTo(data);
    assertThat(volume.stats().corrected()).isEqualTo(1);
    assertThat(volume.deviceStats().get(0).corruptionErrors()).isEqualTo(1);
    assertThat(volume.deviceStats().get(1).corruptionErrors()).isZero();
    assertThat(m.get(0).writes(B) - m0Writes).isEqualTo(1);
    assertThat(m.get(1).writes(B) - m1Writes).isZero();
    // the copy on mirror 0 is good again: a read from it needs no repair
    assertThat(volume.read(B, sums, 0).join()).isEqualTo(data);
    assertThat(volume.stats().corrected()).isEqualTo(1);
  }

  @Test
  void point2_blockBadOnEveryMirrorFailsAfterOneReadPerMirrorAndWritesNothing() throws Exception {
    List<FaultyBlockDevice> m = mirrors(2);
    List<Checksum> sums = volume.write(B, Fixtures.data(1, 1)).join();
    m.get(0).corrupt(B, 0);
    m.get(1).corrupt(B, 4095);
    long[] reads = {m.get(0).reads(B), m.get(1).reads(B)};
    long[] writes = {m.get(0).writes(B), m.get(1).writes(B)};

    assertThatThrownBy(() -> volume.read(B, sums, 0).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(UncorrectableDataException.class)
        .hasMessageContaining("block " + B)
        .satisfies(e -> assertThat(((UncorrectableDataException) e).block()).isEqualTo(B));

    for (int i = 0; i < 2; i++) {
      assertThat(m.get(i).reads(B) - reads[i]).as("reads of mirror %d", i).isEqualTo(1);
      assertThat(m.get(i).writes(B) - writes[i]).as("writes of mirror %d", i).isZero();
      assertThat(volume.deviceStats().get(i).corruptionErrors()).isEqualTo(1);
    }
    assertThat(volume.stats().uncorrectable()).isEqualTo(1);
    assertThat(volume.stats().corrected()).isZero();
  }

  @Test
  void point2_wrongBytesAreNeverReturnedInAMultiBlockRead() throws Exception {
    List<FaultyBlockDevice> m = mirrors(2);
    List<Checksum> sums = volume.write(0, Fixtures.data(8, 3)).join();
    m.get(0).corrupt(6, 10);
    m.get(1).corrupt(6, 10);
    m.get(1).corrupt(2, 10);
    assertThatThrownBy(() -> volume.read(0, sums, 1).join())
        .cause().isInstanceOf(UncorrectableDataException.class)
        .satisfies(e -> assertThat(((UncorrectableDataException) e).block()).isEqualTo(6));
    // block 2 alone is repairable from mirror 0
    assertThat(volume.read(2, sums.subList(2, 3), 1).join())
        .isEqualTo(Fixtures.data(8, 3).position(2 * BLOCK_SIZE).limit(3 * BLOCK_SIZE).slice());
  }

  @Test
  void point3_threeMirrorsBadOn1And2StartingAt1AreRepairedFromMirror0() throws Exception {
    List<FaultyBlockDevice> m = mirrors(3);
    ByteBuffer data = Fixtures.data(1, 3);
    List<Checksum> sums = volume.write(B, data).join();
    m.get(1).corrupt(B, 5);
    m.get(2).corrupt(B, 6);
    long[] writes = {m.get(0).writes(B), m.get(1).writes(B), m.get(2).writes(B)};
    long m0Reads = m.get(0).reads(B);

    assertThat(volume.read(B, sums, 1).join()).isEqualTo(data);

    assertThat(m.get(0).reads(B) - m0Reads).isEqualTo(1);
    assertThat(m.get(0).writes(B) - writes[0]).isZero();
    assertThat(m.get(1).writes(B) - writes[1]).isEqualTo(1);
    assertThat(m.get(2).writes(B) - writes[2]).isEqualTo(1);
    assertThat(volume.stats().corrected()).isEqualTo(2);
    for (int i = 0; i < 3; i++) {
      assertThat(volume.read(B, sums, i).join()).isEqualTo(data);
    }
    assertThat(volume.stats().corrected()).isEqualTo(2);
  }

  @Test
  void point5_readErrorOnMirror0IsServedFromMirror1AndCounted() throws Exception {
    List<FaultyBlockDevice> m = mirrors(2);
    ByteBuffer data = Fixtures.data(1, 8);
    List<Checksum> sums = volume.write(B, data).join();
    m.get(0).failReads(B);

    assertThat(volume.read(B, sums, 0).join()).isEqualTo(data);

    DeviceStats s0 = volume.deviceStats().get(0);
    assertThat(s0.readErrors()).isEqualTo(1);
    assertThat(s0.writeErrors()).isZero();
    assertThat(volume.deviceStats().get(1).readErrors()).isZero();
  }

  @Test
  void point5_failedRewriteCountsAWriteErrorAndTheReadStillSucceeds() throws Exception {
    List<FaultyBlockDevice> m = mirrors(2);
    ByteBuffer data = Fixtures.data(1, 9);
    List<Checksum> sums = volume.write(B, data).join();
    m.get(0).failReads(B);
    m.get(0).failWrites(B);

    assertThat(volume.read(B, sums, 0).join()).isEqualTo(data);

    DeviceStats s0 = volume.deviceStats().get(0);
    assertThat(s0.readErrors()).isEqualTo(1);
    assertThat(s0.writeErrors()).isEqualTo(1);
    assertThat(volume.stats().corrected()).isZero();
  }

  @Test
  void aCorruptCopyIsAlsoFoundWhenTheReadStartsOnTheGoodMirror() throws Exception {
    List<FaultyBlockDevice> m = mirrors(2);
    ByteBuffer data = Fixtures.data(4, 12);
    List<Checksum> sums = volume.write(0, data).join();
    m.get(1).corrupt(3, 0);
    assertThat(volume.read(0, sums, 0).join()).isEqualTo(data);
    assertThat(volume.stats().corrected()).isZero();
    assertThat(volume.read(0, sums, 1).join()).isEqualTo(data);
    assertThat(volume.stats().corrected()).isEqualTo(1);
    assertThat(volume.stats().reads()).isEqualTo(8);
  }
}
