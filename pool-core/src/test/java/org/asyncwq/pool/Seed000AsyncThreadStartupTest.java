package org.asyncwq.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 000, "Btrfs: fix deadlock on async thread startup": end-IO threads start more threads as
 * work piles up, thread creation may wait for writeback, and writeback waits for those very end-IO
 * threads. The fix hands thread startup to a dedicated one-thread helper, and counts threads being
 * started so concurrent submitters do not over-create.
 *
 * <p>The spawner here is a {@link ThrottledSpawn}: it blocks until a work already queued on the
 * same pool has run, as {@code kthreadd} did until writeback ended.
 */
@Timeout(value = 60, unit = SECONDS)
class Seed000AsyncThreadStartupTest {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final Duration LONG_IDLE = Duration.ofMinutes(1);

  /**
   * The naive shape, btrfs before the fix: the thread queueing the work creates the thread (a
   * package-private test setting; no public setting does this since issue 8). W1 runs on the
   * pool's only worker, which is busy, and queues
   * W2; W2 needs a new thread, and creating it waits until W2 has run. Only the worker stuck in
   * the creation could run W2.
   */
  @Test
  void withoutStarterASubmissionFromAWorkerHangsInThreadCreation() throws Exception {
    ThrottledSpawn throttle = new ThrottledSpawn();
    ScriptedSpawner spawner = new ScriptedSpawner().then(name -> {}, throttle);
    WorkerPool pool = endioPool("s000-naive", spawner, null);
    CountingWork w2 = new CountingWork(throttle::progress);
    CountDownLatch w1QueuedW2 = new CountDownLatch(1);
    CountingWork w1 =
        new CountingWork(
            () -> {
              pool.queue(w2);
              w1QueuedW2.countDown();
            });
    try {
      pool.queue(w1);
      assertThat(throttle.awaitEntered(BOUND)).as("W1's queue() asked for a thread").isTrue();
      Thread worker = throttle.caller();
      assertThat(worker.getName()).isEqualTo("s000-naive-1");
      assertThat(spawner.started()).as("the creation runs on a pool worker").contains(worker);

      // The hang, bounded: queue() inside W1 does not return, W2 does not run.
      assertThat(w1QueuedW2.await(2, SECONDS)).as("W1's queue(W2) returned").isFalse();
      assertThat(w2.runs()).isZero();
      throttle.assertCallerStuckHere();
      assertThat(pool.stats().starting()).isEqualTo(1);
    } finally {
      throttle.release();
      terminate(pool);
    }
    assertThat(w1QueuedW2.getCount()).isZero();
    assertThat(w1.runs()).isEqualTo(1);
    assertThat(w2.disposed()).isEqualTo(1);
    assertThat(spawner.anyAlive()).isFalse();
  }

  /**
   * Issue 8: the same scenario with the default settings (no starter named) completes too: a pool
   * with a spawner of its own creates threads on a starter thread of its own, never on a worker.
   */
  @Test
  void byDefaultTheSameSubmissionCompletesOnThePoolsOwnStarter() throws Exception {
    ThrottledSpawn throttle = new ThrottledSpawn();
    ScriptedSpawner spawner = new ScriptedSpawner().then(name -> {}, throttle);
    WorkerPool pool =
        WorkerPool.builder("s000-default").minWorkers(1).maxWorkers(2).idleTimeout(LONG_IDLE)
            .spawner(spawner).build();
    CountDownLatch w2Ran = new CountDownLatch(1);
    CountingWork w2 =
        new CountingWork(
            () -> {
              throttle.progress();
              w2Ran.countDown();
            });
    CountDownLatch w1QueuedW2 = new CountDownLatch(1);
    CountingWork w1 =
        new CountingWork(
            () -> {
              pool.queue(w2);
              w1QueuedW2.countDown();
            });
    try {
      pool.queue(w1);
      assertThat(w1QueuedW2.await(BOUND.toSeconds(), SECONDS)).as("W1's queue(W2) returned").isTrue();
      assertThat(w2Ran.await(BOUND.toSeconds(), SECONDS)).as("W2 ran").isTrue();
      assertThat(throttle.awaitEntered(BOUND)).isTrue();
      assertThat(throttle.caller().getName()).isEqualTo("s000-default-starter-1");
      assertThat(w2.cancels()).isZero();
    } finally {
      throttle.release();
      terminate(pool);
    }
    assertThat(spawner.anyAlive()).isFalse();
  }

  /** The same scenario with a starter: W1 returns at once, the worker runs W2, the thread comes. */
  @Test
  void withStarterTheSameSubmissionCompletes() throws Exception {
    WorkerPool starter = WorkerPool.starter("s000-async-starter");
    Thread starterThread = threadOf(starter);
    ThrottledSpawn throttle = new ThrottledSpawn();
    ScriptedSpawner spawner = new ScriptedSpawner().then(name -> {}, throttle);
    WorkerPool pool = endioPool("s000-async", spawner, starter);
    CountDownLatch w2Ran = new CountDownLatch(1);
    CountingWork w2 =
        new CountingWork(
            () -> {
              throttle.progress();
              w2Ran.countDown();
            });
    CountDownLatch w1QueuedW2 = new CountDownLatch(1);
    CountingWork w1 =
        new CountingWork(
            () -> {
              pool.queue(w2);
              w1QueuedW2.countDown();
            });
    try {
      pool.queue(w1);
      assertThat(w1QueuedW2.await(BOUND.toSeconds(), SECONDS)).as("W1's queue(W2) returned").isTrue();
      assertThat(w2Ran.await(BOUND.toSeconds(), SECONDS)).as("W2 ran").isTrue();
      // W2 may run before the starter even reaches the spawner; wait for the creation itself.
      assertThat(throttle.awaitEntered(BOUND)).isTrue();
      assertThat(throttle.caller()).as("the creation ran on the starter").isSameAs(starterThread);
      await().atMost(BOUND).until(() -> pool.stats().workers() == 2);
      assertThat(pool.stats().starting()).isZero();
      assertThat(w1.runs()).isEqualTo(1);
      assertThat(w2.runs()).isEqualTo(1);
      assertThat(w2.cancels()).isZero();
    } finally {
      throttle.release();
      terminate(pool);
      terminate(starter);
    }
    assertThat(spawner.anyAlive()).isFalse();
  }

  /**
   * With a starter, no thread is created on the thread that queues the work, whether that is an
   * outside submitter or a worker of the pool: every creation after build() runs on the starter.
   */
  @Test
  void withStarterThreadCreationNeverRunsOnTheSubmitterOrAPoolWorker() throws Exception {
    WorkerPool starter = WorkerPool.starter("s000-where-starter");
    Thread starterThread = threadOf(starter);
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool =
        WorkerPool.builder("s000-where")
            .minWorkers(0)
            .maxWorkers(4)
            .boredThreshold(1)
            .idleTimeout(LONG_IDLE)
            .spawner(spawner)
            .starter(starter)
            .build();
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch aAndCRunning = new CountDownLatch(2);
    CountDownLatch bRunning = new CountDownLatch(1);
    CountingWork c =
        new CountingWork(
            () -> {
              aAndCRunning.countDown();
              awaitQuietly(gate);
            });
    CountingWork a =
        new CountingWork(
            () -> {
              pool.queue(c); // a submission from inside a pool worker
              aAndCRunning.countDown();
              awaitQuietly(gate);
            });
    CountingWork b =
        new CountingWork(
            () -> {
              bRunning.countDown();
              awaitQuietly(gate);
            });
    try {
      assertThat(spawner.calls()).as("minWorkers 0: build() created no worker").isZero();
      pool.queue(a);
      assertThat(aAndCRunning.await(BOUND.toSeconds(), SECONDS)).as("A and C running").isTrue();
      pool.queue(b);
      assertThat(bRunning.await(BOUND.toSeconds(), SECONDS)).as("B running").isTrue();

      // Three works hold three threads at once, so three threads were created, and all on the
      // starter: never on this (submitting) thread, never on a pool worker (A queued C).
      assertThat(spawner.calls()).isEqualTo(3);
      assertThat(spawner.callers()).containsOnly(starterThread);
      assertThat(spawner.callers()).doesNotContain(Thread.currentThread());
      assertThat(spawner.callers()).doesNotContainAnyElementsOf(spawner.started());
    } finally {
      gate.countDown();
      terminate(pool);
      terminate(starter);
    }
    assertThat(List.of(a.disposed(), b.disposed(), c.disposed())).containsOnly(1);
    assertThat(spawner.anyAlive()).isFalse();
  }

  /**
   * Seed 000's second bug: on-demand creation ignored threads other submitters were already
   * starting and created far too many. Many submitters queue at once while every creation is held
   * in flight on the starter; workers + starting never exceeds maxWorkers, and exactly maxWorkers
   * threads are ever created.
   */
  @Test
  void concurrentSubmittersWithStartsInFlightNeverOverCreate() throws Exception {
    int max = 3;
    int submitters = 8;
    int worksEach = 25;
    WorkerPool starter = WorkerPool.starter("s000-count-starter");
    AtomicReference<WorkerPool> poolRef = new AtomicReference<>();
    AtomicInteger peak = new AtomicInteger();
    CountDownLatch spawnGate = new CountDownLatch(1);
    ScriptedSpawner spawner = new ScriptedSpawner();
    for (int i = 0; i < 4 * max; i++) {
      spawner.then(
          name -> {
            recordPeak(poolRef.get(), peak);
            awaitQuietly(spawnGate);
          });
    }
    WorkerPool pool =
        WorkerPool.builder("s000-count")
            .minWorkers(0)
            .maxWorkers(max)
            .boredThreshold(1)
            .idleTimeout(LONG_IDLE)
            .spawner(spawner)
            .starter(starter)
            .build();
    poolRef.set(pool);
    List<CountingWork> works = new ArrayList<>();
    for (int i = 0; i < submitters * worksEach; i++) {
      works.add(new CountingWork(() -> recordPeak(pool, peak)));
    }
    CyclicBarrier go = new CyclicBarrier(submitters);
    CountDownLatch submitted = new CountDownLatch(submitters);
    List<Thread> threads = new ArrayList<>();
    try {
      for (int s = 0; s < submitters; s++) {
        List<CountingWork> mine = works.subList(s * worksEach, (s + 1) * worksEach);
        Thread t =
            new Thread(
                () -> {
                  try {
                    go.await(BOUND.toSeconds(), SECONDS);
                    for (CountingWork w : mine) {
                      pool.queue(w);
                      recordPeak(pool, peak);
                    }
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  } finally {
                    submitted.countDown();
                  }
                },
                "s000-submitter-" + s);
        threads.add(t);
        t.start();
      }
      assertThat(submitted.await(BOUND.toSeconds(), SECONDS)).as("all submitted").isTrue();

      // Every creation is still held. Issue 8: a start in flight is a thread about to look, so
      // it is the only one asked for, however many submitters found no idle worker.
      PoolStats held = pool.stats();
      assertThat(held.workers()).isZero();
      assertThat(held.starting()).isEqualTo(1);
      assertThat(spawner.calls()).isLessThanOrEqualTo(1); // the starter may not have reached it yet

      spawnGate.countDown();
      await().atMost(BOUND).until(() -> works.stream().allMatch(w -> w.runs() == 1));
      assertThat(spawner.calls()).as("threads ever created").isBetween(1, max);
      assertThat(peak.get()).as("peak of workers + starting").isLessThanOrEqualTo(max);
    } finally {
      spawnGate.countDown();
      for (Thread t : threads) {
        t.join(BOUND.toMillis());
      }
      terminate(pool);
      terminate(starter);
    }
    assertThat(works).allMatch(w -> w.disposed() == 1);
    assertThat(spawner.anyAlive()).isFalse();
  }

  /** A pool of end-IO threads: one worker that is not bored while it runs, room for one more. */
  private static WorkerPool endioPool(String name, ThreadSpawner spawner, WorkerPool starter) {
    WorkerPool.Builder b =
        WorkerPool.builder(name)
            .minWorkers(1)
            .maxWorkers(2)
            .boredThreshold(1)
            .idleTimeout(LONG_IDLE)
            .spawner(spawner);
    if (starter != null) {
      b.starter(starter);
    } else {
      b.startsOnCaller(); // the naive shape; by default a pool never creates on the submitter
    }
    return b.build();
  }

  private static void recordPeak(WorkerPool pool, AtomicInteger peak) {
    if (pool != null) {
      PoolStats s = pool.stats();
      peak.accumulateAndGet(s.workers() + s.starting(), Math::max);
    }
  }

  /** The single thread of a starter pool, found by running a work on it. */
  private static Thread threadOf(WorkerPool starter) throws InterruptedException {
    AtomicReference<Thread> thread = new AtomicReference<>();
    CountDownLatch ran = new CountDownLatch(1);
    starter.execute(
        () -> {
          thread.set(Thread.currentThread());
          ran.countDown();
        });
    assertThat(ran.await(BOUND.toSeconds(), SECONDS)).isTrue();
    return thread.get();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(BOUND.toSeconds(), SECONDS)) {
        throw new AssertionError("gate not opened within " + BOUND);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void terminate(WorkerPool pool) {
    pool.stopNow();
    assertThat(pool.awaitTermination(BOUND)).as("%s terminated", pool.name()).isTrue();
  }
}
