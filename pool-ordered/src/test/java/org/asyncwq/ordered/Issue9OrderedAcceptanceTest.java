package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.asyncwq.pool.Work;
import org.asyncwq.pool.WorkerPool;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 (pool-ordered's side), point by point, as an outside user sees it: only the public API
 * the issue names ({@code OrderedWork}, {@code OrderedWorkQueue} and its builder, {@code
 * WorkerPool}), with the issue's figures. Each test bounds every wait and cleans up what it
 * started, even when it fails.
 */
@Timeout(30)
class Issue9OrderedAcceptanceTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  private final List<CountDownLatch> gates = new ArrayList<>();
  private final List<OrderedWorkQueue> queues = new ArrayList<>();
  private final List<WorkerPool> pools = new ArrayList<>();

  @AfterEach
  void cleanUp() throws InterruptedException {
    gates.forEach(CountDownLatch::countDown);
    for (OrderedWorkQueue q : queues) {
      q.close(BOUND);
    }
    for (WorkerPool p : pools) {
      p.stopNow();
      assertThat(p.awaitTermination(BOUND)).as("pool %s terminated", p.name()).isTrue();
    }
  }

  private CountDownLatch gate() {
    CountDownLatch g = new CountDownLatch(1);
    gates.add(g);
    return g;
  }

  private OrderedWorkQueue own(String name, int maxActive) {
    OrderedWorkQueue q = OrderedWorkQueue.builder(name).maxActive(maxActive).build();
    queues.add(q);
    return q;
  }

  private WorkerPool pool(String name, int max) {
    WorkerPool p = WorkerPool.builder(name).maxWorkers(max).build();
    pools.add(p);
    return p;
  }

  private OrderedWorkQueue on(WorkerPool pool, String name) {
    OrderedWorkQueue q = OrderedWorkQueue.builder(name).pool(pool).build();
    queues.add(q);
    return q;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("a gate stayed closed for " + BOUND);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A work that notes every step it runs with the interrupt status the step began with. Its
   * {@code work()} can be held on a gate, and can re-assert an interrupt (the standard idiom) or
   * wait, without clearing it, until an interrupt arrives (a work that polls its flag).
   */
  private static final class Noting extends OrderedWork {
    final String name;
    final List<String> steps;
    final CountDownLatch gate;
    final boolean reassert;
    final boolean untilInterrupted;
    final CountDownLatch worked = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    volatile boolean sawInterrupt;

    Noting(String name, List<String> steps, CountDownLatch gate, boolean reassert,
        boolean untilInterrupted) {
      this.name = name;
      this.steps = steps;
      this.gate = gate;
      this.reassert = reassert;
      this.untilInterrupted = untilInterrupted;
    }

    private void note(String step) {
      steps.add(name + "." + step + (Thread.currentThread().isInterrupted() ? "!" : ""));
    }

    @Override
    protected void work() {
      note("work");
      worked.countDown();
      if (gate != null) {
        Issue9OrderedAcceptanceTest.await(gate);
      }
      if (untilInterrupted) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline) {
          LockSupport.parkNanos(1_000_000); // returns at once on an interrupt, keeps the flag
        }
        sawInterrupt = Thread.currentThread().isInterrupted();
      }
      if (reassert) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    protected void ordered() {
      note("ordered");
    }

    @Override
    protected void cancelled(Throwable cause) {
      note("cancelled");
    }

    @Override
    protected void release() {
      note("release");
      released.countDown();
    }
  }

  private static long leaks(List<String> steps, String work) {
    return steps.stream().filter(s -> s.startsWith(work + ".") && s.endsWith("!")).count();
  }

  // ---------------------------------------------------------------------------------------------
  // Defect 1: interrupts never leak between works

  @Test
  void defect1AnInterruptWorkAReassertsNeverReachesBsOrderedOrReleaseIn20Of20Rounds()
      throws Exception {
    long leaks = 0;
    for (int round = 0; round < 20; round++) {
      OrderedWorkQueue q = own("i9-reassert-" + round, 2);
      List<String> steps = new CopyOnWriteArrayList<>();
      CountDownLatch gate = gate();
      Noting a = new Noting("A", steps, gate, true, false);
      Noting b = new Noting("B", steps, null, false, false);
      assertThat(q.queue(a)).isTrue();
      assertThat(q.queue(b)).isTrue();
      await(b.worked); // B's work() is over first: A's thread, the head's, runs B's steps
      gate.countDown();
      await(b.released);
      assertThat(steps).as("round %s", round).contains("B.ordered", "B.release", "A.release");
      leaks += leaks(steps, "B");
    }
    assertThat(leaks).as("B's ordered()/release() that began interrupted in 20 rounds").isZero();
  }

  @Test
  void defect1AnInterruptShutdownNowSendsNeverReachesBsOrderedOrReleaseIn20Of20Rounds()
      throws Exception {
    long leaks = 0;
    for (int round = 0; round < 20; round++) {
      WorkerPool pool = pool("i9-shutdown-now-" + round, 2);
      OrderedWorkQueue q = on(pool, "i9-shutdown-now-q-" + round);
      List<String> steps = new CopyOnWriteArrayList<>();
      Noting a = new Noting("A", steps, null, false, true); // keeps the flag shutdownNow sets
      Noting b = new Noting("B", steps, null, false, false);
      assertThat(q.queue(a)).isTrue();
      await(a.worked);
      assertThat(q.queue(b)).isTrue();
      await(b.worked);
      pool.asExecutorService().shutdownNow(); // interrupts A's thread, in A's work()
      await(b.released);
      assertThat(a.sawInterrupt).as("round %s: shutdownNow interrupted A", round).isTrue();
      assertThat(steps).as("round %s", round).contains("A.work", "B.ordered", "B.release");
      leaks += leaks(steps, "B");
    }
    assertThat(leaks).as("B's ordered()/release() that began interrupted in 20 rounds").isZero();
  }

  @Test
  void defect1NeitherInterruptReachesTheHashSuccessorItsThreadRunsIn20Of20Rounds()
      throws Exception {
    long leaks = 0;
    for (int round = 0; round < 20; round++) {
      boolean viaShutdownNow = round % 2 == 1;
      WorkerPool pool = pool("i9-hash-interrupt-" + round, 1);
      OrderedWorkQueue q = on(pool, "i9-hash-interrupt-q-" + round);
      List<String> steps = new CopyOnWriteArrayList<>();
      CountDownLatch gate = gate();
      Noting a = viaShutdownNow
          ? new Noting("A", steps, null, false, true)
          : new Noting("A", steps, gate, true, false);
      Noting b = new Noting("B", steps, null, false, false);
      assertThat(q.queue(a, 42)).isTrue();
      await(a.worked);
      assertThat(q.queue(b, 42)).isTrue(); // waits on A's hash
      if (viaShutdownNow) {
        pool.asExecutorService().shutdownNow();
      } else {
        gate.countDown();
      }
      await(b.released);
      assertThat(steps).as("round %s", round).contains("B.release");
      leaks += leaks(steps, "B");
    }
    assertThat(leaks).as("B's steps that began interrupted in 20 rounds").isZero();
  }

  // ---------------------------------------------------------------------------------------------
  // Defect 2: close() from a work, and a graceful stop of a shared pool, run hash successors

  @Test
  void defect2CloseFromAWorkIsRefusedAndItsHashSuccessorsRunInsteadOfBeingCancelled()
      throws Exception {
    OrderedWorkQueue q = own("i9-close-from-work", 2);
    List<String> steps = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch gate = gate();
    CountDownLatch firstStarted = new CountDownLatch(1);
    q.queue(new OrderedWork() {
      @Override
      protected void work() {
        firstStarted.countDown();
        Issue9OrderedAcceptanceTest.await(gate);
        try {
          q.close();
        } catch (Throwable t) {
          thrown.set(t);
        }
      }
    }, 7);
    await(firstStarted);
    List<Noting> successors = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Noting s = new Noting("S" + i, steps, null, false, false);
      successors.add(s);
      assertThat(q.queue(s, 7)).isTrue();
    }
    gate.countDown();
    for (Noting s : successors) {
      await(s.released);
    }
    assertThat(thrown.get()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("would wait for itself");
    assertThat(steps.stream().filter(s -> s.contains(".work") || s.contains(".cancelled")))
        .containsExactly("S1.work", "S2.work", "S3.work");
    assertThat(q.isClosed()).isFalse();
    Noting later = new Noting("L", steps, null, false, false);
    assertThat(q.queue(later, 7)).as("the queue still accepts work").isTrue();
    await(later.released);
    assertThat(q.flush(BOUND)).isTrue();
    assertThat(q.stats().cancelled()).isZero();
    assertThat(q.stats().inFlight()).isZero();
  }

  @Test
  void defect2AGracefulStopOfASharedPoolRunsTheHashSuccessorsOfAcceptedWorks() throws Exception {
    WorkerPool pool = pool("i9-graceful", 2);
    OrderedWorkQueue q = on(pool, "i9-graceful-q");
    List<String> steps = new CopyOnWriteArrayList<>();
    CountDownLatch gate = gate();
    Noting head = new Noting("W0", steps, gate, false, false);
    assertThat(q.queue(head, 9)).isTrue();
    await(head.worked);
    List<Noting> all = new ArrayList<>(List.of(head));
    for (int i = 1; i <= 3; i++) {
      Noting w = new Noting("W" + i, steps, null, false, false);
      all.add(w);
      assertThat(q.queue(w, 9)).isTrue();
    }
    pool.stop();
    gate.countDown();
    for (Noting w : all) {
      await(w.released);
    }
    assertThat(steps.stream().filter(s -> s.contains(".work") || s.contains(".cancelled")))
        .containsExactly("W0.work", "W1.work", "W2.work", "W3.work");
    assertThat(q.stats().cancelled()).isZero();
    assertThatThrownBy(() -> q.queue(new Noting("X", steps, null, false, false), 9))
        .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("stopped");
  }

  // ---------------------------------------------------------------------------------------------
  // Defect 3: drain() and close() return only when nothing is in flight

  /** Queues its successor from its release step until the chain is {@code length} long. */
  private static final class Link extends OrderedWork {
    final OrderedWorkQueue queue;
    final int index;
    final int length;
    final AtomicBoolean done;

    Link(OrderedWorkQueue queue, int index, int length, AtomicBoolean done) {
      this.queue = queue;
      this.index = index;
      this.length = length;
      this.done = done;
    }

    @Override
    protected void work() {}

    @Override
    protected void ordered() {}

    @Override
    protected void release() {
      if (index + 1 < length) {
        queue.queue(new Link(queue, index + 1, length, done), index % 3); // chained: accepted
      } else {
        done.set(true);
      }
    }
  }

  @Test
  void defect3DrainAndCloseNeverReturnWhileAChainedWorkIsInFlightAcrossManyFlushColours()
      throws Exception {
    for (int round = 0; round < 6; round++) {
      boolean close = round % 2 == 1;
      OrderedWorkQueue q = own("i9-exact-" + round, 2);
      AtomicBoolean done = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger flushes = new AtomicInteger();
      Thread flusher = new Thread(() -> {
        try {
          while (!stop.get()) {
            q.flush(BOUND); // each flush closes a colour: the chain runs through every one
            flushes.incrementAndGet();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "i9-flusher-" + round);
      assertThat(q.queue(new Link(q, 0, 3000, done))).isTrue();
      flusher.start();
      try {
        boolean empty = close ? q.close(BOUND) : q.drain(BOUND);
        assertThat(empty).as("round %s ended in time", round).isTrue();
        assertThat(done).as("round %s: %s returned with the chain in flight", round,
            close ? "close()" : "drain()").isTrue();
        assertThat(q.stats().inFlight()).isZero();
        assertThat(q.stats().queued()).isEqualTo(q.stats().completed()).isEqualTo(3000);
      } finally {
        stop.set(true);
        flusher.join(BOUND.toMillis());
      }
      assertThat(flusher.isAlive()).isFalse();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Defect 5: interruptible waits with timed forms, as the JDK does

  private OrderedWorkQueue stuck(String name, CountDownLatch gate) {
    OrderedWorkQueue q = own(name, 2);
    Noting s = new Noting("stuck", new CopyOnWriteArrayList<>(), gate, false, false);
    assertThat(q.queue(s)).isTrue();
    await(s.worked);
    return q;
  }

  interface Wait {
    void run() throws Exception;
  }

  /**
   * Runs {@code wait} on a thread of its own, interrupts it once it waits, and returns what ended
   * it and whether the thread's interrupt status was still set afterwards.
   */
  private static Object[] interruptWhileWaiting(String name, Wait wait) throws Exception {
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    AtomicBoolean flagAfter = new AtomicBoolean();
    CountDownLatch ended = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        wait.run();
        outcome.set(new AssertionError(name + " returned without an interrupt"));
      } catch (Throwable e) {
        outcome.set(e);
      } finally {
        flagAfter.set(Thread.currentThread().isInterrupted());
        ended.countDown();
      }
    }, name);
    t.start();
    Awaitility.await().atMost(BOUND).until(() -> t.getState() == Thread.State.WAITING
        || t.getState() == Thread.State.TIMED_WAITING);
    t.interrupt();
    assertThat(ended.await(5, TimeUnit.SECONDS)).as("%s ended by its interrupt", name).isTrue();
    return new Object[] {outcome.get(), flagAfter.get()};
  }

  @Test
  void defect5AnInterruptedFlushDrainOrCloseThrowsInterruptedExceptionWithTheStatusCleared()
      throws Exception {
    for (String which : new String[] {"flush", "drain", "close"}) {
      CountDownLatch gate = gate();
      OrderedWorkQueue q = stuck("i9-interrupted-" + which, gate);
      Wait wait = switch (which) {
        case "flush" -> q::flush;
        case "drain" -> q::drain;
        default -> q::close;
      };
      Object[] ended = interruptWhileWaiting("i9-" + which, wait);
      assertThat((Throwable) ended[0]).as(which).isInstanceOf(InterruptedException.class);
      assertThat((Boolean) ended[1]).as("%s: interrupt status after InterruptedException", which)
          .isFalse();
      gate.countDown();
      if (!which.equals("close")) {
        // the queue is as usable as before: it takes work and flushes
        Noting later = new Noting("later", new CopyOnWriteArrayList<>(), null, false, false);
        assertThat(q.queue(later)).isTrue();
        assertThat(q.flush(BOUND)).isTrue();
        assertThat(later.released.getCount()).isZero();
      } else {
        // the interrupted close left it closing: outsiders are refused until a close finishes
        assertThatThrownBy(() -> q.queue(new Noting("x", new ArrayList<>(), null, false, false)))
            .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("closing");
      }
      assertThat(q.close(BOUND)).isTrue();
      assertThat(q.isClosed()).isTrue();
    }
  }

  @Test
  void defect5AWaitEnteredWithTheInterruptStatusSetThrowsAtOnceAndClearsIt() throws Exception {
    OrderedWorkQueue q = own("i9-pre-interrupted", 1);
    for (Wait wait : new Wait[] {q::flush, q::drain, () -> q.flush(BOUND), () -> q.drain(BOUND)}) {
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(wait::run).isInstanceOf(InterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
      } finally {
        Thread.interrupted();
      }
    }
  }

  @Test
  void defect5TimedFormsReturnFalseOnAStuckWorkAndTheQueueStillClosesOnceItIsReleased()
      throws Exception {
    CountDownLatch gate = gate();
    OrderedWorkQueue q = stuck("i9-timed", gate);
    Duration shortly = Duration.ofMillis(100);
    long t0 = System.nanoTime();
    assertThat(q.flush(shortly)).isFalse();
    assertThat(q.drain(shortly)).isFalse();
    assertThat(q.flush(Duration.ZERO)).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(BOUND);
    // still usable after the timed flush and drain: it takes work and runs it (a work with no
    // ordered step, which waits for nobody's turn)
    CountDownLatch otherReleased = new CountDownLatch(1);
    assertThat(q.queue(new OrderedWork() {
      @Override
      protected void work() {}

      @Override
      protected void release() {
        otherReleased.countDown();
      }
    })).isTrue();
    await(otherReleased);
    assertThat(q.close(shortly)).isFalse();
    assertThat(q.isClosed()).isFalse();
    gate.countDown();
    assertThat(q.close(BOUND)).isTrue();
    assertThat(q.isClosed()).isTrue();
    assertThat(q.stats().inFlight()).isZero();
  }

  // ---------------------------------------------------------------------------------------------
  // The hidden hooks, and the documented API still compiling

  @Test
  void theHooksTheReviewNamedAreNotOnTheDocumentedTypes() {
    for (Class<?> c = OrderedWork.class; c != null; c = c.getSuperclass()) {
      assertThat(Arrays.stream(c.getDeclaredMethods())
              .filter(m -> m.getName().equals("abandon"))
              .filter(m -> Modifier.isPublic(m.getModifiers())
                  || Modifier.isProtected(m.getModifiers())))
          .as("a public or protected abandon on %s", c).isEmpty();
    }
    assertThat(Arrays.stream(Work.class.getMethods()).map(Method::getName))
        .doesNotContain("abandon");
    assertThat(Arrays.stream(OrderedWorkQueue.Builder.class.getDeclaredMethods())
            .filter(m -> !m.isSynthetic())
            .filter(m -> Modifier.isPublic(m.getModifiers())
                || Modifier.isProtected(m.getModifiers()))
            .map(Method::getName))
        .doesNotContain("onStart")
        .contains("pool", "maxActive", "build");
    assertThat(Arrays.stream(OrderedWorkQueue.class.getMethods()).map(Method::getName))
        .doesNotContain("onStart", "abandon");
  }

  /** Uses the documented API only, as issue 3 and issue 9 spell it; compiling is half the test. */
  private static final class Documented extends OrderedWork {
    final CountDownLatch released;
    volatile int value;
    volatile int seen = -1;

    Documented(CountDownLatch released) {
      this.released = released;
    }

    @Override
    protected void work() {
      value = 7;
    }

    @Override
    protected void ordered() {
      seen = value;
    }

    @Override
    protected void cancelled(Throwable cause) {}

    @Override
    protected void release() {
      released.countDown();
    }
  }

  @Test
  void codeWrittenAgainstTheDocumentedApiCompilesAndRuns() throws Exception {
    CountDownLatch released = new CountDownLatch(3);
    WorkerPool shared = pool("i9-documented", 2);
    try (OrderedWorkQueue a = OrderedWorkQueue.builder("i9-doc-shared").pool(shared).build();
        OrderedWorkQueue b = OrderedWorkQueue.serial("i9-doc-serial")) {
      Documented x = new Documented(released);
      Documented y = new Documented(released);
      Documented z = new Documented(released);
      boolean accepted = a.queue(x) & a.queue(y, 5L) & b.queue(z);
      assertThat(accepted).isTrue();
      a.flush();
      assertThat(a.flush(BOUND)).isTrue();
      a.drain();
      assertThat(b.drain(BOUND)).isTrue();
      assertThat(released.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(x.failure()).isNull();
      assertThat(x.seen).isEqualTo(7);
      OrderedQueueStats stats = a.stats();
      assertThat(stats.queued()).isEqualTo(2);
      assertThat(stats.completed()).isEqualTo(2);
    } // close() throws InterruptedException: this method declares it, as a caller must
  }

  // ---------------------------------------------------------------------------------------------
  // 0 bytes per queued work

  /** A work with an ordered step and nothing else to allocate. */
  private static final class Empty extends OrderedWork {
    @Override
    protected void work() {}

    @Override
    protected void ordered() {}
  }

  @Test
  void queueingAndRunningAWorkAllocatesNothingOnTheProducerOrThePoolThreads() throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    WorkerPool pool = WorkerPool.builder("i9-alloc").minWorkers(2).maxWorkers(2).build();
    pools.add(pool);
    OrderedWorkQueue q = on(pool, "i9-alloc-q");
    Empty[] works = new Empty[4096];
    Arrays.setAll(works, i -> new Empty());
    int rounds = 100_000;
    runAll(q, works, rounds); // warm-up: the JIT compiles the paths measured below
    long[] ids = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("i9-alloc-")).mapToLong(Thread::getId).toArray();
    assertThat(ids).hasSize(2);
    long poolBefore = Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum();
    long producerBefore = threads.getCurrentThreadAllocatedBytes();
    runAll(q, works, rounds);
    long producer = threads.getCurrentThreadAllocatedBytes() - producerBefore;
    assertThat(q.flush(BOUND)).isTrue();
    long poolAfter = Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum();
    double perWork = (double) (producer + poolAfter - poolBefore) / rounds;
    assertThat(perWork).as("bytes per queued work (producer %s B, pool %s B, %s works)", producer,
        poolAfter - poolBefore, rounds).isLessThan(1.0);
  }

  /** Queues {@code rounds} works, reusing each object once its release step has run. */
  private static void runAll(OrderedWorkQueue q, Empty[] works, int rounds) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    for (int i = 0; i < rounds; i++) {
      Empty w = works[i % works.length];
      while (!q.queue(w)) { // still in the queue: its release has not run yet
        if (System.nanoTime() > deadline) {
          throw new AssertionError("a work was not released within " + BOUND);
        }
        Thread.onSpinWait();
      }
    }
  }
}
