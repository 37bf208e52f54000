package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, "what must be true" 1: a pool built with nothing but {@code maxWorkers(2)} never lets a
 * task wait behind a blocked one while its other thread idles (seed 002's per-worker lists strand
 * it; a work-conserving pool, cmwq's shared worklist, does not).
 *
 * <p>Each trial is bounded: the second task must run within {@link #BOUND} while the first still
 * blocks. The first stranded trial fails the test at once (it does not wait out the other trials),
 * and every trial opens its gate and stops its pool in a {@code finally}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StrandedBehindBlockedWorkHangTest {
  private static final int TRIALS = 1_000;
  private static final Duration BOUND = Duration.ofSeconds(5);

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  /** The example exactly: a fresh default pool, two tasks queued back to back. */
  @Test
  void secondTaskRunsWhileTheFirstBlocksOnAFreshDefaultPool() throws Exception {
    for (int trial = 0; trial < TRIALS; trial++) {
      WorkerPool pool = WorkerPool.builder("p").maxWorkers(2).build();
      CountDownLatch release = new CountDownLatch(1);
      try {
        ExecutorService es = pool.asExecutorService();
        CountDownLatch secondRan = new CountDownLatch(1);
        es.execute(() -> awaitQuietly(release));
        es.execute(secondRan::countDown);
        if (!secondRan.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
          fail("trial %d of %d: the second task was stranded behind the blocked first one for %s"
              + " (%s)", trial + 1, TRIALS, BOUND, pool.stats());
        }
      } finally {
        release.countDown();
        pool.stopNow();
        assertThat(pool.awaitTermination(Duration.ofSeconds(20)))
            .as("trial %d: pool terminated", trial + 1)
            .isTrue();
      }
    }
  }

  /**
   * The same on one pool reused for every trial, the second task queued only once
   * the first is known to be running: the placement that strands is then the common case, not a
   * race.
   */
  @Test
  void secondTaskQueuedOnceTheFirstRunsIsNotStrandedBehindIt() throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("warm").maxWorkers(2).build());
    ExecutorService es = pool.asExecutorService();
    for (int trial = 0; trial < TRIALS; trial++) {
      CountDownLatch release = pools.gate();
      CountDownLatch firstRunning = new CountDownLatch(1);
      CountDownLatch firstDone = new CountDownLatch(1);
      CountDownLatch secondRan = new CountDownLatch(1);
      try {
        es.execute(
            () -> {
              firstRunning.countDown();
              awaitQuietly(release);
              firstDone.countDown();
            });
        assertThat(firstRunning.await(BOUND.toMillis(), TimeUnit.MILLISECONDS))
            .as("trial %d: first task started", trial + 1)
            .isTrue();
        es.execute(secondRan::countDown);
        if (!secondRan.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
          fail("trial %d of %d: the second task was stranded behind the blocked first one for %s"
              + " (%s)", trial + 1, TRIALS, BOUND, pool.stats());
        }
      } finally {
        release.countDown();
      }
      assertThat(firstDone.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
