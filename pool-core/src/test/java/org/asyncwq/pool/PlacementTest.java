package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 2 point 8 (seed 002's next_worker/find_worker and the {@code working} flag), as it stands
 * after issue 8 replaced per-worker lists by one shared worklist: a busy worker gets no new work
 * while an idle worker exists or a thread may still be started, and an awake thread is not woken
 * again. (The bored-threshold and least-loaded placement these tests also pinned are gone.)
 *
 * <p>Placement is observed from outside through which thread runs which work and whether a work can
 * start while another one blocks its worker: a work stacked on a blocked worker cannot start.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlacementTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  /** A work that reports its thread and start, then blocks until its gate opens. */
  private final class Blocking extends CountingWork {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch gate = pools.gate();
    final AtomicReference<Thread> thread = new AtomicReference<>();

    @Override
    protected void run() {
      super.run();
      thread.set(Thread.currentThread());
      started.countDown();
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    boolean awaitStarted() throws InterruptedException {
      return started.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** A work that records the thread it ran on. */
  private static final class Recording extends CountingWork {
    final AtomicReference<Thread> thread = new AtomicReference<>();

    @Override
    protected void run() {
      super.run();
      thread.set(Thread.currentThread());
    }
  }

  private WorkerPool build(String name, int min, int max, int bored) {
    return pools.add(
        WorkerPool.builder(name)
            .minWorkers(min)
            .maxWorkers(max)
            .boredThreshold(bored)
            .idleTimeout(Duration.ofSeconds(30))
            .spawner(new ScriptedSpawner())
            .build());
  }

  @Test
  void busyWorkerGetsNoNewWorkWhileABoredWorkerExists() throws Exception {
    WorkerPool pool = build("place-bored", 2, 2, 1);
    Blocking a = new Blocking();
    Blocking b = new Blocking();

    pool.queue(a);
    assertThat(a.awaitStarted()).isTrue();
    pool.queue(b);

    assertThat(b.awaitStarted()).as("b starts while a still blocks its worker").isTrue();
    assertThat(b.thread.get()).isNotSameAs(a.thread.get());
  }

  @Test
  void busyWorkerGetsNoNewWorkWhileAThreadMayStillBeStarted() throws Exception {
    WorkerPool pool = build("place-grow", 1, 2, 1);
    Blocking a = new Blocking();
    Blocking b = new Blocking();

    pool.queue(a);
    assertThat(a.awaitStarted()).isTrue();
    pool.queue(b);

    assertThat(b.awaitStarted()).as("b gets a new thread instead of waiting behind a").isTrue();
    assertThat(b.thread.get()).isNotSameAs(a.thread.get());
    assertThat(pool.stats().workers()).isEqualTo(2);
  }

  @Test
  void workerRunningABacklogWorkCountsItInItsLoad() throws Exception {
    // With no thread at all, the first work waits in the backlog while a thread starts, and that
    // thread takes it from there. It is then as busy as if the work had been its own.
    WorkerPool pool = build("place-backlog", 0, 2, 1);
    Blocking a = new Blocking();
    Blocking b = new Blocking();

    pool.queue(a);
    assertThat(a.awaitStarted()).isTrue();
    pool.queue(b);

    assertThat(b.awaitStarted())
        .as("b gets a new thread instead of waiting behind the backlog work a")
        .isTrue();
    assertThat(b.thread.get()).isNotSameAs(a.thread.get());
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.HOURS) // backstop; the scaled bound is StressBound
  void concurrentSubmittersNeverStackWorkOnABusyWorkerWhileOthersAreBored() {
    int n = 4;
    StressBound.within(
        Duration.ofSeconds(40),
        () -> {
          for (int round = 0; round < Stress.rounds(30); round++) {
            runConcurrentRound("place-race-" + round, n, n);
          }
        });
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.HOURS) // backstop; the scaled bound is StressBound
  void concurrentSubmittersEachGetAThreadUpToMax() {
    int n = 4;
    StressBound.within(
        Duration.ofSeconds(40),
        () -> {
          for (int round = 0; round < Stress.rounds(30); round++) {
            runConcurrentRound("place-grow-race-" + round, 0, n);
          }
        });
  }

  /** n producers queue one blocking work each at once; with boredThreshold 1 all must run at once. */
  private void runConcurrentRound(String name, int min, int n) throws Exception {
    WorkerPool pool = build(name, min, n, 1);
    CountDownLatch allStarted = new CountDownLatch(n);
    CountDownLatch gate = pools.gate();
    Set<Thread> runners = ConcurrentHashMap.newKeySet();
    CyclicBarrier barrier = new CyclicBarrier(n);
    List<Thread> producers = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int p = 0; p < n; p++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  barrier.await(10, TimeUnit.SECONDS);
                  pool.queue(
                      new CountingWork(
                          () -> {
                            runners.add(Thread.currentThread());
                            allStarted.countDown();
                            try {
                              gate.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                              Thread.currentThread().interrupt();
                            }
                          }));
                } catch (Throwable e) {
                  failure.set(e);
                }
              },
              name + "-producer-" + p);
      producers.add(t);
      t.start();
    }
    for (Thread t : producers) {
      t.join(10_000);
    }
    assertThat(failure.get()).isNull();
    try {
      assertThat(allStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("all %s works run at once in %s (stats %s)", n, name, pool.stats())
          .isTrue();
      assertThat(runners).hasSize(n);
    } finally {
      gate.countDown();
      pool.stopNow();
      assertThat(pool.awaitTermination(WAIT)).isTrue();
    }
  }

  /**
   * Seed 002's {@code working} flag: a producer wakes a worker only if it sleeps. A work runs on the
   * worker, consumes any park permit, and stays awake while the test queues more works to that same
   * worker. If any of those queue() calls unparked the (awake) worker thread, a permit is left and
   * the worker's next park returns at once; otherwise it returns only when the test unparks it.
   */
  @Test
  void awakeWorkerIsNotWokenAgainByQueue() throws Exception {
    WorkerPool pool = build("place-wake", 1, 1, 1000);
    AtomicReference<Thread> worker = new AtomicReference<>();
    AtomicReference<Boolean> parkReturnedAfterTestUnpark = new AtomicReference<>();
    AtomicInteger phase = new AtomicInteger(); // 0 start, 1 in run, 2 offers done, 3 parking
    AtomicInteger unparkedByTest = new AtomicInteger();
    CountingWork probe =
        new CountingWork(
            () -> {
              LockSupport.unpark(Thread.currentThread());
              LockSupport.park(); // returns at once and consumes any permit
              worker.set(Thread.currentThread());
              phase.set(1);
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
              while (phase.get() < 2 && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
              }
              phase.set(3);
              LockSupport.park(phase);
              parkReturnedAfterTestUnpark.set(unparkedByTest.get() > 0);
            });
    pool.queue(probe);
    await().atMost(WAIT).until(() -> phase.get() == 1);

    List<CountingWork> more = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      CountingWork w = new CountingWork();
      more.add(w);
      assertThat(pool.queue(w)).isTrue();
    }
    phase.set(2);
    await()
        .atMost(WAIT)
        .until(() -> phase.get() == 3 && worker.get().getState() == Thread.State.WAITING
            || parkReturnedAfterTestUnpark.get() != null);
    unparkedByTest.incrementAndGet();
    LockSupport.unpark(worker.get());

    await().atMost(WAIT).until(() -> more.stream().allMatch(w -> w.runs() == 1));
    assertThat(parkReturnedAfterTestUnpark.get())
        .as("the awake worker had no wake-up pending from the 50 queue() calls")
        .isTrue();
    assertThat(probe.runs()).isEqualTo(1);
  }
}
