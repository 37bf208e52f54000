package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.PrivilegedAction;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, "what must be true" 4, first part: {@link WorkerPool#asExecutorService()} of a pool with
 * default settings behaves as any {@link ExecutorService} must for the task-level operations, the
 * ground the JSR-166 TCK's AbstractExecutorServiceTest and the generic half of
 * ThreadPoolExecutorTest cover: execute, the three submits, invokeAll and invokeAny with and without
 * a timeout (empty, null elements, every task failing, timing out), NullPointerException on every
 * null argument, cancel and get with a timeout, interrupted callers. Written from the {@code
 * java.util.concurrent} Javadoc, not from the TCK. Lifecycle operations are in {@link
 * PoolExecutorServiceLifecycleContractTest}; what {@link ExecutorServiceContractTest} checks
 * already is not repeated.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolExecutorServiceContractTest {
  static final long WAIT_S = 10;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private ExecutorService service(String name, int max) {
    return pools.add(WorkerPool.builder(name).maxWorkers(max).build()).asExecutorService();
  }

  /** A task that says it started and then waits for {@code gate}, interruptibly. */
  static Callable<String> blocking(CountDownLatch started, CountDownLatch gate,
      AtomicBoolean interrupted) {
    return () -> {
      started.countDown();
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted.set(true);
        throw e;
      }
      return "released";
    };
  }

  static Callable<String> failing(String message) {
    return () -> {
      throw new IllegalStateException(message);
    };
  }

  @Test
  void executeRunsTheCommandOnAPoolThread() throws Exception {
    ExecutorService es = service("cs-execute", 2);
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    CountDownLatch ran = new CountDownLatch(1);
    es.execute(
        () -> {
          ranOn.set(Thread.currentThread());
          ran.countDown();
        });
    assertThat(ran.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(ranOn.get()).isNotSameAs(Thread.currentThread());
  }

  @Test
  void commandThatThrowsDoesNotStopTheService() throws Exception {
    ExecutorService es = service("cs-throwing-command", 1);
    for (int i = 0; i < 3; i++) {
      es.execute(() -> {
        throw new IllegalArgumentException("thrown by a command, on purpose");
      });
    }
    assertThat(es.submit(() -> "still running").get(WAIT_S, TimeUnit.SECONDS))
        .isEqualTo("still running");
  }

  @Test
  void submittedRunnableThatThrowsFailsItsFutureWithTheCause() throws Exception {
    ExecutorService es = service("cs-runnable-throws", 1);
    Future<?> f = es.submit((Runnable) () -> {
      throw new ArithmeticException("thrown by a submitted runnable, on purpose");
    });
    assertThatThrownBy(() -> f.get(WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ArithmeticException.class);
    assertThat(f.isDone()).isTrue();
    assertThat(f.isCancelled()).isFalse();
  }

  @Test
  void taskThatInterruptsItsOwnThreadDoesNotLeaveTheInterruptToTheNextTask() throws Exception {
    ExecutorService es = service("cs-self-interrupt", 1);
    for (int i = 0; i < 3; i++) {
      es.execute(() -> Thread.currentThread().interrupt());
      assertThat(es.submit(() -> Thread.currentThread().isInterrupted())
              .get(WAIT_S, TimeUnit.SECONDS))
          .as("the next task on the one thread starts with its interrupt status clear")
          .isFalse();
    }
  }

  @Test
  void submitRunsTheAdaptersOfExecutors() throws Exception {
    ExecutorService es = service("cs-adapters", 2);
    AtomicBoolean ran = new AtomicBoolean();
    assertThat(es.submit(Executors.callable(() -> ran.set(true))).get(WAIT_S, TimeUnit.SECONDS))
        .isNull();
    assertThat(ran).isTrue();
    assertThat(es.submit(Executors.callable(() -> {}, "result")).get(WAIT_S, TimeUnit.SECONDS))
        .isEqualTo("result");
    PrivilegedAction<String> action = () -> "privileged";
    assertThat(es.submit(Executors.callable(action)).get(WAIT_S, TimeUnit.SECONDS))
        .isEqualTo("privileged");
    PrivilegedExceptionAction<String> throwing = () -> {
      throw new java.io.IOException("from a privileged exception action");
    };
    Future<Object> f = es.submit(Executors.callable(throwing));
    assertThatThrownBy(() -> f.get(WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(java.io.IOException.class);
  }

  @Test
  void everyNullArgumentIsRejectedWithNullPointerException() throws Exception {
    ExecutorService es = service("cs-nulls", 2);
    List<Callable<String>> one = List.of(() -> "x");
    List<Callable<String>> withNull = Arrays.asList(() -> "x", null);
    assertThatThrownBy(() -> es.execute(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.submit((Runnable) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.submit((Runnable) null, "r"))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.submit((Callable<String>) null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAll(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAll(null, WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAll(one, WAIT_S, null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAll(withNull)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAll(withNull, WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAny(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAny(null, WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAny(one, WAIT_S, null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAny(withNull)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAny(withNull, WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.awaitTermination(1, null))
        .isInstanceOf(NullPointerException.class);
    // The service still works after all that.
    assertThat(es.submit(() -> "ok").get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("ok");
  }

  @Test
  void aNullAmongQuickTasksIsRefusedBeforeAnyTaskIsSubmitted() throws Exception {
    ExecutorService es = service("cs-null-first", 2);
    AtomicInteger ran = new AtomicInteger();
    List<Callable<String>> quickThenNull =
        Arrays.asList(() -> "q" + ran.incrementAndGet(), null);
    for (int i = 0; i < 200; i++) {
      assertThatThrownBy(() -> es.invokeAny(quickThenNull))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> es.invokeAny(quickThenNull, WAIT_S, TimeUnit.SECONDS))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> es.invokeAll(quickThenNull))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> es.invokeAll(quickThenNull, WAIT_S, TimeUnit.SECONDS))
          .isInstanceOf(NullPointerException.class);
    }
    assertThat(ran).hasValue(0);
  }

  @Test
  void invokeAllOfNothingReturnsAnEmptyListAndInvokeAnyOfNothingIsIllegal() throws Exception {
    ExecutorService es = service("cs-empty", 2);
    assertThat(es.invokeAll(new ArrayList<Callable<String>>())).isEmpty();
    assertThat(es.invokeAll(new ArrayList<Callable<String>>(), WAIT_S, TimeUnit.SECONDS))
        .isEmpty();
    assertThatThrownBy(() -> es.invokeAny(new ArrayList<Callable<String>>()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> es.invokeAny(new ArrayList<Callable<String>>(), WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invokeAllReturnsDoneFuturesWhoseFailuresSurfaceAsExecutionException() throws Exception {
    ExecutorService es = service("cs-all-failing", 2);
    List<Callable<String>> tasks = List.of(failing("first"), () -> "second", failing("third"));
    for (List<Future<String>> futures :
        List.of(es.invokeAll(tasks), es.invokeAll(tasks, WAIT_S, TimeUnit.SECONDS))) {
      assertThat(futures).hasSize(3).allMatch(Future::isDone).noneMatch(Future::isCancelled);
      assertThatThrownBy(() -> futures.get(0).get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalStateException.class)
          .cause().hasMessage("first");
      assertThat(futures.get(1).get()).isEqualTo("second");
      assertThatThrownBy(() -> futures.get(2).get()).isInstanceOf(ExecutionException.class);
    }
  }

  @Test
  void timedInvokeAllCancelsTheTasksThatDidNotFinishInTime() throws Exception {
    ExecutorService es = service("cs-all-timeout", 2);
    CountDownLatch gate = pools.gate();
    AtomicBoolean interrupted = new AtomicBoolean();
    List<Callable<String>> tasks =
        List.of(() -> "quick", blocking(new CountDownLatch(1), gate, interrupted));
    List<Future<String>> futures = es.invokeAll(tasks, 200, TimeUnit.MILLISECONDS);
    assertThat(futures).hasSize(2).allMatch(Future::isDone);
    assertThat(futures.get(0).get()).isEqualTo("quick");
    assertThat(futures.get(1).isCancelled()).isTrue();
    assertThatThrownBy(() -> futures.get(1).get()).isInstanceOf(CancellationException.class);
  }

  @Test
  void invokeAnyAllFailingThrowsExecutionExceptionTimedToo() throws Exception {
    ExecutorService es = service("cs-any-failing", 2);
    List<Callable<String>> tasks = List.of(failing("a"), failing("b"), failing("c"));
    assertThatThrownBy(() -> es.invokeAny(tasks))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> es.invokeAny(tasks, WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void invokeAnyReturnsWhileAnotherTaskStillBlocksAndCancelsIt() throws Exception {
    ExecutorService es = service("cs-any-blocked", 2);
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    List<Callable<String>> tasks = List.of(blocking(started, gate, interrupted), () -> "fast");
    assertThat(es.invokeAny(tasks)).isEqualTo("fast");
    assertThat(es.invokeAny(tasks, WAIT_S, TimeUnit.SECONDS)).isEqualTo("fast");
  }

  @Test
  void timedInvokeAnyWithNoTaskDoneInTimeThrowsTimeoutExceptionAndCancelsThem()
      throws Exception {
    ExecutorService es = service("cs-any-timeout", 2);
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    List<Callable<String>> tasks = List.of(blocking(started, gate, interrupted));
    assertThatThrownBy(() -> es.invokeAny(tasks, 1, TimeUnit.SECONDS))
        .isInstanceOf(TimeoutException.class);
    // The task that was still running is cancelled with an interrupt: it does not keep running.
    assertThat(started.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(WAIT_S))
        .untilTrue(interrupted);
  }

  @Test
  void cancelWithInterruptStopsARunningTaskAndTheThreadIsClearedForTheNext() throws Exception {
    ExecutorService es = service("cs-cancel", 1);
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    Future<String> f = es.submit(blocking(started, gate, interrupted));
    assertThat(started.await(WAIT_S, TimeUnit.SECONDS)).isTrue();

    assertThat(f.cancel(true)).isTrue();

    assertThat(f.isCancelled()).isTrue();
    assertThat(f.isDone()).isTrue();
    assertThatThrownBy(() -> f.get(WAIT_S, TimeUnit.SECONDS))
        .isInstanceOf(CancellationException.class);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(WAIT_S))
        .untilTrue(interrupted);
    assertThat(f.cancel(true)).as("a second cancel has no effect").isFalse();
    // The interrupt meant for the cancelled task does not reach the next one on that thread.
    assertThat(es.submit(() -> Thread.currentThread().isInterrupted())
            .get(WAIT_S, TimeUnit.SECONDS))
        .isFalse();
  }

  @Test
  void taskCancelledBeforeItStartsNeverRuns() throws Exception {
    ExecutorService es = service("cs-cancel-queued", 1);
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(1);
    Future<String> first = es.submit(blocking(started, gate, new AtomicBoolean()));
    assertThat(started.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    AtomicBoolean ran = new AtomicBoolean();
    Future<?> queued = es.submit(() -> ran.set(true));

    assertThat(queued.cancel(false)).isTrue();
    gate.countDown();

    assertThat(first.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("released");
    assertThat(es.submit(() -> "after").get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("after");
    assertThat(ran).as("a task cancelled while queued ran anyway").isFalse();
    assertThat(queued.isCancelled()).isTrue();
  }

  @Test
  void getWithATimeoutOnATaskStillRunningThrowsTimeoutException() throws Exception {
    ExecutorService es = service("cs-get-timeout", 1);
    CountDownLatch gate = pools.gate();
    CountDownLatch started = new CountDownLatch(1);
    Future<String> f = es.submit(blocking(started, gate, new AtomicBoolean()));
    assertThatThrownBy(() -> f.get(50, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
    assertThat(f.isDone()).isFalse();
    gate.countDown();
    assertThat(f.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("released");
  }

  @Test
  void callerInterruptedWhileWaitingInGetInvokeAllOrInvokeAnyGetsInterruptedException()
      throws Exception {
    ExecutorService es = service("cs-interrupted-callers", 4);
    CountDownLatch gate = pools.gate();
    List<CallerProbe> probes =
        List.of(
            new CallerProbe("get", () -> es.submit(blocking(new CountDownLatch(1), gate,
                new AtomicBoolean())).get()),
            new CallerProbe("invokeAll", () -> es.invokeAll(List.of(blocking(
                new CountDownLatch(1), gate, new AtomicBoolean())))),
            new CallerProbe("timed invokeAll", () -> es.invokeAll(List.of(blocking(
                new CountDownLatch(1), gate, new AtomicBoolean())), 30, TimeUnit.SECONDS)),
            new CallerProbe("invokeAny", () -> es.invokeAny(List.of(blocking(
                new CountDownLatch(1), gate, new AtomicBoolean())))),
            new CallerProbe("timed invokeAny", () -> es.invokeAny(List.of(blocking(
                new CountDownLatch(1), gate, new AtomicBoolean())), 30, TimeUnit.SECONDS)));
    for (CallerProbe p : probes) {
      p.startAndInterruptWhileItWaits();
    }
    for (CallerProbe p : probes) {
      assertThat(p.outcome()).as(p.what).isInstanceOf(InterruptedException.class);
    }
  }

  /** Runs a blocking call on a thread of its own and interrupts it once it waits. */
  static final class CallerProbe {
    final String what;
    private final Callable<?> call;
    private final AtomicReference<Throwable> outcome = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private Thread thread;

    CallerProbe(String what, Callable<?> call) {
      this.what = what;
      this.call = call;
    }

    void startAndInterruptWhileItWaits() {
      thread =
          new Thread(
              () -> {
                try {
                  call.call();
                  outcome.set(new AssertionError(what + " returned normally"));
                } catch (Throwable t) {
                  outcome.set(t);
                } finally {
                  finished.countDown();
                }
              },
              "caller-" + what);
      thread.setDaemon(true);
      thread.start();
      // Interrupt once it is waiting: WAITING/TIMED_WAITING in the future's wait.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(WAIT_S))
          .until(() -> thread.getState() == Thread.State.WAITING
              || thread.getState() == Thread.State.TIMED_WAITING
              || !thread.isAlive());
      thread.interrupt();
    }

    Throwable outcome() throws InterruptedException {
      assertThat(finished.await(WAIT_S, TimeUnit.SECONDS)).as("%s returned", what).isTrue();
      return outcome.get();
    }
  }
}
