package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After {@link WorkerPool#setMaxWorkers} lowers the maximum below the live workers, the surplus
 * sits out for up to a second before it retires, so that a maximum that comes back soon reuses
 * them. The workers within the maximum must meanwhile take work as usual. They once compared the
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
}
