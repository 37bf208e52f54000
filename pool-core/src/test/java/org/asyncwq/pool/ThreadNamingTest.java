package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, defect 6: every thread a pool starts has a name of its own, {@code <pool>-<n>}, never one
 * an earlier thread of the same pool had: not between the {@code minWorkers} started by {@code
 * build()} and those started on demand ({@code p-1, p-2, p-1, p-2} before the fix), and not after
 * workers retired and new ones replaced them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadNamingTest {
  private static final long BOUND_S = 10;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  /** Occupies {@code n} threads of {@code pool} at once; returns the gate that frees them. */
  private CountDownLatch occupy(WorkerPool pool, int n, Set<String> seenNames)
      throws InterruptedException {
    CountDownLatch gate = pools.gate();
    CountDownLatch running = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      pool.execute(
          () -> {
            seenNames.add(Thread.currentThread().getName());
            running.countDown();
            try {
              gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    assertThat(running.await(BOUND_S, TimeUnit.SECONDS))
        .as("%d works run at once (%s)", n, pool.stats())
        .isTrue();
    return gate;
  }

  @Test
  void threadNamesNeverRepeatWithinAPool() throws Exception {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("p")
                .minWorkers(2)
                .maxWorkers(4)
                .boredThreshold(1) // a no-op once the pool is work-conserving by default
                .idleTimeout(Duration.ofMillis(50))
                .spawner(spawner)
                .build());
    Set<String> seen = ConcurrentHashMap.newKeySet();

    // Four blocked works need two threads beyond the two build() started.
    occupy(pool, 4, seen).countDown();
    assertDistinct(spawner);
    assertThat(seen).hasSize(4);

    // The two above the minimum retire; the next two started must have new names again.
    await()
        .atMost(Duration.ofSeconds(BOUND_S))
        .until(() -> pool.stats().workers() == 2 && pool.stats().retired() >= 2);
    occupy(pool, 4, seen).countDown();
    assertThat(spawner.started()).hasSizeGreaterThanOrEqualTo(6);
    assertDistinct(spawner);
    assertThat(spawner.started())
        .allSatisfy(t -> assertThat(t.getName()).matches("p-[0-9]+"));
  }

  private static void assertDistinct(ScriptedSpawner spawner) {
    List<String> names = spawner.started().stream().map(Thread::getName).toList();
    assertThat(names).as("names of the threads the pool started").doesNotHaveDuplicates();
  }
}
