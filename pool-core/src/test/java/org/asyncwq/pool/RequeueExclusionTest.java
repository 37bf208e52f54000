package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, defect 1: a work that {@link WorkerPool#requeue(Work) requeues} itself from its own
 * {@code run()} is not taken up again while that {@code run()} is still on the stack: not by
 * another thread (a thief of a work-stealing pool ran it: 49 overlapping runs of 50), and not by
 * {@link WorkerPool#stopNow()}, whose {@code cancelled()} must not overlap the {@code run()} either.
 * Requeue puts the work at the tail once {@code run()} returned; it is then disposed of once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequeueExclusionTest {
  private static final long BOUND_S = 10;

  /**
   * How long the first run stays on the stack after requeueing itself, so that a pool that hands
   * the requeued work to another thread at once has the time to start it there. The assertion is
   * not on this time: a pool that keeps the work back until run() returns passes whatever it is.
   */
  private static final long WINDOW_MS = 500;

  private static final int TRIALS = 4;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  /** A work whose first run requeues it and stays on the stack; it records every overlap. */
  static final class SelfRequeueing extends Work {
    private final WorkerPool pool;
    private final CountDownLatch hold;
    final AtomicInteger inRun = new AtomicInteger();
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();
    final CountDownLatch firstRunning = new CountDownLatch(1);
    final CountDownLatch overlapped = new CountDownLatch(1);
    final CountDownLatch disposedTwice = new CountDownLatch(2);
    final List<String> violations = new CopyOnWriteArrayList<>();
    volatile boolean requeued;

    SelfRequeueing(WorkerPool pool, CountDownLatch hold) {
      this.pool = pool;
      this.hold = hold;
    }

    @Override
    protected void run() {
      if (inRun.incrementAndGet() > 1) {
        violations.add("run() started on " + Thread.currentThread().getName()
            + " while another run() of the same work was on the stack");
        overlapped.countDown();
      }
      try {
        if (runs.incrementAndGet() == 1) {
          requeued = pool.requeue(this);
          firstRunning.countDown();
          try {
            // Wait for the overlap (a pool with the defect gives it at once) or for the hold.
            if (hold == null) {
              overlapped.await(WINDOW_MS, TimeUnit.MILLISECONDS);
            } else {
              hold.await(BOUND_S * 3, TimeUnit.SECONDS);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      } finally {
        inRun.decrementAndGet();
        disposedTwice.countDown();
      }
    }

    @Override
    protected void cancelled(Throwable cause) {
      cancels.incrementAndGet();
      if (inRun.get() > 0) {
        violations.add("cancelled() called while run() of the same work was on the stack");
      }
      disposedTwice.countDown();
    }
  }

  @Test
  void requeuedWorkNeverRunsOnTwoThreadsAtOnce() throws Exception {
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("requeue-steal")
                .minWorkers(2)
                .maxWorkers(2)
                .workStealing(true)
                .build());
    for (int trial = 0; trial < TRIALS; trial++) {
      SelfRequeueing work = new SelfRequeueing(pool, null);
      assertThat(pool.queue(work)).isTrue();
      assertThat(work.disposedTwice.await(BOUND_S, TimeUnit.SECONDS))
          .as("trial %d: first run and the requeued run both finished", trial)
          .isTrue();
      assertThat(work.requeued).isTrue();
      assertThat(work.violations).as("trial %d", trial).isEmpty();
      assertThat(work.runs.get()).isEqualTo(2);
      assertThat(work.cancels.get()).isZero();
    }
  }

  @Test
  void stopNowNeverCancelsARequeuedWorkWhileItsRunIsStillOnTheStack() throws Exception {
    WorkerPool pool =
        pools.add(WorkerPool.builder("requeue-stopnow").minWorkers(1).maxWorkers(1).build());
    CountDownLatch hold = pools.gate();
    SelfRequeueing work = new SelfRequeueing(pool, hold);
    assertThat(pool.queue(work)).isTrue();
    assertThat(work.firstRunning.await(BOUND_S, TimeUnit.SECONDS)).isTrue();
    assertThat(work.requeued).isTrue();

    pool.stopNow(); // from another thread than the one running the work

    hold.countDown();
    assertThat(work.disposedTwice.await(BOUND_S, TimeUnit.SECONDS))
        .as("the requeued work was run or cancelled once after the first run returned")
        .isTrue();
    assertThat(pool.awaitTermination(java.time.Duration.ofSeconds(BOUND_S))).isTrue();
    assertThat(work.violations).isEmpty();
    assertThat(work.runs.get() + work.cancels.get())
        .as("the first run and exactly one disposition of the requeue")
        .isEqualTo(2);
  }
}
