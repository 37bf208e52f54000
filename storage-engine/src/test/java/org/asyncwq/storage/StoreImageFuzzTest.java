package org.asyncwq.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reliability campaign 5, fuzzing: seeded random mutation programs run through {@link
 * StoreImageFuzzTarget} (superblocks and metadata pages of a two-mirror image mutated, mostly
 * resealed, then opened, listed, read and checked). Every execution must end normally or with a
 * documented exception, within the target's time limit; the heap after a full GC may not grow by
 * more than 64 MiB over the run.
 *
 * <p>200 executions in the default build (each opens, lists, reads and checks a whole store, so
 * this is what fits the default build's budget), 100,000 with {@code -Pstress}. Execution {@code i}
 * uses {@code new Random(i)}; a failure prints its index and input: rerun it alone with {@code
 * -Dasyncwq.fuzz.first=i -Dasyncwq.fuzz.runs=1}.
 */
@Tag("fuzz")
@Timeout(7200)
class StoreImageFuzzTest {
  private static final int STRESS = Integer.getInteger("asyncwq.stress", 1);
  private static final int RUNS = Integer.getInteger("asyncwq.fuzz.runs", STRESS > 1 ? 100_000 : 200);
  private static final long FIRST = Long.getLong("asyncwq.fuzz.first", 0);

  static byte[] input(long execution) {
    Random r = new Random(execution);
    byte[] in = new byte[4 + r.nextInt(60)];
    r.nextBytes(in);
    return in;
  }

  @Test
  void mutatedSuperblocksAndPagesFailOnlyWithDocumentedExceptionsInBoundedTimeAndMemory()
      throws Exception {
    StoreImageFuzzTarget.base();
    long heapBefore = heapAfterGc();
    long started = System.nanoTime();
    for (long i = FIRST; i < FIRST + RUNS; i++) {
      byte[] in = input(i);
      try {
        StoreImageFuzzTarget.fuzzerTestOneInput(in);
      } catch (Throwable t) {
        throw new AssertionError("fuzz execution " + i + " (input "
            + Base64.getEncoder().encodeToString(in) + ") failed; rerun with "
            + "-Dasyncwq.fuzz.first=" + i + " -Dasyncwq.fuzz.runs=1", t);
      }
      if ((i - FIRST + 1) % 1000 == 0) {
        System.out.printf("StoreImageFuzzTest: %d executions from %d clean so far (%d s)%n",
            i - FIRST + 1, FIRST, (System.nanoTime() - started) / 1_000_000_000L);
      }
    }
    long heapAfter = heapAfterGc();
    System.out.printf("StoreImageFuzzTest: %d executions from %d in %d s, heap after GC %d -> %d"
        + " MiB%n", RUNS, FIRST, (System.nanoTime() - started) / 1_000_000_000L,
        heapBefore >> 20, heapAfter >> 20);
    assertThat(heapAfter - heapBefore).as("heap growth over the run").isLessThan(64L << 20);
  }

  private static long heapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
