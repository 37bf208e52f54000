package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue point 3: workers above minWorkers exit after idleTimeout; an idle pool shrinks to
 * minWorkers in about one idleTimeout, not one thread per timeout; retirement never strands work.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdleRetirementTest {
  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  /** Grows {@code pool} (boredThreshold 1) to {@code n} workers by blocking n works at once. */
  private CountDownLatch growTo(WorkerPool pool, int n) throws InterruptedException {
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      pool.queue(
          new CountingWork(
              () -> {
                started.countDown();
                try {
                  gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }));
    }
    assertThat(started.await(10, TimeUnit.SECONDS)).as("%s blocking works run at once", n).isTrue();
    assertThat(pool.stats().workers()).isEqualTo(n);
    return gate;
  }

  @Test
  void idlePoolShrinksToMinWorkersInAboutOneIdleTimeoutNotOneThreadPerTimeout() throws Exception {
    Duration idle = Duration.ofMillis(400);
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("idle-shrink")
                .minWorkers(1)
                .maxWorkers(8)
                .boredThreshold(1)
                .idleTimeout(idle)
                .spawner(new ScriptedSpawner())
                .build());
    CountDownLatch gate = growTo(pool, 8);

    gate.countDown(); // all 8 go idle now
    // Seven surplus workers retiring one per timeout would take 7 x 400 ms; each times out on its
    // own, so all are gone in about one timeout. The bound leaves room for a busy machine.
    await("surplus workers retire together")
        .atMost(idle.multipliedBy(4))
        .until(() -> pool.stats().workers() == 1);
    PoolStats stats = pool.stats();
    assertThat(stats.retired()).isEqualTo(7);
    assertThat(stats.starting()).isZero();
  }

  @Test
  void workersAboveMinRetireAfterIdleTimeoutAndMinWorkersStay() throws Exception {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("idle-min")
                .minWorkers(2)
                .maxWorkers(4)
                .boredThreshold(1)
                .idleTimeout(Duration.ofMillis(20))
                .spawner(spawner)
                .build());
    CountDownLatch gate = growTo(pool, 4);
    gate.countDown();

    await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().workers() == 2);
    assertThat(pool.stats().retired()).isEqualTo(2);
    assertThat(spawner.started().stream().filter(Thread::isAlive).count())
        .as("the retired threads ended")
        .isEqualTo(2);
    // Many idle timeouts later the pool still holds its minimum.
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> pool.stats().workers() == 2 && pool.stats().retired() == 2);
    CountingWork w = new CountingWork();
    pool.queue(w);
    await().atMost(Duration.ofSeconds(10)).until(() -> w.runs() == 1);
    assertThat(spawner.calls()).as("the minimum workers serve it, no new thread").isEqualTo(4);
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.HOURS) // backstop; the scaled bound is StressBound
  void retirementRacingWithQueueNeverStrandsWork() {
    StressBound.within(Duration.ofSeconds(40), this::retirementRacingWithQueue);
  }

  private void retirementRacingWithQueue() throws Exception {
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("idle-race")
                .maxWorkers(3)
                .boredThreshold(2)
                .idleTimeout(Duration.ofMillis(1))
                .spawner(new ScriptedSpawner())
                .build());
    int producers = 2;
    int perProducer = Stress.rounds(300);
    CyclicBarrier barrier = new CyclicBarrier(producers);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  barrier.await(10, TimeUnit.SECONDS);
                  for (int i = 0; i < perProducer; i++) {
                    if (i % 25 == 0) {
                      // Let every worker retire (1 ms idle), then queue into the shrinking pool.
                      await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().workers() == 0);
                    }
                    CountingWork w = new CountingWork();
                    assertThat(pool.queue(w)).isTrue();
                    // Wait for it: the worker that runs it then goes idle and retires, racing with
                    // the next queue().
                    await()
                        .atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> w.runs() == 1);
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(50_000L * Stress.factor());
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(failure.get()).as("a work was stranded: %s", pool.stats()).isNull();
    PoolStats stats = pool.stats();
    assertThat(stats.retired()).as("workers did retire meanwhile").isPositive();
    pool.close();
    assertThat(pool.stats().executed()).isEqualTo((long) producers * perProducer);
  }
}
