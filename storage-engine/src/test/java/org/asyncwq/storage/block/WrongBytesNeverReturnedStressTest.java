package org.asyncwq.storage.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.asyncwq.storage.block.BlockDevice.BLOCK_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Under a random mix of corruption, read failures, write failures and healing on random mirrors,
 * every concurrent read returns exactly the bytes last written, or fails; never other bytes.
 * {@code -Pstress} runs 50 times as many rounds.
 */
@Timeout(120)
class WrongBytesNeverReturnedStressTest {
  private static final int BLOCKS = 64;

  @Test
  void readsUnderRandomFaultsReturnTheWrittenBytesOrFail() throws Exception {
    Random random = new Random(2026);
    List<FaultyBlockDevice> m = Fixtures.faultyMirrors(3, BLOCKS);
    long[] seeds = new long[BLOCKS];
    List<Checksum> sums = new ArrayList<>();
    int rounds = 40 * Fixtures.stress();
    long goodReads = 0;
    long failedReads = 0;
    try (MirroredVolume v = MirroredVolume.builder(m).errorBudget(1_000_000).build()) {
      for (int b = 0; b < BLOCKS; b++) {
        seeds[b] = b;
        sums.add(v.write(b, Fixtures.data(1, b)).join().get(0));
      }
      for (int round = 0; round < rounds; round++) {
        for (int f = 0; f < 4; f++) {
          FaultyBlockDevice dev = m.get(random.nextInt(3));
          long block = random.nextInt(BLOCKS);
          switch (random.nextInt(5)) {
            case 0, 1 -> dev.corrupt(block, random.nextInt(BLOCK_SIZE));
            case 2 -> dev.failReads(block);
            case 3 -> dev.failWrites(block);
            default -> dev.heal();
          }
        }
        // a few writes of new contents; a write that failed everywhere changes nothing
        for (int w = 0; w < 4; w++) {
          int block = random.nextInt(BLOCKS);
          long seed = random.nextLong();
          try {
            sums.set(block, v.write(block, Fixtures.data(1, seed)).join().get(0));
            seeds[block] = seed;
          } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(IOException.class);
          }
        }
        List<int[]> ranges = new ArrayList<>();
        List<CompletableFuture<ByteBuffer>> reads = new ArrayList<>();
        for (int r = 0; r < 16; r++) {
          int first = random.nextInt(BLOCKS);
          int count = 1 + random.nextInt(Math.min(8, BLOCKS - first));
          ranges.add(new int[] {first, count});
          reads.add(v.read(first, sums.subList(first, first + count), random.nextInt(3)));
        }
        for (int r = 0; r < reads.size(); r++) {
          int first = ranges.get(r)[0];
          int count = ranges.get(r)[1];
          try {
            ByteBuffer got = reads.get(r).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < count; i++) {
              ByteBuffer block = got.duplicate().position(i * BLOCK_SIZE)
                  .limit((i + 1) * BLOCK_SIZE);
              assertThat(block).as("round %d block %d", round, first + i)
                  .isEqualTo(Fixtures.data(1, seeds[first + i]));
            }
            goodReads++;
          } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(IOException.class);
            failedReads++;
          }
        }
      }
    }
    assertThat(goodReads).isPositive();
    assertThat(goodReads + failedReads).isEqualTo(rounds * 16L);
  }
}
