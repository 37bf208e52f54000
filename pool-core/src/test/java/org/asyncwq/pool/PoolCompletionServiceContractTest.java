package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, "what must be true" 4, third part: an {@link ExecutorCompletionService} over {@link
 * WorkerPool#asExecutorService()} hands out futures in the order the tasks complete (the ground of
 * the JSR-166 TCK's ExecutorCompletionServiceTest): {@code take} waits for the next, {@code poll}
 * answers {@code null} while none is done, {@code poll} with a timeout waits at most that long, a
 * failed task comes out as a future whose {@code get} throws.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolCompletionServiceContractTest {
  private static final long WAIT_S = PoolExecutorServiceContractTest.WAIT_S;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private CompletionService<String> completion(String name, int max) {
    ExecutorService es =
        pools.add(WorkerPool.builder(name).maxWorkers(max).build()).asExecutorService();
    return new ExecutorCompletionService<>(es);
  }

  @Test
  void nullTasksAreRejected() {
    CompletionService<String> cs = completion("ecs-nulls", 1);
    assertThatThrownBy(() -> cs.submit((Callable<String>) null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> cs.submit(null, "r")).isInstanceOf(NullPointerException.class);
  }

  @Test
  void takeReturnsEverySubmittedTaskOnce() throws Exception {
    CompletionService<String> cs = completion("ecs-take-all", 3);
    Set<Future<String>> submitted = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      int v = i;
      submitted.add(cs.submit(() -> "task " + v));
    }
    submitted.add(cs.submit(() -> {}, "runnable"));
    Set<String> results = new HashSet<>();
    for (int i = 0; i < 21; i++) {
      Future<String> f = cs.take();
      assertThat(submitted.remove(f)).as("take() returned a submitted future once").isTrue();
      results.add(f.get());
    }
    assertThat(submitted).isEmpty();
    assertThat(results).hasSize(21).contains("task 0", "task 19", "runnable");
    assertThat(cs.poll()).isNull();
  }

  @Test
  void pollAnswersNullUntilATaskCompletesAndThenItsFuture() throws Exception {
    CompletionService<String> cs = completion("ecs-poll", 1);
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(1);
    Future<String> f =
        cs.submit(PoolExecutorServiceContractTest.blocking(started, gate, new AtomicBoolean()));
    assertThat(started.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(cs.poll()).isNull();
    assertThat(cs.poll(50, TimeUnit.MILLISECONDS)).as("timed poll while none is done").isNull();

    gate.countDown();

    assertThat(cs.poll(WAIT_S, TimeUnit.SECONDS)).isSameAs(f);
    assertThat(f.get()).isEqualTo("released");
    assertThat(cs.poll()).isNull();
  }

  @Test
  void futuresComeOutInCompletionOrderNotSubmissionOrder() throws Exception {
    CompletionService<String> cs = completion("ecs-order", 2);
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(1);
    Future<String> slow =
        cs.submit(PoolExecutorServiceContractTest.blocking(started, gate, new AtomicBoolean()));
    assertThat(started.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    Future<String> fast = cs.submit(() -> "fast");

    assertThat(cs.poll(WAIT_S, TimeUnit.SECONDS))
        .as("the task submitted second completes first while the first blocks")
        .isSameAs(fast);
    gate.countDown();
    assertThat(cs.take()).isSameAs(slow);
    assertThat(slow.get()).isEqualTo("released");
  }

  @Test
  void aFailedTaskIsTakenLikeAnyOtherAndItsGetThrows() throws Exception {
    CompletionService<String> cs = completion("ecs-failure", 1);
    Future<String> failing = cs.submit(() -> {
      throw new IllegalStateException("task failed on purpose");
    });
    Future<String> taken = cs.take();
    assertThat(taken).isSameAs(failing);
    assertThatThrownBy(taken::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void aCancelledTaskIsTakenAsCancelled() throws Exception {
    CompletionService<String> cs = completion("ecs-cancel", 1);
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    Future<String> f =
        cs.submit(PoolExecutorServiceContractTest.blocking(started, pools.gate(), interrupted));
    assertThat(started.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(f.cancel(true)).isTrue();
    Future<String> taken = cs.take();
    assertThat(taken).isSameAs(f);
    assertThat(taken.isCancelled()).isTrue();
  }
}
