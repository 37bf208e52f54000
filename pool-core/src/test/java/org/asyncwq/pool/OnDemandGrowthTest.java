package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue point 2 (seed 000's num_workers_starting): a pool starts with minWorkers threads; a thread
 * is added only when no worker is bored and workers + starting is below max; with many concurrent
 * submitters workers + starting never exceeds max.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OnDemandGrowthTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  /**
   * Wraps a {@link ScriptedSpawner} and counts the slots the pool holds from its point of view: a
   * slot is taken when a spawn begins and given back when the spawn fails or the thread's body
   * returns. Its peak is the most threads (starting or running) the pool ever asked for at once.
   */
  private static final class PeakSpawner implements ThreadSpawner {
    final ScriptedSpawner scripted = new ScriptedSpawner();
    final AtomicInteger slots = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();

    @Override
    public Thread spawn(String name, Runnable body) throws SpawnException {
      peak.accumulateAndGet(slots.incrementAndGet(), Math::max);
      try {
        return scripted.spawn(
            name,
            () -> {
              try {
                body.run();
              } finally {
                slots.decrementAndGet();
              }
            });
      } catch (SpawnException | RuntimeException e) {
        slots.decrementAndGet();
        throw e;
      }
    }
  }

  private final class Blocking extends CountingWork {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch gate = pools.gate();

    @Override
    protected void run() {
      super.run();
      started.countDown();
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void poolStartsWithMinWorkersThreads() {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool =
        pools.add(WorkerPool.builder("grow-min").minWorkers(3).maxWorkers(6).spawner(spawner).build());
    PoolStats stats = pool.stats();
    assertThat(stats.workers()).isEqualTo(3);
    assertThat(stats.starting()).isZero();
    assertThat(stats.spawned()).isEqualTo(3);
    assertThat(spawner.calls()).isEqualTo(3);
    assertThat(spawner.started()).extracting(Thread::getName)
        .containsExactlyInAnyOrder("grow-min-1", "grow-min-2", "grow-min-3");
  }

  /**
   * Issue 8 replaced placement by one shared worklist: works queued behind a blocked one do not
   * wait for it (no bored threshold keeps them on its worker); threads are added for them, never
   * beyond the maximum.
   */
  @Test
  void worksQueuedBehindABlockedOneGetThreadsUpToTheMaximum() throws Exception {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("grow-behind")
                .minWorkers(1)
                .maxWorkers(4)
                .idleTimeout(Duration.ofSeconds(30))
                .spawner(spawner)
                .build());
    Blocking head = new Blocking();
    pool.queue(head);
    assertThat(head.started.await(10, TimeUnit.SECONDS)).isTrue();
    List<CountingWork> behind = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      CountingWork w = new CountingWork();
      behind.add(w);
      pool.queue(w);
    }
    await().atMost(WAIT).until(() -> behind.stream().allMatch(w -> w.runs() == 1));
    assertThat(head.gate.getCount()).as("they ran while the head still blocks").isEqualTo(1);
    assertThat(spawner.calls()).isBetween(2, 4);
    head.gate.countDown();
  }

  @Test
  void atMaxNoThreadIsAddedEvenWhenEveryWorkerIsBusy() throws Exception {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("grow-max")
                .minWorkers(1)
                .maxWorkers(2)
                .boredThreshold(1)
                .idleTimeout(Duration.ofSeconds(30))
                .spawner(spawner)
                .build());
    Blocking a = new Blocking();
    Blocking b = new Blocking();
    pool.queue(a);
    assertThat(a.started.await(10, TimeUnit.SECONDS)).isTrue();
    pool.queue(b);
    assertThat(b.started.await(10, TimeUnit.SECONDS)).as("second thread added").isTrue();
    assertThat(spawner.calls()).isEqualTo(2);
    List<CountingWork> more = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      CountingWork w = new CountingWork();
      more.add(w);
      pool.queue(w);
    }
    PoolStats stats = pool.stats();
    assertThat(stats.workers() + stats.starting()).isEqualTo(2);
    assertThat(spawner.calls()).isEqualTo(2);
    a.gate.countDown();
    b.gate.countDown();
    await().atMost(WAIT).until(() -> more.stream().allMatch(w -> w.runs() == 1));
    assertThat(spawner.calls()).isEqualTo(2);
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.HOURS) // backstop; the scaled bound is StressBound
  void concurrentSubmittersWithAStarterNeverExceedMaxWorkersPlusStarting() {
    StressBound.within(
        Duration.ofSeconds(40),
        () -> {
          for (int round = 0; round < Stress.rounds(5); round++) {
            concurrentRound("grow-starter-" + round, true);
          }
        });
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.HOURS) // backstop; the scaled bound is StressBound
  void concurrentSubmittersStartingThreadsInlineNeverExceedMaxWorkersPlusStarting() {
    StressBound.within(
        Duration.ofSeconds(40),
        () -> {
          for (int round = 0; round < Stress.rounds(5); round++) {
            concurrentRound("grow-inline-" + round, false);
          }
        });
  }

  /**
   * Eight producers queue at once into an empty pool of max 4 whose first thread starts block, so
   * the pool sits with threads "starting" while works keep coming; then the starts are released.
   */
  private void concurrentRound(String name, boolean withStarter) throws Exception {
    int max = 4;
    PeakSpawner spawner = new PeakSpawner();
    CountDownLatch release = pools.gate();
    for (int i = 0; i < max; i++) {
      spawner.scripted.then(
          n -> {
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    WorkerPool.Builder b =
        WorkerPool.builder(name)
            .maxWorkers(max)
            .boredThreshold(1)
            .idleTimeout(Duration.ofSeconds(30))
            .spawner(spawner);
    if (withStarter) {
      b.starter(pools.add(WorkerPool.starter(name + "-starter")));
    } else {
      b.startsOnCaller(); // the naive inline shape: a start blocks the submitter that asked
    }
    WorkerPool pool = pools.add(b.build());

    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicInteger sampledPeak = new AtomicInteger();
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                PoolStats s = pool.stats();
                sampledPeak.accumulateAndGet(s.workers() + s.starting(), Math::max);
              }
            },
            name + "-sampler");
    sampler.setDaemon(true);
    sampler.start();
    try {
      produceAndCheck(name, withStarter, max, spawner, release, pool);
    } finally {
      sampling.set(false);
      sampler.join(10_000);
    }
    assertThat(sampledPeak.get()).as("peak stats workers+starting in %s", name).isLessThanOrEqualTo(max);
  }

  private void produceAndCheck(String name, boolean withStarter, int max, PeakSpawner spawner,
      CountDownLatch release, WorkerPool pool) throws Exception {

    int producers = 8;
    int perProducer = 50;
    CyclicBarrier barrier = new CyclicBarrier(producers);
    List<CountingWork> works = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger doneProducing = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  barrier.await(10, TimeUnit.SECONDS);
                  for (int i = 0; i < perProducer; i++) {
                    CountingWork w = new CountingWork();
                    works.add(w);
                    pool.queue(w);
                  }
                  doneProducing.incrementAndGet();
                } catch (Throwable e) {
                  failure.set(e);
                }
              },
              name + "-producer-" + p);
      threads.add(t);
      t.start();
    }
    try {
      if (withStarter) {
        // The submitters never wait for a start, so they all finish while the starter's one
        // thread is stuck in the first spawn.
        await().atMost(WAIT).until(() -> doneProducing.get() == producers);
      } else {
        // The one start blocks the submitter that asked for it; the others go on.
        await().atMost(WAIT).until(() -> doneProducing.get() == producers - 1);
      }
      // Issue 8: a start in flight counts as a thread about to look, so while it is held no
      // other start is made, however many works wait: no over-creation, not even transiently.
      assertThat(spawner.scripted.calls()).isEqualTo(1);
      PoolStats blocked = pool.stats();
      assertThat(blocked.workers() + blocked.starting()).isEqualTo(1);
    } finally {
      release.countDown();
    }
    for (Thread t : threads) {
      t.join(20_000);
    }
    assertThat(failure.get()).isNull();
    await().atMost(WAIT).until(() -> works.stream().allMatch(w -> w.runs() == 1));

    assertThat(works).hasSize(producers * perProducer);
    assertThat(spawner.scripted.calls()).as("threads created in %s", name).isBetween(1, max);
    assertThat(spawner.peak.get()).as("peak starting+running threads in %s", name).isLessThanOrEqualTo(max);
    pool.close();
  }
}
