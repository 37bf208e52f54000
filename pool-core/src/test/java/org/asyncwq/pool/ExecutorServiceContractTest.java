package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link WorkerPool#asExecutorService()} honours the java.util.concurrent ExecutorService contract. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecutorServiceContractTest {
  private static final long WAIT_S = 10;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private ExecutorService service(String name, int min, int max) {
    return pools
        .add(
            WorkerPool.builder(name)
                .minWorkers(min)
                .maxWorkers(max)
                .spawner(new ScriptedSpawner())
                .build())
        .asExecutorService();
  }

  /** Occupies the only worker of a one-thread service until the returned gate opens. */
  private CountDownLatch occupy(ExecutorService es) throws InterruptedException {
    CountDownLatch gate = pools.gate();
    CountDownLatch running = new CountDownLatch(1);
    es.execute(
        () -> {
          running.countDown();
          try {
            gate.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    return gate;
  }

  @Test
  void submittedRunnablesAndCallablesCompleteTheirFutures() throws Exception {
    ExecutorService es = service("es-submit", 0, 2);
    AtomicBoolean ran = new AtomicBoolean();
    Future<?> plain = es.submit(() -> ran.set(true));
    Future<String> withResult = es.submit(() -> {}, "done");
    Future<Integer> callable = es.submit(() -> 6 * 7);

    assertThat(plain.get(WAIT_S, TimeUnit.SECONDS)).isNull();
    assertThat(ran).isTrue();
    assertThat(withResult.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(callable.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(42);
    assertThat(callable.isDone()).isTrue();
  }

  @Test
  void callableThatThrowsFailsItsFutureAndThePoolGoesOn() throws Exception {
    ExecutorService es = service("es-throw", 0, 1);
    Future<Object> failing =
        es.submit(
            (Callable<Object>) () -> {
              throw new IllegalStateException("boom");
            });
    assertThatThrownBy(() -> failing.get(WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThat(es.submit(() -> "next").get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("next");
  }

  @Test
  void invokeAllReturnsCompletedFuturesInTaskOrder() throws Exception {
    ExecutorService es = service("es-all", 0, 3);
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int v = i;
      tasks.add(() -> v * v);
    }
    List<Future<Integer>> futures = es.invokeAll(tasks);
    assertThat(futures).hasSize(20).allMatch(Future::isDone);
    for (int i = 0; i < 20; i++) {
      assertThat(futures.get(i).get()).isEqualTo(i * i);
    }
    List<Future<Integer>> timed = es.invokeAll(tasks, WAIT_S, TimeUnit.SECONDS);
    assertThat(timed).allMatch(f -> f.isDone() && !f.isCancelled());
  }

  @Test
  void invokeAnyReturnsTheResultOfATaskThatSucceeded() throws Exception {
    ExecutorService es = service("es-any", 0, 2);
    List<Callable<String>> tasks =
        List.of(
            () -> {
              throw new IllegalStateException("first fails");
            },
            () -> "second");
    assertThat(es.invokeAny(tasks)).isEqualTo("second");
    assertThat(es.invokeAny(tasks, WAIT_S, TimeUnit.SECONDS)).isEqualTo("second");

    List<Callable<String>> allFail =
        List.of(
            () -> {
              throw new IllegalStateException("a");
            });
    assertThatThrownBy(() -> es.invokeAny(allFail)).isInstanceOf(ExecutionException.class);
  }

  @Test
  void shutdownRejectsNewTasksButRunsQueuedOnes() throws Exception {
    ExecutorService es = service("es-shutdown", 1, 1);
    CountDownLatch gate = occupy(es);
    List<Future<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int v = i;
      queued.add(es.submit(() -> v));
    }

    es.shutdown();

    assertThat(es.isShutdown()).isTrue();
    assertThat(es.isTerminated()).isFalse();
    assertThatThrownBy(() -> es.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> es.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    gate.countDown();
    assertThat(es.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(es.isTerminated()).isTrue();
    for (int i = 0; i < 5; i++) {
      assertThat(queued.get(i).get()).isEqualTo(i);
    }
    es.shutdown(); // idempotent
    assertThat(es.isTerminated()).isTrue();
  }

  @Test
  void shutdownNowReturnsNeverStartedTasksAndInterruptsRunningOnes() throws Exception {
    ExecutorService es = service("es-shutdownnow", 1, 1);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch never = pools.gate();
    AtomicBoolean interrupted = new AtomicBoolean();
    Future<?> runningTask =
        es.submit(
            () -> {
              running.countDown();
              try {
                never.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                interrupted.set(true);
              }
            });
    assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    List<Future<?>> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(es.submit(() -> {}));
    }
    Runnable plain = () -> {};
    es.execute(plain);

    List<Runnable> notStarted = es.shutdownNow();

    assertThat(notStarted).hasSize(4);
    assertThat(notStarted).containsAll(waiting.stream().map(f -> (Runnable) f).toList());
    assertThat(notStarted).contains(plain);
    assertThat(waiting).allMatch(Future::isCancelled);
    assertThat(es.isShutdown()).isTrue();
    assertThat(es.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(interrupted).as("the running task was interrupted").isTrue();
    assertThat(runningTask.isDone()).isTrue();
    assertThat(es.isTerminated()).isTrue();
    assertThatThrownBy(() -> waiting.get(0).get()).isInstanceOf(CancellationException.class);
  }

  @Test
  void shutdownNowAlsoInterruptsATaskRunningOnTheRescuer() throws Exception {
    // The only worker start blocks, so the rescuer runs the task.
    CountDownLatch spawnGate = pools.gate();
    ScriptedSpawner spawner =
        new ScriptedSpawner()
            .then(n -> {}) // the rescuer
            .then(ScriptedSpawner.awaiting(spawnGate));
    WorkerPool starter = pools.add(WorkerPool.starter("es-rescue-starter"));
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("es-rescue")
                .maxWorkers(1)
                .rescuer(true)
                .maydayTimeout(Duration.ofMillis(5))
                .starter(starter)
                .spawner(spawner)
                .build());
    ExecutorService es = pool.asExecutorService();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch never = pools.gate();
    AtomicBoolean interrupted = new AtomicBoolean();
    es.execute(
        () -> {
          running.countDown();
          try {
            never.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            interrupted.set(true);
          }
        });
    assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.stats().rescued()).isEqualTo(1);

    es.shutdownNow();

    spawnGate.countDown();
    assertThat(es.awaitTermination(WAIT_S * 2, TimeUnit.SECONDS)).isTrue();
    assertThat(interrupted).as("the task running on the rescuer was interrupted").isTrue();
  }

  @Test
  void awaitTerminationTimesOutWhileATaskRuns() throws Exception {
    ExecutorService es = service("es-await", 1, 1);
    CountDownLatch gate = occupy(es);
    es.shutdown();
    assertThat(es.awaitTermination(50, TimeUnit.MILLISECONDS)).isFalse();
    gate.countDown();
    assertThat(es.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void futureOfATaskCancelledForASpawnFailureFailsWithTheSpawnException() throws Exception {
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("es-spawnfail")
                .maxWorkers(1)
                .spawnAttempts(1)
                .spawner(new ScriptedSpawner().fail(1, false))
                .build());
    Future<String> f = pool.asExecutorService().submit(() -> "never");
    assertThatThrownBy(() -> f.get(WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SpawnException.class);
    pool.close();
    assertThat(pool.awaitTermination(Duration.ofSeconds(WAIT_S))).isTrue();
  }
}
