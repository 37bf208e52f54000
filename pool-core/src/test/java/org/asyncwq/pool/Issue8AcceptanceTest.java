package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8 as an outside user checks it: only the public API, spelled as the issue spells it, and
 * the issue's own figures. Point 1 (the 2-thread example never strands its second task in 1,000
 * trials with default settings; the ordered half lives in pool-ordered's
 * {@code Issue8OrderedAcceptanceTest}), each review defect 1-8 briefly, and point 4's {@code
 * ExecutorService} basics. Every wait is bounded; every pool is stopped after each test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Issue8AcceptanceTest {
  private static final long BOUND_S = 5;

  @RegisterExtension final PoolsToClose toClose = new PoolsToClose();

  private WorkerPool pool(WorkerPool p) {
    return toClose.add(p);
  }

  private CountDownLatch gate() {
    return toClose.gate();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean within(CountDownLatch latch) throws InterruptedException {
    return latch.await(BOUND_S, TimeUnit.SECONDS);
  }

  // ---- the issue's names compile as spelled ---------------------------------------------------

  @Test
  @SuppressWarnings("deprecation")
  void everyBuilderKnobOfTheIssueCompilesAndTheDeprecatedOnesChangeNothing() throws Exception {
    WorkerPool starter = pool(WorkerPool.starter("acc-starter"));
    WorkerPool p =
        pool(
            WorkerPool.builder("acc-knobs")
                .maxWorkers(2)
                .minWorkers(0)
                .workStealing(true)
                .boredThreshold(1)
                .idleTimeout(Duration.ofSeconds(5))
                .spawner(ThreadSpawner.platform())
                .starter(starter)
                .rescuer(true)
                .maydayTimeout(Duration.ofMillis(10))
                .spawnAttempts(4)
                .spawnBackoff(Duration.ofMillis(1))
                .build());
    assertThatThrownBy(() -> WorkerPool.builder("x").boredThreshold(0))
        .isInstanceOf(IllegalArgumentException.class);
    ExecutorService es = p.asExecutorService();
    CountDownLatch release = gate();
    CountDownLatch secondRan = new CountDownLatch(1);
    es.execute(() -> await(release));
    es.execute(secondRan::countDown);
    assertThat(within(secondRan)).isTrue();
    p.setMaxWorkers(3);
    assertThat(p.maxWorkers()).isEqualTo(3);
    PoolStats s = p.stats();
    assertThat(s.name()).isEqualTo("acc-knobs");
    assertThat(s.workers()).isBetween(1, 3);
  }

  // ---- point 1 ---------------------------------------------------------------------------------

  /** The issue's example, verbatim, 1,000 times, each on a fresh pool with default settings. */
  @Test
  void theTwoThreadExampleNeverStrandsTheSecondTaskIn1000Trials() throws Exception {
    for (int trial = 1; trial <= 1_000; trial++) {
      WorkerPool p = WorkerPool.builder("p").maxWorkers(2).build();
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch secondRan = new CountDownLatch(1);
      try {
        ExecutorService es = p.asExecutorService();
        es.execute(() -> await(release)); // blocks
        es.execute(secondRan::countDown); // must not wait behind it
        if (!within(secondRan)) {
          fail("trial %d: the second task was stranded for %d s (%s)", trial, BOUND_S, p.stats());
        }
      } finally {
        release.countDown();
        p.stopNow();
        assertThat(p.awaitTermination(Duration.ofSeconds(20))).isTrue();
      }
    }
  }

  // ---- defects 1-8 -----------------------------------------------------------------------------

  /** Defect 1: a requeued work never runs on two threads at once, nor is cancelled mid-run. */
  @Test
  void defect1RequeueNeverOverlapsARunWithAnotherRunOrWithCancelled() throws Exception {
    WorkerPool p = pool(WorkerPool.builder("acc-d1").maxWorkers(4).build());
    AtomicInteger inRun = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    Work stepper =
        new Work() {
          @Override
          protected void run() {
            if (inRun.incrementAndGet() != 1) {
              overlaps.incrementAndGet();
            }
            if (runs.incrementAndGet() < 50) {
              p.requeue(this); // queued at the tail once run() returned
              Thread.yield(); // give any idle thread a chance to take it early
            } else {
              done.countDown();
            }
            inRun.decrementAndGet();
          }
        };
    p.queue(stepper);
    assertThat(within(done)).isTrue();
    assertThat(overlaps.get()).as("overlapping runs of one work").isZero();

    // Without stealing: stopNow() from another thread must not cancel it while run() executes.
    WorkerPool q = pool(WorkerPool.builder("acc-d1b").maxWorkers(1).build());
    CountDownLatch requeued = new CountDownLatch(1);
    CountDownLatch letReturn = gate();
    AtomicInteger running = new AtomicInteger();
    AtomicReference<String> cancelledWhileRunning = new AtomicReference<>();
    CountDownLatch cancelled = new CountDownLatch(1);
    Work w =
        new Work() {
          @Override
          protected void run() {
            running.set(1);
            q.requeue(this);
            requeued.countDown();
            await(letReturn);
            running.set(0);
          }

          @Override
          protected void cancelled(Throwable cause) {
            if (running.get() != 0) {
              cancelledWhileRunning.set("cancelled() while run() was on the stack");
            }
            cancelled.countDown();
          }
        };
    q.queue(w);
    assertThat(within(requeued)).isTrue();
    int n = q.stopNow();
    assertThat(cancelled.getCount()).as("not cancelled before run() returned").isOne();
    letReturn.countDown();
    assertThat(within(cancelled)).isTrue();
    assertThat(cancelledWhileRunning.get()).isNull();
    assertThat(n).as("stopNow() counts the requeued work it cancels").isEqualTo(1);
  }

  /** Defects 2 and 4: OOM, another Error, a RuntimeException from the spawner. */
  @Test
  void defects2And4SpawnerFailuresOfEveryKindGiveTheSlotBackAndThePoolTerminates()
      throws Exception {
    // OOM is retryable: retried off the submitter; the work runs once a thread comes.
    AtomicInteger oomCalls = new AtomicInteger();
    ThreadSpawner oomTwice =
        (name, body) -> {
          if (oomCalls.incrementAndGet() <= 2) {
            throw new OutOfMemoryError("unable to create native thread (injected)");
          }
          return ThreadSpawner.platform().spawn(name, body);
        };
    WorkerPool p = pool(WorkerPool.builder("acc-oom").maxWorkers(1).spawner(oomTwice).build());
    CountDownLatch ran = new CountDownLatch(1);
    p.execute(ran::countDown);
    assertThat(within(ran)).as("ran after the OOM retries (%s)", p.stats()).isTrue();
    assertThat(p.stats().starting()).isZero();

    // Always OOM, another Error, a RuntimeException: the work is cancelled once, slot given back.
    List<Throwable> failures =
        List.of(
            new OutOfMemoryError("injected"),
            new StackOverflowError("injected"),
            new IllegalStateException("injected"));
    for (Throwable failure : failures) {
      ThreadSpawner failing =
          (name, body) -> {
            if (failure instanceof Error) {
              throw (Error) failure;
            }
            throw (RuntimeException) failure;
          };
      WorkerPool f =
          pool(
              WorkerPool.builder("acc-fail-" + failure.getClass().getSimpleName())
                  .maxWorkers(1)
                  .spawnAttempts(2)
                  .spawner(failing)
                  .build());
      CountDownLatch cancelled = new CountDownLatch(1);
      AtomicInteger disposals = new AtomicInteger();
      f.queue(
          new Work() {
            @Override
            protected void run() {
              disposals.incrementAndGet();
            }

            @Override
            protected void cancelled(Throwable cause) {
              disposals.incrementAndGet();
              cancelled.countDown();
            }
          });
      assertThat(within(cancelled)).as("%s: work cancelled (%s)", failure, f.stats()).isTrue();
      f.close(); // returns: no slot left raised
      assertThat(f.isTerminated()).isTrue();
      assertThat(f.stats().starting()).isZero();
      assertThat(disposals.get()).isEqualTo(1);
    }

    // A cancelled() that queues its work again (and again) does not recurse into an Error.
    WorkerPool r =
        pool(
            WorkerPool.builder("acc-requeue-in-cancel")
                .maxWorkers(1)
                .spawner((name, body) -> {
                  throw new SpawnException("injected, for good", false);
                })
                .build());
    AtomicInteger cancels = new AtomicInteger();
    CountDownLatch tenCancels = new CountDownLatch(10);
    r.queue(
        new Work() {
          @Override
          protected void run() {}

          @Override
          protected void cancelled(Throwable cause) {
            cancels.incrementAndGet();
            tenCancels.countDown();
            if (cancels.get() < 10) {
              r.queue(this);
            }
          }
        });
    assertThat(within(tenCancels)).as("%s", r.stats()).isTrue();
    r.close();
    assertThat(r.isTerminated()).isTrue();

    // A RuntimeException from the spawner during build() leaks no thread (the rescuer it started).
    List<Thread> made = new CopyOnWriteArrayList<>();
    ThreadSpawner rescuerThenFail =
        (name, body) -> {
          if (!name.endsWith("-rescuer")) {
            throw new IllegalStateException("injected");
          }
          Thread t = ThreadSpawner.platform().spawn(name, body);
          made.add(t);
          return t;
        };
    assertThatThrownBy(
            () ->
                WorkerPool.builder("acc-build-fail")
                    .minWorkers(1)
                    .maxWorkers(1)
                    .rescuer(true)
                    .spawner(rescuerThenFail)
                    .build())
        .isInstanceOf(IllegalStateException.class);
    assertThat(made).hasSize(1);
    made.get(0).join(TimeUnit.SECONDS.toMillis(BOUND_S));
    assertThat(made.get(0).isAlive()).as("the rescuer thread build() started").isFalse();
  }

  /** Defect 3: close() inside cancelled() during stopNow(); blocking callbacks stall nobody else. */
  @Test
  void defect3UserCallbacksNeverRunWhereTheyCanStallThePoolOrOtherPools() throws Exception {
    WorkerPool p = pool(WorkerPool.builder("acc-close-in-cancel").maxWorkers(1).build());
    p.freeze();
    CountDownLatch closed = new CountDownLatch(1);
    p.queue(
        new Work() {
          @Override
          protected void run() {}

          @Override
          protected void cancelled(Throwable cause) {
            p.close();
            closed.countDown();
          }
        });
    AtomicInteger n = new AtomicInteger(-1);
    Thread stopper = new Thread(() -> n.set(p.stopNow()));
    stopper.setDaemon(true);
    stopper.start();
    assertThat(within(closed)).as("close() inside cancelled() returned").isTrue();
    stopper.join(TimeUnit.SECONDS.toMillis(BOUND_S));
    assertThat(n.get()).isEqualTo(1);
    assertThat(p.awaitTermination(Duration.ofSeconds(BOUND_S))).isTrue();

    // A spawn that fails for good: a cancelled() that blocks does not stop thread creation for
    // another pool on the same starter.
    WorkerPool shared = pool(WorkerPool.starter("acc-shared-starter"));
    CountDownLatch cancelEntered = new CountDownLatch(1);
    CountDownLatch cancelGate = gate();
    WorkerPool doomed =
        pool(
            WorkerPool.builder("acc-doomed")
                .maxWorkers(1)
                .starter(shared)
                .spawner((name, body) -> {
                  throw new SpawnException("injected, for good", false);
                })
                .build());
    doomed.queue(
        new Work() {
          @Override
          protected void run() {}

          @Override
          protected void cancelled(Throwable cause) {
            cancelEntered.countDown();
            await(cancelGate);
          }
        });
    assertThat(within(cancelEntered)).isTrue();
    WorkerPool other =
        pool(WorkerPool.builder("acc-other").maxWorkers(1).starter(shared).build());
    CountDownLatch otherRan = new CountDownLatch(1);
    other.execute(otherRan::countDown);
    assertThat(within(otherRan)).as("another pool still gets threads").isTrue();

    // A spawner that blocks on its retry stalls no other pool's retries.
    CountDownLatch spawnGate = gate();
    CountDownLatch slowRetryBlocks = new CountDownLatch(1);
    AtomicInteger slowCalls = new AtomicInteger();
    WorkerPool slow =
        pool(
            WorkerPool.builder("acc-slow-spawner")
                .maxWorkers(1)
                .spawner((name, body) -> {
                  if (slowCalls.incrementAndGet() == 1) {
                    throw new SpawnException("injected, retryable", true);
                  }
                  slowRetryBlocks.countDown();
                  await(spawnGate); // the retry blocks
                  return ThreadSpawner.platform().spawn(name, body);
                })
                .build());
    slow.execute(() -> {});
    assertThat(within(slowRetryBlocks)).isTrue();
    AtomicInteger quickCalls = new AtomicInteger();
    WorkerPool quick =
        pool(
            WorkerPool.builder("acc-quick-retry")
                .maxWorkers(1)
                .spawner((name, body) -> {
                  if (quickCalls.incrementAndGet() == 1) {
                    throw new SpawnException("injected, retryable", true);
                  }
                  return ThreadSpawner.platform().spawn(name, body);
                })
                .build());
    CountDownLatch quickRan = new CountDownLatch(1);
    quick.execute(quickRan::countDown);
    assertThat(within(quickRan)).as("a retry not held up by another pool's spawner").isTrue();
  }

  private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();

  /** CPU time {@code t} used over one 200 ms window: a parked thread uses next to none. */
  private long cpuOverWindow(Thread t) throws InterruptedException {
    long before = mx.getThreadCpuTime(t.getId());
    new CountDownLatch(1).await(200, TimeUnit.MILLISECONDS); // a measuring window, not a wait
    long after = mx.getThreadCpuTime(t.getId());
    return before < 0 || after < 0 ? 0 : after - before;
  }

  private void assertParks(Thread t, String what) throws InterruptedException {
    for (int look = 0; look < 10; look++) {
      if (!t.isAlive() || cpuOverWindow(t) < TimeUnit.MILLISECONDS.toNanos(20)) {
        return;
      }
    }
    fail("%s (%s) kept using CPU over 10 windows of 200 ms", what, t.getName());
  }

  /** Defect 5: a surplus worker and a worker of a frozen pool park instead of spinning. */
  @Test
  void defect5WorkersThatMayTakeNothingParkInsteadOfSpinning() throws Exception {
    assumeThat(mx.isThreadCpuTimeSupported()).isTrue();
    mx.setThreadCpuTimeEnabled(true);
    WorkerPool p = pool(WorkerPool.builder("acc-surplus").maxWorkers(2).build());
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch bothRunning = new CountDownLatch(2);
    CountDownLatch firstGate = gate();
    CountDownLatch secondGate = gate();
    CountDownLatch secondDone = new CountDownLatch(1);
    p.execute(() -> {
      threads.add(Thread.currentThread());
      bothRunning.countDown();
      await(firstGate);
    });
    AtomicReference<Thread> second = new AtomicReference<>();
    p.execute(() -> {
      threads.add(Thread.currentThread());
      second.set(Thread.currentThread());
      bothRunning.countDown();
      await(secondGate);
      secondDone.countDown();
    });
    assertThat(within(bothRunning)).isTrue();
    p.setMaxWorkers(1);
    CountDownLatch backlogRan = new CountDownLatch(1);
    p.execute(backlogRan::countDown); // backlog the surplus worker may not take
    secondGate.countDown();
    assertThat(within(secondDone)).isTrue();
    assertParks(second.get(), "the worker beyond the lowered maximum");
    assertThat(backlogRan.getCount()).as("max 1 and one work running: the backlog waits").isOne();
    firstGate.countDown();
    assertThat(within(backlogRan)).isTrue();

    WorkerPool frozen = pool(WorkerPool.builder("acc-frozen").minWorkers(2).maxWorkers(2).build());
    frozen.freeze();
    CountDownLatch frozenRan = new CountDownLatch(3);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      frozen.execute(frozenRan::countDown);
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("acc-frozen-")) {
        names.add(t.getName());
        assertParks(t, "a worker of a frozen pool with work waiting");
      }
    }
    assertThat(names).hasSize(2);
    assertThat(frozenRan.getCount()).isEqualTo(3);
    frozen.thaw();
    assertThat(within(frozenRan)).isTrue();
  }

  /** Defect 6: minWorkers(2).maxWorkers(4) never gives two of its threads one name. */
  @Test
  void defect6ThreadNamesNeverRepeat() throws Exception {
    WorkerPool p =
        pool(
            WorkerPool.builder("acc-names")
                .minWorkers(2)
                .maxWorkers(4)
                .idleTimeout(Duration.ofMillis(20))
                .build());
    Map<String, Set<Thread>> threadsByName = new ConcurrentHashMap<>();
    for (int round = 0; round < 2; round++) {
      CountDownLatch running = new CountDownLatch(4);
      CountDownLatch release = gate();
      for (int i = 0; i < 4; i++) {
        p.execute(() -> {
          Thread me = Thread.currentThread();
          threadsByName.computeIfAbsent(me.getName(), k -> ConcurrentHashMap.newKeySet()).add(me);
          running.countDown();
          await(release);
        });
      }
      assertThat(within(running)).as("round %d: four threads (%s)", round, p.stats()).isTrue();
      release.countDown();
      // the two above the minimum retire, so the next round starts two new threads
      Awaitility.await().atMost(Duration.ofSeconds(BOUND_S)).until(() -> p.stats().workers() == 2);
    }
    assertThat(threadsByName.keySet()).allMatch(n -> n.matches("acc-names-\\d+"));
    // four at once in each round, two of them new in the second: at least six threads
    assertThat(threadsByName.size()).as("names %s", threadsByName.keySet())
        .isGreaterThanOrEqualTo(6);
    threadsByName.forEach((name, threads) ->
        assertThat(threads).as("threads named %s", name).hasSize(1));
  }

  /** Defect 7: requeue() from a work the rescuer runs is accepted during stop(), and runs. */
  @Test
  void defect7RequeueFromARescuerRunWorkIsAcceptedDuringStop() throws Exception {
    CountDownLatch workerSpawn = gate();
    WorkerPool p =
        pool(
            WorkerPool.builder("acc-rescue")
                .maxWorkers(1)
                .rescuer(true)
                .maydayTimeout(Duration.ofMillis(5))
                .spawner((name, body) -> {
                  if (!name.endsWith("-rescuer")) {
                    await(workerSpawn); // no worker thread comes while the test runs
                  }
                  return ThreadSpawner.platform().spawn(name, body);
                })
                .build());
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch stopped = gate();
    CountDownLatch secondRan = new CountDownLatch(1);
    AtomicReference<Object> requeued = new AtomicReference<>();
    AtomicReference<String> firstThread = new AtomicReference<>();
    AtomicInteger runs = new AtomicInteger();
    p.queue(
        new Work() {
          @Override
          protected void run() {
            if (runs.incrementAndGet() == 1) {
              firstThread.set(Thread.currentThread().getName());
              firstRunning.countDown();
              await(stopped);
              try {
                requeued.set(p.requeue(this));
              } catch (RuntimeException e) {
                requeued.set(e);
              }
            } else {
              secondRan.countDown();
            }
          }
        });
    assertThat(within(firstRunning)).isTrue();
    assertThat(firstThread.get()).endsWith("-rescuer");
    p.stop();
    stopped.countDown();
    assertThat(within(secondRan)).as("the requeued step ran (%s)", requeued.get()).isTrue();
    assertThat(requeued.get()).isEqualTo(true);
    workerSpawn.countDown();
    assertThat(p.awaitTermination(Duration.ofSeconds(BOUND_S))).isTrue();
  }

  private static final InheritableThreadLocal<String> USER = new InheritableThreadLocal<>();

  /** Defect 8: no InheritableThreadLocal and no context class loader of the submitter leak. */
  @Test
  void defect8WorkersInheritNothingFromTheThreadThatCausedThem() throws Exception {
    WorkerPool p = pool(WorkerPool.builder("acc-context").maxWorkers(2).build());
    ClassLoader submitterLoader = new URLClassLoader(new URL[0], getClass().getClassLoader());
    AtomicReference<String> seenUser = new AtomicReference<>("unset");
    AtomicReference<ClassLoader> seenLoader = new AtomicReference<>();
    CountDownLatch ran = new CountDownLatch(1);
    Thread submitter =
        new Thread(() -> {
          USER.set("alice");
          Thread.currentThread().setContextClassLoader(submitterLoader);
          p.execute(() -> {
            seenUser.set(USER.get());
            seenLoader.set(Thread.currentThread().getContextClassLoader());
            ran.countDown();
          });
        });
    submitter.start();
    submitter.join(TimeUnit.SECONDS.toMillis(BOUND_S));
    assertThat(within(ran)).isTrue();
    assertThat(seenUser.get()).as("InheritableThreadLocal of the submitter").isNull();
    assertThat(seenLoader.get()).as("context class loader").isNotSameAs(submitterLoader);
  }

  // ---- point 4: ExecutorService basics -----------------------------------------------------------

  @Test
  void point4ExecutorServiceBasics() throws Exception {
    WorkerPool p = pool(WorkerPool.builder("acc-es").maxWorkers(2).build());
    ExecutorService es = p.asExecutorService();
    assertThat(es.submit(() -> 42).get(BOUND_S, TimeUnit.SECONDS)).isEqualTo(42);
    assertThat(es.submit(() -> {}, "done").get(BOUND_S, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(es.submit(() -> {}).get(BOUND_S, TimeUnit.SECONDS)).isNull();
    Future<?> failing = es.submit((Callable<Object>) () -> {
      throw new IllegalStateException("boom");
    });
    assertThatThrownBy(() -> failing.get(BOUND_S, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);

    List<Callable<Integer>> tasks = List.of(() -> 1, () -> 2, () -> 3);
    List<Integer> all = new ArrayList<>();
    for (Future<Integer> f : es.invokeAll(tasks)) {
      all.add(f.get());
    }
    assertThat(all).containsExactly(1, 2, 3);
    all.clear();
    for (Future<Integer> f : es.invokeAll(tasks, BOUND_S, TimeUnit.SECONDS)) {
      all.add(f.get());
    }
    assertThat(all).containsExactly(1, 2, 3);
    assertThat(es.invokeAny(tasks)).isIn(1, 2, 3);
    assertThat(es.invokeAny(tasks, BOUND_S, TimeUnit.SECONDS)).isIn(1, 2, 3);

    CountDownLatch never = gate();
    List<Callable<Integer>> slow = List.of(() -> {
      never.await();
      return 0;
    });
    List<Future<Integer>> timedOut = es.invokeAll(slow, 50, TimeUnit.MILLISECONDS);
    assertThat(timedOut.get(0).isCancelled()).isTrue();
    assertThatThrownBy(() -> es.invokeAny(slow, 50, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);

    assertThatThrownBy(() -> es.execute(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.submit((Runnable) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.submit((Callable<?>) null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAll(null)).isInstanceOf(NullPointerException.class);
    List<Callable<Integer>> withNull = new ArrayList<>();
    withNull.add(() -> 1);
    withNull.add(null);
    assertThatThrownBy(() -> es.invokeAll(withNull)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAny((Collection<Callable<Integer>>) null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> es.invokeAny(withNull)).isInstanceOf(NullPointerException.class);

    // Interrupts: a caller blocked in get() gets InterruptedException.
    CountDownLatch blockGate = gate();
    Future<?> blocked = es.submit(() -> await(blockGate));
    AtomicReference<Throwable> getFailure = new AtomicReference<>();
    Thread waiter = new Thread(() -> {
      try {
        blocked.get();
      } catch (Throwable t) {
        getFailure.set(t);
      }
    });
    waiter.start();
    waiter.interrupt();
    waiter.join(TimeUnit.SECONDS.toMillis(BOUND_S));
    assertThat(getFailure.get()).isInstanceOf(InterruptedException.class);
    blockGate.countDown();
    blocked.get(BOUND_S, TimeUnit.SECONDS);

    // shutdownNow: returns what never started, interrupts what runs; then rejection.
    p.setMaxWorkers(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    es.execute(() -> {
      running.countDown();
      try {
        new CountDownLatch(1).await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
    });
    assertThat(within(running)).isTrue();
    Runnable neverStarted = () -> {};
    es.execute(neverStarted);
    Future<?> neverStartedFuture = es.submit(() -> {});
    List<Runnable> left = es.shutdownNow();
    assertThat(left).contains(neverStarted).hasSize(2);
    assertThat(neverStartedFuture.isCancelled()).isTrue();
    assertThatThrownBy(neverStartedFuture::get).isInstanceOf(CancellationException.class);
    assertThat(within(interrupted)).as("the running task was interrupted").isTrue();
    assertThat(es.isShutdown()).isTrue();
    assertThat(es.awaitTermination(BOUND_S, TimeUnit.SECONDS)).isTrue();
    assertThat(es.isTerminated()).isTrue();
    assertThatThrownBy(() -> es.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> es.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> es.invokeAll(tasks)).isInstanceOf(RejectedExecutionException.class);

    // shutdown: queued tasks still run, new ones are rejected, awaitTermination answers.
    WorkerPool q = pool(WorkerPool.builder("acc-es2").maxWorkers(1).build());
    ExecutorService es2 = q.asExecutorService();
    CountDownLatch hold = gate();
    es2.execute(() -> await(hold));
    Future<Integer> queued = es2.submit(() -> 7);
    es2.shutdown();
    assertThatThrownBy(() -> es2.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(es2.awaitTermination(20, TimeUnit.MILLISECONDS)).isFalse();
    hold.countDown();
    assertThat(queued.get(BOUND_S, TimeUnit.SECONDS)).isEqualTo(7);
    assertThat(es2.awaitTermination(BOUND_S, TimeUnit.SECONDS)).isTrue();
    assertThat(queued.isCancelled()).isFalse();
  }
}
