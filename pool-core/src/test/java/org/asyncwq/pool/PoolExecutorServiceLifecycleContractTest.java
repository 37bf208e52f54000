package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, "what must be true" 4, second part: the lifecycle of {@link WorkerPool#asExecutorService()}
 * as the {@link ExecutorService} Javadoc states it: before shutdown nothing is shut down or
 * terminated; {@code shutdown} rejects every way of submitting with {@link
 * RejectedExecutionException} but runs what was queued; {@code shutdownNow} returns the tasks that
 * never started, which then never run, and interrupts the running ones; {@code awaitTermination}
 * times out, returns at once when there is nothing left, and answers an interrupt with {@link
 * InterruptedException}. Complements {@link ExecutorServiceContractTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolExecutorServiceLifecycleContractTest {
  private static final long WAIT_S = PoolExecutorServiceContractTest.WAIT_S;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private ExecutorService service(String name, int max) {
    return pools.add(WorkerPool.builder(name).maxWorkers(max).build()).asExecutorService();
  }

  @Test
  void aFreshServiceIsNeitherShutDownNorTerminated() throws Exception {
    ExecutorService es = service("lc-fresh", 2);
    assertThat(es.isShutdown()).isFalse();
    assertThat(es.isTerminated()).isFalse();
    assertThat(es.awaitTermination(10, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(es.awaitTermination(0, TimeUnit.SECONDS)).isFalse();
    assertThat(es.awaitTermination(-1, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void shutdownOfAServiceThatNeverRanATaskTerminates() throws Exception {
    ExecutorService es = service("lc-idle-shutdown", 2);
    es.shutdown();
    assertThat(es.isShutdown()).isTrue();
    assertThat(es.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(es.isTerminated()).isTrue();
    assertThat(es.awaitTermination(0, TimeUnit.SECONDS))
        .as("a terminated service answers at once, whatever the timeout")
        .isTrue();
  }

  @Test
  void shutdownNowOfAnIdleServiceReturnsNothingAndTerminates() throws Exception {
    ExecutorService es = service("lc-idle-shutdownnow", 2);
    assertThat(es.submit(() -> 1).get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(es.shutdownNow()).isEmpty();
    assertThat(es.isShutdown()).isTrue();
    assertThat(es.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(es.isTerminated()).isTrue();
    assertThat(es.shutdownNow()).as("shutdownNow after termination").isEmpty();
  }

  @Test
  void afterShutdownEveryWayOfSubmittingIsRejected() throws Exception {
    ExecutorService es = service("lc-rejects", 2);
    es.shutdown();
    Callable<String> task = () -> "x";
    assertThatThrownBy(() -> es.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> es.submit(() -> {})).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> es.submit(() -> {}, "r"))
        .isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> es.submit(task)).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> es.invokeAll(List.of(task)))
        .isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> es.invokeAll(List.of(task), WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> es.invokeAny(List.of(task)))
        .isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> es.invokeAny(List.of(task), WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(es.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shutdownLetsEveryQueuedTaskRunBeforeTermination() throws Exception {
    ExecutorService es = service("lc-drain", 1);
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(1);
    Future<String> blocked =
        es.submit(PoolExecutorServiceContractTest.blocking(started, gate, new AtomicBoolean()));
    assertThat(started.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    AtomicInteger ran = new AtomicInteger();
    for (int i = 0; i < 50; i++) {
      es.execute(ran::incrementAndGet);
    }

    es.shutdown();
    assertThat(es.isTerminated()).isFalse();
    gate.countDown();

    assertThat(es.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(ran.get()).isEqualTo(50);
    assertThat(blocked.get()).isEqualTo("released");
  }

  @Test
  void tasksReturnedByShutdownNowNeverRun() throws Exception {
    ExecutorService es = service("lc-never-run", 1);
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    Future<String> running =
        es.submit(PoolExecutorServiceContractTest.blocking(started, pools.gate(), interrupted));
    assertThat(started.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    AtomicInteger ran = new AtomicInteger();
    List<Runnable> queued = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Runnable r = ran::incrementAndGet;
      queued.add(r);
      es.execute(r);
    }

    List<Runnable> notStarted = es.shutdownNow();

    assertThat(notStarted).containsExactlyInAnyOrderElementsOf(queued);
    assertThat(es.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(ran.get()).as("tasks handed back by shutdownNow() that ran anyway").isZero();
    assertThat(interrupted).as("the running task was interrupted").isTrue();
    assertThatThrownBy(running::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(InterruptedException.class);
    assertThatThrownBy(() -> es.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void awaitTerminationAnswersAnInterruptWithInterruptedException() throws Exception {
    ExecutorService es = service("lc-await-interrupt", 1);
    CountDownLatch started = new CountDownLatch(1);
    es.submit(PoolExecutorServiceContractTest.blocking(started, pools.gate(),
        new AtomicBoolean()));
    assertThat(started.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    es.shutdown();

    // Interrupted while it waits.
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    CountDownLatch returned = new CountDownLatch(1);
    Thread waiter =
        new Thread(
            () -> {
              try {
                outcome.set(new AssertionError(
                    "awaitTermination returned " + es.awaitTermination(30, TimeUnit.SECONDS)));
              } catch (Throwable t) {
                outcome.set(t);
              } finally {
                returned.countDown();
              }
            },
            "awaiter");
    waiter.setDaemon(true);
    waiter.start();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(WAIT_S))
        .until(() -> waiter.getState() == Thread.State.TIMED_WAITING
            || waiter.getState() == Thread.State.WAITING || !waiter.isAlive());
    waiter.interrupt();
    assertThat(returned.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(outcome.get()).isInstanceOf(InterruptedException.class);

    // Interrupted before it is called.
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> es.awaitTermination(30, TimeUnit.SECONDS))
          .isInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(es.isTerminated()).isFalse();
  }

  @Test
  void shutdownIsIdempotentAndShutdownNowAfterShutdownStillHandsBackQueuedTasks()
      throws Exception {
    ExecutorService es = service("lc-shutdown-then-now", 1);
    CountDownLatch started = new CountDownLatch(1);
    es.submit(PoolExecutorServiceContractTest.blocking(started, pools.gate(),
        new AtomicBoolean()));
    assertThat(started.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    Runnable queued = () -> {};
    es.execute(queued);
    es.shutdown();
    es.shutdown();
    assertThat(es.isShutdown()).isTrue();
    assertThat(es.shutdownNow()).containsExactly(queued);
    assertThat(es.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(es.isTerminated()).isTrue();
  }
}
