package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What opt-in work stealing ({@code workStealing(true)}, a deprecated no-op since issue 8) promised,
 * and every pool now does: a work placed behind a blocked one runs on an
 * idle thread, a raised maximum adds threads for works already waiting, and a worker's load goes
 * back to zero after it ran backlog or stolen works.
 */
@Timeout(30)
class WorkStealingTest {
  private final CountDownLatch gate = new CountDownLatch(1);
  private WorkerPool pool;

  @AfterEach
  void cleanUp() {
    gate.countDown();
    if (pool != null) {
      pool.stopNow();
      assertThat(pool.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }
  }

  private Work blocking(CountDownLatch started) {
    return new Work() {
      @Override
      protected void run() {
        started.countDown();
        try {
          gate.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  @Test
  void aWorkPlacedBehindABlockedWorkRunsOnAnIdleThread() throws Exception {
    pool = WorkerPool.builder("steal").minWorkers(2).maxWorkers(2).boredThreshold(2)
        .workStealing(true).build();
    CountDownLatch blocked = new CountDownLatch(1);
    pool.queue(blocking(blocked));
    assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
    // boredThreshold 2: the blocked worker (load 1) is still bored and gets the next work
    CountingWork behind = new CountingWork();
    pool.queue(behind);
    await().atMost(Duration.ofSeconds(10)).until(() -> behind.runs() == 1);
  }

  /** Issue 8: without the deprecated knobs the same work no longer waits for the blocked one. */
  @Test
  void withoutStealingTheSameWorkNoLongerWaitsForTheBlockedOne() throws Exception {
    pool = WorkerPool.builder("nosteal").minWorkers(2).maxWorkers(2).build();
    CountDownLatch blocked = new CountDownLatch(1);
    pool.queue(blocking(blocked));
    assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
    CountDownLatch ran = new CountDownLatch(1);
    CountingWork behind = new CountingWork(ran::countDown);
    pool.queue(behind);
    assertThat(ran.await(10, TimeUnit.SECONDS)).as("ran while the first still blocks").isTrue();
    assertThat(gate.getCount()).isEqualTo(1);
  }

  @Test
  void raisingTheMaximumStartsThreadsThatTakeWorksAlreadyWaiting() throws Exception {
    pool = WorkerPool.builder("raise").maxWorkers(1).boredThreshold(1).workStealing(true).build();
    CountDownLatch blocked = new CountDownLatch(1);
    pool.queue(blocking(blocked));
    assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
    CountingWork[] waiting = new CountingWork[3];
    for (int i = 0; i < waiting.length; i++) {
      waiting[i] = new CountingWork();
      pool.queue(waiting[i]); // at max: behind the blocked worker
    }
    assertThat(pool.stats().pending()).isEqualTo(3);
    pool.setMaxWorkers(3);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> waiting[0].runs() + waiting[1].runs() + waiting[2].runs() == 3);
    assertThat(pool.stats().workers()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aWorkerIsBoredAgainAfterRunningBacklogAndStolenWorks() throws Exception {
    // Each backlog or stolen work is counted once in the load of the worker that runs it. If it
    // were counted twice the worker would never look bored again, and the next work would start
    // a second thread instead of going to the idle one.
    pool = WorkerPool.builder("bored").maxWorkers(2).boredThreshold(1).workStealing(true)
        .idleTimeout(Duration.ofMinutes(1)).build();
    for (int round = 0; round < 20; round++) {
      CountDownLatch done = new CountDownLatch(1);
      pool.queue(new CountingWork(done::countDown));
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == pool.stats().workers());
    }
    assertThat(pool.stats().spawned()).isEqualTo(1);
    assertThat(pool.stats().executed()).isEqualTo(20);
  }
}
