package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * stopNow() returns how many works it cancelled, exactly: every {@code CancellationException} a
 * work gets is counted by the one stopNow() that caused it. That covers the works waiting in the
 * worklist (a frozen pool's worker must not take one behind its back), works requeued from a run
 * still in progress (cancelled as the run returns, counted by the stopNow() that came meanwhile),
 * and works whose producers queued them as the pool stopped (counted if its sweep took them, else
 * rejected by their own {@code queue()}, never cancelled uncounted). The last two are the race
 * ExactlyOnceLincheckTest's stress mode found once ("stopNow() reported 1 cancellations but 2
 * works were cancelled by it"), here reproduced step by step.
 */
@Timeout(120)
class StopNowCountTest {
  private static final long BOUND_S = 10;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  @Test
  void stopNowOnAFrozenPoolCountsEveryWaitingWork() {
    for (int round = 0; round < Stress.rounds(2000); round++) {
      WorkerPool pool = WorkerPool.builder("count-" + round).minWorkers(1).maxWorkers(1).build();
      try {
        pool.freeze();
        CountingWork[] works = new CountingWork[5];
        for (int i = 0; i < works.length; i++) {
          works[i] = new CountingWork();
          pool.queue(works[i]);
        }
        int n = pool.stopNow();
        assertThat(pool.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(n).as("round %s: %s", round, pool.stats()).isEqualTo(5);
        for (CountingWork w : works) {
          assertThat(w.cancels()).isEqualTo(1);
          assertThat(w.runs()).isZero();
        }
      } finally {
        pool.stopNow();
        pool.awaitTermination(Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void stopNowCountsAWorkRequeuedFromARunStillInProgress() throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("requeue-in-run").maxWorkers(1).build());
    CountDownLatch requeued = new CountDownLatch(1);
    CountDownLatch stoppedNow = pools.gate();
    CountDownLatch cancelled = new CountDownLatch(1);
    AtomicReference<Object> requeueResult = new AtomicReference<>();
    AtomicReference<Thread> runThread = new AtomicReference<>();
    AtomicReference<Thread> cancelThread = new AtomicReference<>();
    CountingWork work =
        new CountingWork() {
          @Override
          protected void run() {
            super.run();
            runThread.set(Thread.currentThread());
            try {
              requeueResult.set(pool.requeue(this)); // the next step; then this step goes on
            } catch (RuntimeException e) {
              requeueResult.set(e);
            }
            requeued.countDown();
            try {
              stoppedNow.await(BOUND_S, TimeUnit.SECONDS); // still running while stopNow() runs
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }

          @Override
          protected void cancelled(Throwable cause) {
            super.cancelled(cause);
            cancelThread.set(Thread.currentThread());
            cancelled.countDown();
          }
        };
    assertThat(pool.queue(work)).isTrue();
    assertThat(requeued.await(BOUND_S, TimeUnit.SECONDS)).isTrue();
    assertThat(requeueResult.get()).as("requeue() before stopNow() is accepted").isEqualTo(true);

    int n = pool.stopNow();
    stoppedNow.countDown();

    assertThat(cancelled.await(BOUND_S, TimeUnit.SECONDS)).as("%s", pool.stats()).isTrue();
    assertThat(pool.awaitTermination(Duration.ofSeconds(BOUND_S))).isTrue();
    assertThat(work.runs()).isEqualTo(1);
    assertThat(work.cancels()).isEqualTo(1);
    assertThat(work.cause()).isInstanceOf(CancellationException.class);
    assertThat(n).as("stopNow() counts the requeued work it cancels").isEqualTo(1);
    assertThat(cancelThread.get()).as("cancelled on the thread whose run returned")
        .isSameAs(runThread.get());
    PoolStats s = pool.stats();
    assertThat(s.queued()).isEqualTo(2);
    assertThat(s.executed() + s.cancelled()).isEqualTo(2);
  }

  /**
   * Two producers passed queue()'s first check before stop() and pushed only after stopNow()'s
   * sweep (the steps queue() takes, made one at a time here): each producer rejects its own work,
   * and neither work is cancelled, since stopNow() did not count them. The first producer's drain
   * takes both works; the second work stays its own producer's to reject.
   */
  @Test
  void worksQueuedAfterStopNowsSweepAreRejectedByTheirOwnProducersNeverCancelled()
      throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("late-producers").maxWorkers(1).build());
    CountingWork first = new CountingWork();
    CountingWork second = new CountingWork();
    assertThat(first.markPending()).isTrue(); // each producer's claim, before stop()
    assertThat(second.markPending()).isTrue();

    assertThat(pool.stopNow()).isZero();

    Worklist worklist = field(pool, "worklist");
    Disposal disposal = field(pool, "disposal");
    WorkerRoster roster = field(pool, "roster");
    worklist.push(first); // both pushes land after the sweep
    worklist.push(second);
    assertThat(disposal.afterStop(first, false, roster)).as("first rejects its own").isTrue();
    assertThat(second.cancels()).as("second was not stopNow()'s to cancel").isZero();
    assertThat(disposal.afterStop(second, false, roster)).as("second rejects its own").isTrue();

    assertThat(pool.awaitTermination(Duration.ofSeconds(BOUND_S))).isTrue();
    for (CountingWork w : new CountingWork[] {first, second}) {
      assertThat(w.runs()).isZero();
      assertThat(w.cancels()).isZero();
      assertThat(w.isPending()).isFalse();
    }
    PoolStats s = pool.stats();
    assertThat(s.queued()).as("%s", s).isZero();
    assertThat(s.cancelled()).isZero();
  }

  /**
   * A producer that passed queue()'s first check before stop() and pushed before stopNow()'s sweep:
   * the sweep cancels the work and counts it, and the producer accepts it (its queue() returns
   * true), so the work was accepted, cancelled once and counted once.
   */
  @Test
  void aWorkQueuedAsThePoolStopsAndSweptIsAcceptedAndCounted() throws Exception {
    WorkerPool pool = pools.add(WorkerPool.builder("swept-producer").maxWorkers(1).build());
    pool.freeze(); // no worker takes it before the sweep
    pool.stop();
    CountingWork work = new CountingWork();
    assertThat(work.markPending()).isTrue();
    Worklist worklist = field(pool, "worklist");
    worklist.push(work);

    assertThat(pool.stopNow()).isEqualTo(1);

    Disposal disposal = field(pool, "disposal");
    WorkerRoster roster = field(pool, "roster");
    assertThat(disposal.afterStop(work, false, roster)).as("accepted: the sweep took it").isFalse();
    assertThat(pool.awaitTermination(Duration.ofSeconds(BOUND_S))).isTrue();
    assertThat(work.cancels()).isEqualTo(1);
    assertThat(work.cause()).isInstanceOf(CancellationException.class);
    assertThat(pool.stats().queued()).isEqualTo(1);
  }

  @SuppressWarnings("unchecked")
  private static <T> T field(WorkerPool pool, String name) throws ReflectiveOperationException {
    Field f = WorkerPool.class.getDeclaredField(name);
    f.setAccessible(true);
    return (T) f.get(pool);
  }
}
