package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A work the rescuer runs occupies one of the pool's {@code maxWorkers} places, as a work the
 * kernel's rescuer runs counts against its workqueue's {@code max_active}: a pool limited to one
 * worker never runs two works at once, also when its rescuer ran the first one while the thread
 * start was slow and the new worker arrives while that work still runs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RescuerCountsAgainstMaximumTest {
  private static final long BOUND_S = 10;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();

  private void enter() {
    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
  }

  private void exit() {
    running.decrementAndGet();
  }

  @Test
  void workerArrivingWhileRescuerRunsWaitsForItWithMaxOne() throws Exception {
    CountDownLatch workerSpawn = pools.gate(); // the worker's thread start is slow
    ScriptedSpawner spawner =
        new ScriptedSpawner()
            .then(name -> {}) // the rescuer, started by build()
            .then(ScriptedSpawner.awaiting(workerSpawn));
    WorkerPool starter = pools.add(WorkerPool.starter("max-one-starter"));
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("max-one")
                .maxWorkers(1)
                .rescuer(true)
                .maydayTimeout(Duration.ofMillis(5))
                .starter(starter)
                .spawner(spawner)
                .build());
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch releaseFirst = pools.gate();
    CountDownLatch secondStarted = new CountDownLatch(1);
    CountDownLatch secondRan = new CountDownLatch(1);
    AtomicReference<String> firstThread = new AtomicReference<>();
    AtomicReference<String> secondThread = new AtomicReference<>();
    Work first =
        new Work() {
          @Override
          protected void run() {
            enter();
            firstThread.set(Thread.currentThread().getName());
            firstRunning.countDown();
            try {
              releaseFirst.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              exit();
            }
          }
        };
    Work second =
        new Work() {
          @Override
          protected void run() {
            enter();
            secondThread.set(Thread.currentThread().getName());
            secondStarted.countDown();
            exit();
            secondRan.countDown();
          }
        };

    assertThat(pool.queue(first)).isTrue();
    assertThat(firstRunning.await(BOUND_S, TimeUnit.SECONDS)).isTrue();
    assertThat(firstThread.get()).as("no worker yet: the rescuer runs the first work")
        .endsWith("-rescuer");
    assertThat(pool.queue(second)).isTrue();

    workerSpawn.countDown(); // the worker's thread arrives while the rescuer's work still runs
    await().atMost(Duration.ofSeconds(BOUND_S)).until(() -> spawner.started().size() == 2);
    Thread worker = spawner.started().get(1);
    // Either the new worker ran the second work next to the first (the defect), or it is parked,
    // waiting for the rescuer's place to come free.
    await().atMost(Duration.ofSeconds(BOUND_S))
        .until(() -> secondStarted.getCount() == 0
            || EnumSet.of(Thread.State.WAITING, Thread.State.TIMED_WAITING)
                .contains(worker.getState()));
    assertThat(secondStarted.getCount())
        .as("the second work started while the rescuer still ran the first (max 1)")
        .isEqualTo(1);

    releaseFirst.countDown();
    assertThat(secondRan.await(BOUND_S, TimeUnit.SECONDS))
        .as("the second work ran once the first returned (%s)", pool.stats()).isTrue();
    assertThat(mostAtOnce.get()).as("works running at once in a pool of max 1").isEqualTo(1);
    assertThat(secondThread.get()).isEqualTo(worker.getName());
    List<Thread> started = spawner.started();
    assertThat(started).hasSize(2);
  }

  /** The rescuer's place is one of the maximum's, not all of it: with max 2 a worker runs beside it. */
  @Test
  void workerArrivingWhileRescuerRunsTakesWorkWithMaxTwo() throws Exception {
    CountDownLatch workerSpawn = pools.gate();
    ScriptedSpawner spawner =
        new ScriptedSpawner()
            .then(name -> {}) // the rescuer
            .then(ScriptedSpawner.awaiting(workerSpawn));
    WorkerPool starter = pools.add(WorkerPool.starter("max-two-starter"));
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("max-two")
                .maxWorkers(2)
                .rescuer(true)
                .maydayTimeout(Duration.ofMillis(5))
                .starter(starter)
                .spawner(spawner)
                .build());
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch releaseFirst = pools.gate();
    CountDownLatch secondRan = new CountDownLatch(1);
    AtomicReference<String> firstThread = new AtomicReference<>();
    AtomicReference<String> secondThread = new AtomicReference<>();
    Work first =
        new Work() {
          @Override
          protected void run() {
            firstThread.set(Thread.currentThread().getName());
            firstRunning.countDown();
            try {
              releaseFirst.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    Work second =
        new Work() {
          @Override
          protected void run() {
            secondThread.set(Thread.currentThread().getName());
            secondRan.countDown();
          }
        };

    assertThat(pool.queue(first)).isTrue();
    assertThat(firstRunning.await(BOUND_S, TimeUnit.SECONDS)).isTrue();
    assertThat(firstThread.get()).endsWith("-rescuer");
    assertThat(pool.queue(second)).isTrue();
    workerSpawn.countDown();
    assertThat(secondRan.await(BOUND_S, TimeUnit.SECONDS))
        .as("the new worker ran the second work while the rescuer still ran the first (%s)",
            pool.stats())
        .isTrue();
    assertThat(secondThread.get()).isNotNull().doesNotEndWith("-rescuer");
    releaseFirst.countDown();
  }
}
