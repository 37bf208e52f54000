package org.asyncwq.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seed 004, "io-wq: make worker creation resilient against signals": creating the first worker of
 * a group could fail (interrupted by a signal) and then "that worker will never get created and we
 * can hang the ring". The fix retries a failed creation from elsewhere, treats a failure as fatal
 * only when the group has no worker at all, and then cancels the pending work instead of leaving it.
 */
@Timeout(value = 60, unit = SECONDS)
class Seed004WorkerCreationFailureTest {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final Duration LONG_IDLE = Duration.ofMinutes(1);

  /**
   * The naive shape, io-wq before the fix: a pool that ignores a failed creation of its first
   * thread. The JDK's ThreadPoolExecutor is such a pool (its Javadoc: a factory that fails "might
   * not be able to execute any tasks"): the task is queued, no thread exists, and nothing ever runs
   * or cancels it.
   */
  @Test
  void naiveShapeAPoolIgnoringItsFailedFirstThreadLeavesTheWorkWaitingForever() throws Exception {
    ThreadPoolExecutor tpe =
        new ThreadPoolExecutor(1, 1, 0, SECONDS, new LinkedBlockingQueue<>(), r -> null);
    try {
      Future<?> future = tpe.submit(() -> {});
      assertThatThrownBy(() -> future.get(2, SECONDS)).isInstanceOf(TimeoutException.class);
      assertThat(future.isDone()).isFalse();
      assertThat(tpe.getPoolSize()).as("threads").isZero();
      assertThat(tpe.getQueue()).as("the task waits with no thread to run it").hasSize(1);
    } finally {
      assertThat(tpe.shutdownNow()).hasSize(1);
      assertThat(tpe.awaitTermination(BOUND.toSeconds(), SECONDS)).isTrue();
    }
  }

  /**
   * Without a starter named, a pool with a spawner of its own gets a starter thread of its own:
   * the first attempt and every retry run there, never on the submitter and never on the JVM-wide
   * retry timer (issue 8, defect 3: one blocking spawner there stalled every pool's retries), at
   * most spawnAttempts in all; after the last one the failure is fatal and the work, on a pool with
   * no thread, is cancelled with it.
   */
  @Test
  void retryableFailureIsRetriedOffTheSubmitterAtMostSpawnAttemptsThenFatal() {
    ScriptedSpawner spawner = new ScriptedSpawner().fail(3, true);
    WorkerPool pool = emptyPool("s004-retry", spawner, null, 3);
    CountingWork work = new CountingWork();
    try {
      pool.queue(work);
      await().atMost(BOUND).until(() -> work.disposed() == 1);

      assertThat(work.runs()).isZero();
      assertThat(work.cause()).isInstanceOf(SpawnException.class);
      assertThat(((SpawnException) work.cause()).isRetryable()).isTrue();
      assertThat(spawner.calls()).as("attempts, the first included").isEqualTo(3);
      assertThat(pool.stats().spawnFailures()).isEqualTo(3);
      assertThat(pool.stats().starting()).isZero();

      assertThat(spawner.callers())
          .as("every attempt")
          .doesNotContain(Thread.currentThread())
          .allMatch(t -> t.getName().equals("s004-retry-starter-1"));
    } finally {
      terminate(pool);
    }
    assertThat(spawner.started()).isEmpty();
  }

  /** With a starter, the first attempt and every retry run on the starter's thread. */
  @Test
  void withStarterEveryAttemptAndRetryRunsOnTheStarter() throws Exception {
    WorkerPool starter = WorkerPool.starter("s004-retry-starter");
    ScriptedSpawner spawner = new ScriptedSpawner().fail(2, true);
    WorkerPool pool = emptyPool("s004-retry-async", spawner, starter, 4);
    CountDownLatch ran = new CountDownLatch(1);
    CountingWork work = new CountingWork(ran::countDown);
    try {
      pool.queue(work);
      assertThat(ran.await(BOUND.toSeconds(), SECONDS)).as("third attempt made a thread").isTrue();
      assertThat(spawner.calls()).isEqualTo(3);
      assertThat(pool.stats().spawnFailures()).isEqualTo(2);
      assertThat(spawner.callers())
          .doesNotContain(Thread.currentThread())
          .allMatch(t -> t.getName().equals("s004-retry-starter-1"));
      assertThat(work.cancels()).isZero();
    } finally {
      terminate(pool);
      terminate(starter);
    }
    assertThat(spawner.anyAlive()).isFalse();
  }

  /**
   * A fatal failure while the pool has no thread: every pending work is cancelled with the
   * SpawnException as the cause (a future fails with it), and no queue() call hangs.
   */
  @Test
  void fatalFailureWithNoWorkerCancelsEveryPendingWorkWithTheCause() throws Exception {
    CountDownLatch allQueued = new CountDownLatch(1);
    SpawnException fatal = new SpawnException("no thread for you", false);
    ScriptedSpawner spawner =
        new ScriptedSpawner()
            .fail(1, true)
            .then(
                name -> {
                  try {
                    allQueued.await(BOUND.toSeconds(), SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  throw fatal;
                });
    WorkerPool pool = emptyPool("s004-fatal", spawner, null, 4);
    List<CountingWork> works = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        CountingWork w = new CountingWork();
        works.add(w);
        assertThat(pool.queue(w)).isTrue();
      }
      Future<String> future = pool.asExecutorService().submit(() -> "never");
      assertThat(pool.stats().pending()).as("all waiting for the one thread start").isEqualTo(5);
      allQueued.countDown();

      await().atMost(BOUND).until(() -> works.stream().allMatch(w -> w.disposed() == 1));
      assertThat(works).allMatch(w -> w.runs() == 0 && w.cause() == fatal);
      assertThatThrownBy(() -> future.get(BOUND.toSeconds(), SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseReference(fatal);
      assertThat(spawner.calls()).as("a fatal failure is not retried").isEqualTo(2);
      PoolStats stats = pool.stats();
      assertThat(stats.pending()).isZero();
      assertThat(stats.cancelled()).isEqualTo(5);
      assertThat(stats.starting()).isZero();
    } finally {
      allQueued.countDown();
      terminate(pool);
    }
    assertThat(spawner.started()).isEmpty();
  }

  /**
   * The "existing worker" path is never fatal: the only worker is busy, a thread for the next work
   * cannot be created (retried until given up, or at once), yet nothing is cancelled and the
   * worker runs the waiting work when it is free.
   */
  @ParameterizedTest(name = "retryable={0}")
  @ValueSource(booleans = {true, false})
  void failureWhileAWorkerExistsIsNeverFatal(boolean retryable) throws Exception {
    int attempts = 2;
    ScriptedSpawner spawner = new ScriptedSpawner().then(name -> {}).fail(attempts, retryable);
    WorkerPool pool =
        WorkerPool.builder("s004-busy-" + retryable)
            .minWorkers(1)
            .maxWorkers(2)
            .boredThreshold(1)
            .idleTimeout(LONG_IDLE)
            .spawnAttempts(attempts)
            .spawner(spawner)
            .build();
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    CountingWork busy =
        new CountingWork(
            () -> {
              running.countDown();
              try {
                gate.await(BOUND.toSeconds(), SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    CountingWork waiting = new CountingWork();
    long failures = retryable ? attempts : 1;
    try {
      pool.queue(busy);
      assertThat(running.await(BOUND.toSeconds(), SECONDS)).isTrue();
      pool.queue(waiting);
      await()
          .atMost(BOUND)
          .until(() -> pool.stats().spawnFailures() == failures && pool.stats().starting() == 0);

      assertThat(waiting.disposed()).as("not cancelled, still waiting").isZero();
      assertThat(pool.stats().cancelled()).isZero();
      assertThat(pool.stats().workers()).isEqualTo(1);

      gate.countDown();
      await().atMost(BOUND).until(() -> waiting.disposed() == 1);
      assertThat(waiting.runs()).isEqualTo(1);
      assertThat(spawner.calls()).isEqualTo(1 + (int) failures);
    } finally {
      gate.countDown();
      terminate(pool);
    }
    assertThat(busy.runs()).isEqualTo(1);
    assertThat(spawner.anyAlive()).isFalse();
  }

  /** A non-retryable failure is final at once, though more attempts were allowed. */
  @Test
  void nonRetryableFailureIsNotRetried() {
    ScriptedSpawner spawner = new ScriptedSpawner().fail(1, false);
    WorkerPool pool = emptyPool("s004-final", spawner, null, 4);
    CountingWork work = new CountingWork();
    try {
      pool.queue(work);
      await().atMost(BOUND).until(() -> work.disposed() == 1);
      assertThat(work.cancels()).as("a retry would have succeeded and run it").isEqualTo(1);
      assertThat(((SpawnException) work.cause()).isRetryable()).isFalse();
      assertThat(spawner.calls()).isEqualTo(1);
      assertThat(pool.stats().spawnFailures()).isEqualTo(1);
    } finally {
      terminate(pool);
    }
  }

  /**
   * The JVM's form of a transient creation failure, "OutOfMemoryError: unable to create native
   * thread", escaping a spawner is retried like a retryable SpawnException.
   */
  @Test
  void unableToCreateNativeThreadIsRetried() throws Exception {
    ScriptedSpawner spawner =
        new ScriptedSpawner()
            .then(
                name -> {
                  throw new OutOfMemoryError("unable to create native thread: possibly out of"
                      + " memory or process/resource limits reached");
                });
    WorkerPool pool = emptyPool("s004-oom", spawner, null, 4);
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    CountDownLatch ran = new CountDownLatch(1);
    CountingWork work =
        new CountingWork(
            () -> {
              ranOn.set(Thread.currentThread());
              ran.countDown();
            });
    try {
      pool.queue(work);
      assertThat(ran.await(BOUND.toSeconds(), SECONDS)).isTrue();
      assertThat(spawner.calls()).isEqualTo(2);
      assertThat(pool.stats().spawnFailures()).isEqualTo(1);
      assertThat(spawner.started()).containsExactly(ranOn.get());
    } finally {
      terminate(pool);
    }
    assertThat(spawner.anyAlive()).isFalse();
  }

  /** A pool with no thread until work arrives, and room for one. */
  private static WorkerPool emptyPool(
      String name, ThreadSpawner spawner, WorkerPool starter, int attempts) {
    WorkerPool.Builder b =
        WorkerPool.builder(name)
            .minWorkers(0)
            .maxWorkers(1)
            .idleTimeout(LONG_IDLE)
            .spawnAttempts(attempts)
            .spawnBackoff(Duration.ofMillis(1))
            .spawner(spawner);
    if (starter != null) {
      b.starter(starter);
    }
    return b.build();
  }

  private static void terminate(WorkerPool pool) {
    pool.stopNow();
    assertThat(pool.awaitTermination(BOUND)).as("%s terminated", pool.name()).isTrue();
  }
}
