package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;
import static org.asyncwq.storage.block.FaultyBlockDevice.SECTOR_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.asyncwq.storage.block.FaultyBlockDevice.PowerLoss;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The power-loss simulator: unsynced writes dropped, reordered or torn; flushed ones kept. */
@Tag("crash")
class FaultyBlockDeviceCrashTest {
  private static final int BLOCKS = 16;

  private static byte[] block(BlockDevice dev, long b) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(BLOCK_SIZE);
    dev.read(b, buf);
    return buf.array();
  }

  private static byte[] filled(int value) {
    byte[] b = new byte[BLOCK_SIZE];
    Arrays.fill(b, (byte) value);
    return b;
  }

  /** Blocks 0..BLOCKS-1 hold 1 and are flushed; then each is overwritten with 2, unsynced. */
  private static FaultyBlockDevice flushedThenOverwritten() throws IOException {
    FaultyBlockDevice dev = new FaultyBlockDevice(new MemoryBlockDevice(BLOCKS));
    for (int b = 0; b < BLOCKS; b++) {
      dev.write(b, ByteBuffer.wrap(filled(1)));
    }
    dev.flush();
    assertThat(dev.unsyncedWrites()).isZero();
    for (int b = 0; b < BLOCKS; b++) {
      dev.write(b, ByteBuffer.wrap(filled(2)));
    }
    assertThat(dev.unsyncedWrites()).isEqualTo(BLOCKS);
    return dev;
  }

  @Test
  void dropAllGivesTheImageAsOfTheLastSuccessfulFlush() throws IOException {
    FaultyBlockDevice dev = flushedThenOverwritten();
    dev.failFlushes(true);
    try {
      dev.flush();
    } catch (IOException expected) {
      // a failed flush keeps the writes unsynced
    }
    BlockDevice image = dev.crash(PowerLoss.DROP_ALL, 1);
    for (int b = 0; b < BLOCKS; b++) {
      assertThat(block(image, b)).isEqualTo(filled(1));
      assertThat(block(dev, b)).isEqualTo(filled(2)); // the device itself is unchanged
    }
  }

  @Test
  void flushedWritesAlwaysSurvive() throws IOException {
    FaultyBlockDevice dev = flushedThenOverwritten();
    dev.flush();
    for (PowerLoss mode : PowerLoss.values()) {
      BlockDevice image = dev.crash(mode, 7);
      for (int b = 0; b < BLOCKS; b++) {
        assertThat(block(image, b)).isEqualTo(filled(2));
      }
    }
  }

  @Test
  void reorderKeepsARandomSubsetOfWholeBlockWritesAndIsRepeatableBySeed() throws IOException {
    FaultyBlockDevice dev = flushedThenOverwritten();
    BlockDevice image = dev.crash(PowerLoss.REORDER, 42);
    int kept = 0;
    for (int b = 0; b < BLOCKS; b++) {
      byte[] got = block(image, b);
      assertThat(got).satisfiesAnyOf(x -> assertThat(x).isEqualTo(filled(1)),
          x -> assertThat(x).isEqualTo(filled(2)));
      if (got[0] == 2) {
        kept++;
      }
      assertThat(got).isEqualTo(block(dev.crash(PowerLoss.REORDER, 42), b));
    }
    assertThat(kept).isBetween(1, BLOCKS - 1); // 16 fair coins: seed 42 gives a proper subset
  }

  @Test
  void tearLeavesEachBlockPartlyWrittenAtSectorGranularity() throws IOException {
    FaultyBlockDevice dev = flushedThenOverwritten();
    BlockDevice image = dev.crash(PowerLoss.TEAR, 3);
    for (int b = 0; b < BLOCKS; b++) {
      byte[] got = block(image, b);
      int newSectors = 0;
      for (int s = 0; s < BLOCK_SIZE / SECTOR_SIZE; s++) {
        byte[] sector = Arrays.copyOfRange(got, s * SECTOR_SIZE, (s + 1) * SECTOR_SIZE);
        byte v = sector[0];
        assertThat(v).isIn((byte) 1, (byte) 2);
        assertThat(sector).containsOnly(v);
        newSectors += v == 2 ? 1 : 0;
      }
      assertThat(newSectors).as("block %d", b).isBetween(1, BLOCK_SIZE / SECTOR_SIZE - 1);
    }
  }

  @Test
  void anyMixesTheOutcomesAndTheVolumeNeverReturnsATornBlock() throws Exception {
    FaultyBlockDevice dev = new FaultyBlockDevice(new MemoryBlockDevice(64));
    try (MirroredVolume v = MirroredVolume.builder(java.util.List.of(dev)).build()) {
      ByteBuffer data = Fixtures.data(64, 5);
      java.util.List<Checksum> sums = v.write(0, data).join();
      BlockDevice image = dev.crash(11);
      int survived = 0;
      int lost = 0;
      for (int b = 0; b < 64; b++) {
        ByteBuffer got = ByteBuffer.wrap(block(image, b));
        if (sums.get(b).matches(got)) {
          survived++;
        } else {
          lost++;
        }
      }
      assertThat(survived).isPositive();
      assertThat(lost).isPositive();
      try (MirroredVolume after = MirroredVolume.builder(java.util.List.of(image)).build()) {
        for (int b = 0; b < 64; b++) {
          ByteBuffer got = ByteBuffer.wrap(block(image, b));
          if (!sums.get(b).matches(got)) {
            assertThat(after.read(b, sums.subList(b, b + 1)))
                .failsWithin(java.time.Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(UncorrectableDataException.class);
          }
        }
      }
    }
  }
}
