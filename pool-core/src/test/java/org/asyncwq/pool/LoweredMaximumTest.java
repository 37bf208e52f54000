package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After {@link WorkerPool#setMaxWorkers} lowers the maximum below the live workers, the surplus
 * sits out for up to the idle timeout before it retires, so that a maximum that comes back soon
 * reuses them. The workers within the maximum must meanwhile take work as usual. They once compared the
 * live count alone with the maximum, found it too high and went round again without taking work,
 * spinning until the surplus had retired: every burst on a thresholded lane whose limit had just
 * dropped waited up to that second (pool-priority's thresholds lower the maximum after every burst).
 */
@Timeout(60)
class LoweredMaximumTest {
  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  @Test
  void worksRunWhileTheSurplusSitsOutNotAfterItRetired() throws Exception {
    WorkerPool pool =
        pools.add(WorkerPool.builder("lowered").maxWorkers(4)
            .idleTimeout(Duration.ofMinutes(1)).build());
    CountDownLatch gate = pools.gate();
    CountDownLatch running = new CountDownLatch(4);
    for (int i = 0; i < 4; i++) {
      pool.execute(() -> {
        running.countDown();
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    assertThat(running.await(30, TimeUnit.SECONDS)).as("four workers busy").isTrue();
    pool.setMaxWorkers(1);
    gate.countDown();

    for (int round = 0; round < 20; round++) {
      CompletableFuture<PoolStats> seen = new CompletableFuture<>();
      pool.execute(() -> seen.complete(pool.stats()));
      PoolStats atRun = seen.get(30, TimeUnit.SECONDS);
      assertThat(atRun.retired())
          .as("work %s ran while the three surplus workers still sat out: %s", round, atRun)
          .isZero();
    }
  }
  /**
   * The surplus keeps its threads for the pool's idle timeout, as idle workers do, and a raised
   * maximum puts them back to work instead of starting new threads. They once retired after a
   * second, so a thresholded lane (which lowers its maximum after every burst) started three new
   * threads for every burst that came more than a second after the last one.
   */
  @Test
  void theSurplusKeepsItsThreadsUntilTheIdleTimeoutAndARaiseReusesThem() throws Exception {
    WorkerPool pool =
        pools.add(WorkerPool.builder("kept").maxWorkers(4)
            .idleTimeout(Duration.ofMinutes(1)).build());
    busyAll(pool, 4);
    pool.setMaxWorkers(1);
    CompletableFuture<Void> ran = new CompletableFuture<>();
    pool.execute(() -> ran.complete(null));
    ran.get(30, TimeUnit.SECONDS); // one worker within the maximum; the three others sit out

    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
        .until(() -> pool.stats().retired() == 0);

    pool.setMaxWorkers(3);
    CountDownLatch gate = pools.gate();
    CountDownLatch running = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      pool.execute(() -> {
        running.countDown();
        awaitGate(gate);
      });
    }
    assertThat(running.await(30, TimeUnit.SECONDS))
        .as("the raise admitted two sitting-out workers and woke them: %s", pool.stats())
        .isTrue();
    assertThat(pool.stats().spawned()).as("no thread started for the raise").isEqualTo(4);
    assertThat(pool.stats().retired()).isZero();
    gate.countDown();
  }

  /** Makes {@code n} workers busy at once, then lets them go; returns when all of them ran. */
  private void busyAll(WorkerPool pool, int n) throws InterruptedException {
    CountDownLatch gate = pools.gate();
    CountDownLatch running = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      pool.execute(() -> {
        running.countDown();
        awaitGate(gate);
      });
    }
    assertThat(running.await(30, TimeUnit.SECONDS)).as("%s workers busy", n).isTrue();
    gate.countDown();
  }

  private static void awaitGate(CountDownLatch gate) {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
