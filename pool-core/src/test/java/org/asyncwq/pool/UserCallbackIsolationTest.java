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
 * Issue 8, defect 3: user callbacks ({@code cancelled()}, the spawner) never run under the pool's
 * own bookkeeping nor on a thread that other pools depend on. A {@code close()} from inside {@code
 * cancelled()} during {@code stopNow()} returns; a {@code cancelled()} that blocks, or a spawner
 * that blocks, holds up its own pool at most, never another pool's thread creation.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UserCallbackIsolationTest {
  private static final long BOUND_S = 5;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A spawner that never gets a thread, for good. */
  private static ThreadSpawner failingForGood() {
    return (name, body) -> {
      throw new SpawnException("injected: no thread for " + name, false);
    };
  }

  /** A work that must never run and whose cancelled() blocks on {@code gate}. */
  private static Work blockingOnCancel(CountDownLatch entered, CountDownLatch gate) {
    return new Work() {
      @Override
      protected void run() {
        throw new AssertionError("must not run: its pool can get no thread");
      }

      @Override
      protected void cancelled(Throwable cause) {
        entered.countDown();
        awaitQuietly(gate);
      }
    };
  }

  @Test
  void closeFromCancelledDuringStopNowDoesNotDeadlock() throws Exception {
    // Not in PoolsToClose: with the defect this pool can never terminate, and the clean-up below
    // must stay bounded.
    WorkerPool pool = WorkerPool.builder("close-in-cancel").minWorkers(1).maxWorkers(1).build();
    AtomicReference<Throwable> closeFailure = new AtomicReference<>();
    CountDownLatch closeReturned = new CountDownLatch(1);
    CountDownLatch stopNowReturned = new CountDownLatch(1);
    AtomicInteger stopNowCount = new AtomicInteger(-1);
    Thread stopper = null;
    try {
      pool.freeze(); // the work stays queued until stopNow() cancels it
      pool.queue(
          new Work() {
            @Override
            protected void run() {
              throw new AssertionError("must not run: the pool is frozen");
            }

            @Override
            protected void cancelled(Throwable cause) {
              try {
                pool.close();
              } catch (Throwable t) {
                closeFailure.set(t);
              }
              closeReturned.countDown();
            }
          });
      stopper =
          daemon(
              "stopper",
              () -> {
                stopNowCount.set(pool.stopNow());
                stopNowReturned.countDown();
              });

      assertThat(closeReturned.await(BOUND_S, TimeUnit.SECONDS))
          .as("close() called from cancelled() during stopNow() returned")
          .isTrue();
      assertThat(stopNowReturned.await(BOUND_S, TimeUnit.SECONDS))
          .as("stopNow() returned")
          .isTrue();
      assertThat(closeFailure.get()).isNull();
      assertThat(stopNowCount.get()).isEqualTo(1);
      assertThat(pool.awaitTermination(Duration.ofSeconds(BOUND_S))).isTrue();
    } finally {
      pool.thaw();
      pool.stopNow();
      if (stopper != null) {
        stopper.interrupt(); // with the defect it stays stuck in close(): a daemon, left behind
      }
      pool.awaitTermination(Duration.ofSeconds(BOUND_S));
    }
  }

  @Test
  void blockingCancelledCallbackDoesNotStallOtherPoolsThreadCreation() throws Exception {
    WorkerPool starter = pools.add(WorkerPool.starter("shared-starter"));
    WorkerPool failing =
        pools.add(
            WorkerPool.builder("no-threads")
                .maxWorkers(1)
                .spawnAttempts(1)
                .starter(starter)
                .spawner(failingForGood())
                .build());
    WorkerPool healthy =
        pools.add(WorkerPool.builder("healthy").maxWorkers(1).starter(starter).build());
    assertCancelledThatBlocksDoesNotStall(failing, healthy);
  }

  /** The same with the starter a pool gets when none is given. */
  @Test
  void blockingCancelledCallbackDoesNotStallOtherPoolsThreadCreationOnTheDefaultStarter()
      throws Exception {
    WorkerPool failing =
        pools.add(
            WorkerPool.builder("no-threads-default")
                .maxWorkers(1)
                .spawnAttempts(1)
                .spawner(failingForGood())
                .build());
    WorkerPool healthy = pools.add(WorkerPool.builder("healthy-default").maxWorkers(1).build());
    assertCancelledThatBlocksDoesNotStall(failing, healthy);
  }

  private void assertCancelledThatBlocksDoesNotStall(WorkerPool failing, WorkerPool healthy)
      throws Exception {
    CountDownLatch cancelEntered = new CountDownLatch(1);
    CountDownLatch cancelGate = pools.gate();
    // Queued from a thread of its own: a pool that calls cancelled() on the submitter blocks it.
    daemon("submitter", () -> failing.queue(blockingOnCancel(cancelEntered, cancelGate)));
    assertThat(cancelEntered.await(BOUND_S, TimeUnit.SECONDS))
        .as("the work of the pool that can get no thread was cancelled")
        .isTrue();

    CountDownLatch ran = new CountDownLatch(1);
    healthy.execute(ran::countDown);
    assertThat(ran.await(BOUND_S, TimeUnit.SECONDS))
        .as("another pool got a thread while a cancelled() of %s blocks (%s)", failing.name(),
            healthy.stats())
        .isTrue();
  }

  @Test
  void blockingSpawnerDoesNotStallOtherPoolsRetries() throws Exception {
    CountDownLatch retryEntered = new CountDownLatch(1);
    CountDownLatch spawnGate = pools.gate();
    ScriptedSpawner blockingOnRetry =
        new ScriptedSpawner()
            .fail(1, true)
            .then(
                name -> {
                  retryEntered.countDown();
                  awaitQuietly(spawnGate);
                });
    WorkerPool slow =
        pools.add(
            WorkerPool.builder("slow-spawner")
                .maxWorkers(1)
                .spawnBackoff(Duration.ofMillis(1))
                .spawner(blockingOnRetry)
                .build());
    ScriptedSpawner retryOnce = new ScriptedSpawner().fail(1, true);
    WorkerPool other =
        pools.add(
            WorkerPool.builder("other")
                .maxWorkers(1)
                .spawnBackoff(Duration.ofMillis(1))
                .spawner(retryOnce)
                .build());

    CountDownLatch slowRan = new CountDownLatch(1);
    daemon("slow-submitter", () -> slow.execute(slowRan::countDown));
    assertThat(retryEntered.await(BOUND_S, TimeUnit.SECONDS))
        .as("the slow pool's spawner was called again after a retryable failure")
        .isTrue();

    CountDownLatch otherRan = new CountDownLatch(1);
    daemon("other-submitter", () -> other.execute(otherRan::countDown));
    assertThat(otherRan.await(BOUND_S, TimeUnit.SECONDS))
        .as("another pool's retried thread start went ahead while the slow spawner blocks"
            + " (spawner calls %d, %s)", retryOnce.calls(), other.stats())
        .isTrue();
    spawnGate.countDown();
    assertThat(slowRan.await(BOUND_S, TimeUnit.SECONDS)).isTrue();
  }
}
