package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, defect 7: {@link WorkerPool#requeue(Work)} from inside {@code run()} is accepted while
 * the pool drains after {@link WorkerPool#stop()}, as documented, also when the work runs on the
 * rescuer (no worker thread could be had): the requeued work runs again during the drain, on the
 * rescuer, while a worker thread still cannot be had.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RescuerRequeueTest {
  private static final long BOUND_S = 10;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  @Test
  void requeueFromRescuerRunWorkAcceptedDuringStop() throws Exception {
    CountDownLatch workerSpawn = pools.gate(); // no worker thread comes: the rescuer must run it
    ScriptedSpawner spawner =
        new ScriptedSpawner()
            .then(name -> {}) // the rescuer, started by build()
            .then(ScriptedSpawner.awaiting(workerSpawn));
    WorkerPool starter = pools.add(WorkerPool.starter("rescue-starter"));
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("rescue-requeue")
                .maxWorkers(1)
                .rescuer(true)
                .maydayTimeout(Duration.ofMillis(5))
                .starter(starter)
                .spawner(spawner)
                .build());
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch stopped = pools.gate();
    CountDownLatch firstReturned = new CountDownLatch(1);
    CountDownLatch secondRan = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<String> firstThread = new AtomicReference<>();
    AtomicReference<Throwable> requeueFailure = new AtomicReference<>();
    AtomicReference<Boolean> requeued = new AtomicReference<>();
    Work work =
        new Work() {
          @Override
          protected void run() {
            if (runs.incrementAndGet() == 1) {
              firstThread.set(Thread.currentThread().getName());
              firstRunning.countDown();
              try {
                stopped.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              try {
                requeued.set(pool.requeue(this)); // the next step of a work in progress
              } catch (Throwable t) {
                requeueFailure.set(t);
              }
              firstReturned.countDown();
            } else {
              secondRan.countDown();
            }
          }
        };
    assertThat(pool.queue(work)).isTrue();
    assertThat(firstRunning.await(BOUND_S, TimeUnit.SECONDS)).isTrue();
    assertThat(firstThread.get()).endsWith("-rescuer");

    pool.stop();
    stopped.countDown();

    assertThat(firstReturned.await(BOUND_S, TimeUnit.SECONDS)).isTrue();
    assertThat(requeueFailure.get()).as("requeue() during stop() threw").isNull();
    assertThat(requeued.get()).as("requeue() during stop() accepted the work").isTrue();
    // Still no worker thread: the rescuer, whose reason to exist that is, runs the next step.
    assertThat(secondRan.await(BOUND_S, TimeUnit.SECONDS))
        .as("the requeued work ran again during the drain, on the rescuer (%s)", pool.stats())
        .isTrue();
    assertThat(runs.get()).isEqualTo(2);
    workerSpawn.countDown();
    assertThat(pool.awaitTermination(Duration.ofSeconds(BOUND_S))).isTrue();
  }
}
