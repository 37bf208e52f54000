package org.asyncwq.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel workqueue's {@code WQ_MEM_RECLAIM} rescuer and its "mayday": a queue that memory
 * reclaim depends on must make progress even when no new thread can be created, because creating
 * one may wait for that very reclaim. Such a queue gets one thread at creation; when work has
 * waited too long for a new worker, the rescuer runs it.
 *
 * <p>The spawner is a {@link ThrottledSpawn} that blocks until the queued work has run. A starter
 * (seed 000) does not help here: the pool has no worker at all, so whichever thread creates the
 * thread, nothing can run the work it waits for.
 */
@Timeout(value = 60, unit = SECONDS)
class MemReclaimRescuerMaydayTest {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final Duration MAYDAY = Duration.ofMillis(10);

  @Test
  void rescuerThreadIsCreatedByBuild() {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool = reclaimPool("mr-build", spawner, null, true);
    try {
      assertThat(spawner.calls()).isEqualTo(1);
      assertThat(spawner.callers()).containsExactly(Thread.currentThread());
      Thread rescuer = spawner.started().get(0);
      assertThat(rescuer.getName()).isEqualTo("mr-build-rescuer");
      assertThat(rescuer.isAlive()).isTrue();
      assertThat(pool.stats().workers()).as("the rescuer is not a worker").isZero();
    } finally {
      terminate(pool);
    }
    assertThat(spawner.anyAlive()).isFalse();
  }

  /**
   * The naive shape: no rescuer and no starter. The submitter creates the first thread itself,
   * the creation waits for the queued work, and no thread exists to run it: queue() never returns.
   */
  @Test
  void withoutRescuerOrStarterTheSubmitterHangsCreatingTheFirstThread() throws Exception {
    ThrottledSpawn throttle = new ThrottledSpawn();
    ScriptedSpawner spawner = new ScriptedSpawner().then(throttle);
    WorkerPool pool = reclaimPool("mr-naive", spawner, null, false);
    CountingWork work = new CountingWork(throttle::progress);
    CountDownLatch queued = new CountDownLatch(1);
    Thread submitter = new Thread(() -> {
      pool.queue(work);
      queued.countDown();
    }, "mr-naive-submitter");
    try {
      submitter.start();
      assertThat(throttle.awaitEntered(BOUND)).isTrue();
      assertThat(throttle.caller()).isSameAs(submitter);

      assertThat(queued.await(2, SECONDS)).as("queue() returned").isFalse();
      assertThat(work.runs()).isZero();
      throttle.assertCallerStuckHere();
    } finally {
      throttle.release();
      submitter.join(BOUND.toMillis());
      terminate(pool);
    }
    assertThat(submitter.isAlive()).isFalse();
    assertThat(work.disposed()).isEqualTo(1);
    assertThat(spawner.anyAlive()).isFalse();
  }

  /**
   * Async start alone is not enough: with a starter the submitter returns, but the starter is
   * stuck in the creation and the work waits forever, since the pool has no thread to run it.
   */
  @Test
  void withoutRescuerAStarterAloneLeavesTheWorkWaitingForever() throws Exception {
    WorkerPool starter = WorkerPool.starter("mr-starter-only-starter");
    ThrottledSpawn throttle = new ThrottledSpawn();
    ScriptedSpawner spawner = new ScriptedSpawner().then(throttle);
    WorkerPool pool = reclaimPool("mr-starter-only", spawner, starter, false);
    CountDownLatch ran = new CountDownLatch(1);
    CountingWork work =
        new CountingWork(
            () -> {
              throttle.progress();
              ran.countDown();
            });
    try {
      pool.queue(work);
      assertThat(throttle.awaitEntered(BOUND)).isTrue();
      assertThat(throttle.caller().getName()).isEqualTo("mr-starter-only-starter-1");

      assertThat(ran.await(2, SECONDS)).as("the work ran").isFalse();
      throttle.assertCallerStuckHere();
      assertThat(pool.stats().pending()).isEqualTo(1);
    } finally {
      throttle.release();
      terminate(pool);
      terminate(starter);
    }
    assertThat(work.disposed()).isEqualTo(1);
    assertThat(spawner.anyAlive()).isFalse();
  }

  /**
   * With a rescuer the same scenario completes, with or without a starter: the work waits
   * maydayTimeout for a thread that does not come, the rescuer runs it, and that lets the blocked
   * creation finish.
   */
  @ParameterizedTest(name = "starter={0}")
  @ValueSource(booleans = {false, true})
  void rescuerRunsTheWaitingWorkWhenNoThreadCanBeCreated(boolean withStarter) throws Exception {
    WorkerPool starter = withStarter ? WorkerPool.starter("mr-rescue-starter") : null;
    String name = "mr-rescue-" + withStarter;
    ThrottledSpawn throttle = new ThrottledSpawn();
    ScriptedSpawner spawner = new ScriptedSpawner().then(rescuerSpawn -> {}, throttle);
    WorkerPool pool = reclaimPool(name, spawner, starter, true);
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    CountDownLatch ran = new CountDownLatch(1);
    CountingWork work =
        new CountingWork(
            () -> {
              ranOn.set(Thread.currentThread());
              throttle.progress();
              ran.countDown();
            });
    CountDownLatch queued = new CountDownLatch(1);
    Thread submitter = new Thread(() -> {
      pool.queue(work);
      queued.countDown();
    }, name + "-submitter");
    try {
      submitter.start();
      assertThat(ran.await(BOUND.toSeconds(), SECONDS)).as("the work ran").isTrue();
      assertThat(queued.await(BOUND.toSeconds(), SECONDS)).as("queue() returned").isTrue();
      assertThat(ranOn.get().getName()).isEqualTo(name + "-rescuer");
      assertThat(pool.stats().rescued()).isGreaterThan(0);
      assertThat(throttle.awaitEntered(BOUND)).as("a worker's creation was asked for").isTrue();
      assertThat(throttle.threadName()).isEqualTo(name + "-1");
      assertThat(work.runs()).isEqualTo(1);
      assertThat(work.cancels()).isZero();
    } finally {
      throttle.release();
      submitter.join(BOUND.toMillis());
      terminate(pool);
      if (starter != null) {
        terminate(starter);
      }
    }
    assertThat(submitter.isAlive()).isFalse();
    assertThat(spawner.anyAlive()).isFalse();
  }

  /** A queue memory reclaim depends on: no thread until work arrives. */
  private static WorkerPool reclaimPool(
      String name, ThreadSpawner spawner, WorkerPool starter, boolean rescuer) {
    WorkerPool.Builder b =
        WorkerPool.builder(name)
            .minWorkers(0)
            .maxWorkers(2)
            .idleTimeout(Duration.ofMinutes(1))
            .rescuer(rescuer)
            .maydayTimeout(MAYDAY)
            .spawner(spawner);
    if (starter != null) {
      b.starter(starter);
    } else if (!rescuer) {
      b.startsOnCaller(); // the naive shape; by default a pool never creates on the submitter
    }
    return b.build();
  }

  private static void terminate(WorkerPool pool) {
    pool.stopNow();
    assertThat(pool.awaitTermination(BOUND)).as("%s terminated", pool.name()).isTrue();
  }
}
