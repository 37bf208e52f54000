package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.pool.WorkerPool;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 (pool-priority's side), point by point, as an outside user sees it: only {@code
 * WorkQueue}, its builder and stats, {@code OrderedWork} and {@code WorkerPool}, with the issue's
 * figures. Every wait is bounded and everything a test started is closed after it.
 */
@Timeout(30)
class Issue9PriorityAcceptanceTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  private final List<CountDownLatch> gates = new ArrayList<>();
  private final List<WorkQueue> queues = new ArrayList<>();
  private final List<WorkerPool> pools = new ArrayList<>();

  @AfterEach
  void cleanUp() throws InterruptedException {
    gates.forEach(CountDownLatch::countDown);
    for (WorkQueue q : queues) {
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

  private WorkQueue keep(WorkQueue q) {
    queues.add(q);
    return q;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("a latch stayed closed for " + BOUND);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Notes how it ended; its work() may be held on a gate. */
  private static final class Noted extends OrderedWork {
    final String name;
    final List<String> events;
    final CountDownLatch gate;
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);

    Noted(String name, List<String> events, CountDownLatch gate) {
      this.name = name;
      this.events = events;
      this.gate = gate;
    }

    @Override
    protected void work() {
      events.add("work " + name);
      started.countDown();
      if (gate != null) {
        Issue9PriorityAcceptanceTest.await(gate);
      }
    }

    @Override
    protected void ordered() {}

    @Override
    protected void cancelled(Throwable cause) {
      events.add("cancelled " + name);
    }

    @Override
    protected void release() {
      released.countDown();
    }
  }

  private static List<String> ends(List<String> events) {
    return events.stream().filter(e -> e.startsWith("work ") || e.startsWith("cancelled "))
        .toList();
  }

  // ---------------------------------------------------------------------------------------------
  // Defect 2: close() from a lane's own work

  @Test
  void defect2CloseFromALanesOwnWorkThrowsRunsTheHashSuccessorsAndLeaksNoPending()
      throws Exception {
    WorkQueue q = keep(WorkQueue.ordered("i9p-close-own"));
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch gate = gate();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(1);
    q.queue(new OrderedWork() {
      @Override
      protected void work() {
        started.countDown();
        Issue9PriorityAcceptanceTest.await(gate);
        try {
          q.close();
        } catch (Throwable t) {
          thrown.set(t);
        }
      }

      @Override
      protected void release() {
        released.countDown();
      }
    });
    await(started);
    List<Noted> successors = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Noted n = new Noted(String.valueOf(i), events, null);
      successors.add(n);
      assertThat(q.queue(n)).isTrue();
    }
    assertThat(q.pending()).isEqualTo(3);
    gate.countDown();
    await(released);
    successors.forEach(n -> await(n.released));

    assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
    assertThat(ends(events)).containsExactly("work 1", "work 2", "work 3");
    Noted later = new Noted("4", events, null);
    assertThat(q.queue(later)).as("the queue still accepts work").isTrue();
    await(later.released);
    assertThat(ends(events)).endsWith("work 4");
    assertThat(q.pending()).isZero();
    assertThat(q.isCongested()).isFalse();
    assertThat(q.stats().normal().queue().cancelled()).isZero();
  }

  @Test
  void defect2CloseFromAWorkOfEitherLaneOfAThresholdedQueueChangesNothing() throws Exception {
    WorkQueue q = keep(WorkQueue.builder("i9p-close-lanes").limitActive(2).threshold(32)
        .highPriority(true).build());
    List<Throwable> thrown = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(2);
    for (boolean high : new boolean[] {false, true}) {
      OrderedWork closer = new OrderedWork() {
        @Override
        protected void work() {
          try {
            q.close();
          } catch (Throwable t) {
            thrown.add(t);
          }
        }

        @Override
        protected void release() {
          done.countDown();
        }
      };
      assertThat(high ? q.queueHigh(closer) : q.queue(closer)).isTrue();
    }
    await(done);
    assertThat(thrown).hasSize(2).allMatch(t -> t instanceof IllegalStateException);
    List<String> events = new CopyOnWriteArrayList<>();
    Noted normal = new Noted("n", events, null);
    Noted high = new Noted("h", events, null);
    assertThat(q.queue(normal)).isTrue();
    assertThat(q.queueHigh(high)).isTrue();
    await(normal.released);
    await(high.released);
    assertThat(q.pending()).isZero();
    assertThat(q.isCongested()).isFalse();
  }

  // ---------------------------------------------------------------------------------------------
  // Defect 4 and "what must be true" 2: the limit climbs under a backlog and is back at 1

  @Test
  void aThresholdedQueueClimbsToLimitActiveUnderABacklogAndIsBackAtOneOnceItDrains()
      throws Exception {
    WorkQueue q = keep(WorkQueue.builder("i9p-trace").limitActive(4).threshold(32).build());
    for (int burst = 0; burst < 2; burst++) {
      assertThat(q.currentActive()).as("burst %s starts from 1", burst).isEqualTo(1);
      List<Integer> trace = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch hold = new CountDownLatch(1);
      gates.add(hold);
      Tracer first = new Tracer(q, trace, hold);
      q.queue(first);
      await(first.started);
      for (int i = 0; i < 600; i++) {
        q.queue(new Tracer(q, trace, null));
      }
      assertThat(q.pending()).isEqualTo(600);
      assertThat(q.isCongested()).isTrue(); // 600 waiting, more than twice the threshold
      hold.countDown();
      assertThat(q.flush(BOUND)).isTrue();

      List<Integer> seen;
      synchronized (trace) {
        seen = new ArrayList<>(trace);
      }
      assertThat(seen).hasSize(601);
      assertThat(seen.get(0)).isEqualTo(1);
      assertThat(Collections.max(seen)).as("burst %s: %s", burst, seen).isEqualTo(4);
      assertThat(seen).as("burst %s climbs one step at a time", burst).contains(1, 2, 3, 4);
      // down: drained and idle, the limit is back at 1 without any further work starting
      assertThat(q.currentActive()).as("burst %s drained", burst).isEqualTo(1);
      assertThat(q.stats().normal().currentActive()).isEqualTo(1);
      assertThat(q.pending()).isZero();
      assertThat(q.isCongested()).isFalse();
    }
  }

  @Test
  void defect4AfterABurstDrainsTheQueueRestsAtOneNotTwoOfFour() throws Exception {
    WorkQueue q = keep(WorkQueue.builder("i9p-rest").limitActive(4).threshold(32).build());
    List<Integer> trace = Collections.synchronizedList(new ArrayList<>());
    for (int round = 0; round < 3; round++) {
      CountDownLatch hold = new CountDownLatch(1);
      gates.add(hold);
      Tracer first = new Tracer(q, trace, hold);
      q.queue(first);
      await(first.started); // a backlog builds behind it, whatever the machine's speed
      for (int i = 0; i < 3000; i++) {
        q.queue(new Tracer(q, trace, null));
      }
      hold.countDown();
      assertThat(q.flush(BOUND)).isTrue();
      assertThat(q.currentActive()).as("round %s, trace max %s", round, Collections.max(trace))
          .isEqualTo(1);
      assertThat(q.pending()).isZero();
    }
    assertThat(Collections.max(trace)).as("the backlog raised the limit at all").isGreaterThan(1);
  }

  /** Records the active limit when its work starts; the first of a burst may hold the lane. */
  private static final class Tracer extends OrderedWork {
    private final WorkQueue queue;
    private final List<Integer> trace;
    private final CountDownLatch hold;
    final CountDownLatch started = new CountDownLatch(1);

    Tracer(WorkQueue queue, List<Integer> trace, CountDownLatch hold) {
      this.queue = queue;
      this.trace = trace;
      this.hold = hold;
    }

    @Override
    protected void work() {
      trace.add(queue.currentActive());
      started.countDown();
      if (hold != null) {
        Issue9PriorityAcceptanceTest.await(hold);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // "What must be true" 2: pending and isCongested() settle after close, stop and cancellation

  @Test
  void pendingAndCongestionSettleAfterACloseWithABacklog() throws Exception {
    WorkQueue q = keep(WorkQueue.builder("i9p-close-backlog").limitActive(2).threshold(32)
        .highPriority(true).build());
    CountDownLatch gate = gate();
    List<String> events = new CopyOnWriteArrayList<>();
    Noted first = new Noted("first", events, gate);
    q.queue(first);
    await(first.started);
    List<Noted> all = new ArrayList<>(List.of(first));
    for (int i = 0; i < 100; i++) {
      Noted n = new Noted(String.valueOf(i), events, null);
      all.add(n);
      q.queue(n);
      Noted h = new Noted("h" + i, events, null);
      all.add(h);
      q.queueHigh(h);
    }
    assertThat(q.isCongested()).isTrue();
    assertThat(q.close(Duration.ofMillis(50))).as("a stuck work holds the close").isFalse();
    gate.countDown();
    assertThat(q.close(BOUND)).isTrue();
    all.forEach(n -> assertThat(n.released.getCount()).isZero());
    assertThat(ends(events)).hasSize(201).allMatch(e -> e.startsWith("work "));
    assertThat(q.pending()).isZero();
    assertThat(q.isCongested()).isFalse();
    assertThat(q.stats().high().pending()).isZero();
  }

  @Test
  void pendingAndCongestionSettleWhenEveryWorkIsCancelledBecauseNoThreadCanStart()
      throws Exception {
    WorkerPool starter = WorkerPool.starter("i9p-starter");
    pools.add(starter);
    WorkQueue q = keep(WorkQueue.builder("i9p-cancelled").limitActive(2).threshold(32)
        .starter(starter).build());
    starter.stop();
    assertThat(starter.awaitTermination(BOUND)).isTrue();
    List<String> events = new CopyOnWriteArrayList<>();
    List<Noted> all = new ArrayList<>();
    int accepted = 0;
    for (int i = 0; i < 100; i++) {
      Noted n = new Noted(String.valueOf(i), events, null);
      try {
        if (q.queue(n)) {
          all.add(n);
          accepted++;
        }
      } catch (RejectedExecutionException refused) {
        // a refusal is fine too: the work was never accepted, so nothing is pending for it
      }
    }
    all.forEach(n -> await(n.released));
    assertThat(ends(events)).hasSize(accepted).allMatch(e -> e.startsWith("cancelled "));
    Awaitility.await().atMost(BOUND).untilAsserted(() -> assertThat(q.pending()).isZero());
    assertThat(q.isCongested()).isFalse();
    assertThat(q.stats().normal().queue().cancelled()).isEqualTo(accepted);
  }

  // ---------------------------------------------------------------------------------------------
  // Defect 5: flush() and close() wait interruptibly and have timed forms

  interface Wait {
    void run() throws Exception;
  }

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
  void defect5AnInterruptedFlushOrCloseThrowsInterruptedExceptionAndTheQueueStillCloses()
      throws Exception {
    for (boolean close : new boolean[] {false, true}) {
      for (boolean highStuck : new boolean[] {false, true}) {
        String name = "i9p-interrupt-" + (close ? "close" : "flush") + (highStuck ? "-high" : "");
        WorkQueue q = keep(WorkQueue.builder(name).limitActive(2).highPriority(true).build());
        CountDownLatch gate = gate();
        Noted stuck = new Noted("stuck", new CopyOnWriteArrayList<>(), gate);
        assertThat(highStuck ? q.queueHigh(stuck) : q.queue(stuck)).isTrue();
        await(stuck.started);
        Object[] ended = interruptWhileWaiting(name, close ? q::close : q::flush);
        assertThat((Throwable) ended[0]).as(name).isInstanceOf(InterruptedException.class);
        assertThat((Boolean) ended[1]).as("%s: interrupt status after the exception", name)
            .isFalse();
        gate.countDown();
        if (!close) {
          Noted later = new Noted("later", new CopyOnWriteArrayList<>(), null);
          assertThat(q.queue(later)).isTrue();
          assertThat(q.flush(BOUND)).isTrue();
          assertThat(later.released.getCount()).isZero();
        }
        assertThat(q.close(BOUND)).as(name).isTrue();
        assertThat(q.stats().normal().pool().workers()).isZero();
        assertThat(q.stats().high().pool().workers()).isZero();
      }
    }
  }

  @Test
  void defect5TimedFlushAndCloseReturnFalseOnAStuckWorkAndTheQueueClosesOnceItIsReleased()
      throws Exception {
    WorkQueue q = keep(WorkQueue.builder("i9p-timed").limitActive(2).highPriority(true).build());
    CountDownLatch gate = gate();
    Noted stuck = new Noted("stuck", new CopyOnWriteArrayList<>(), gate);
    q.queue(stuck);
    await(stuck.started);
    Duration shortly = Duration.ofMillis(100);
    assertThat(q.flush(shortly)).isFalse();
    assertThat(q.flush(Duration.ZERO)).isFalse();
    // still usable: the high lane runs work meanwhile
    Noted high = new Noted("high", new CopyOnWriteArrayList<>(), null);
    assertThat(q.queueHigh(high)).isTrue();
    await(high.released);
    assertThat(q.close(shortly)).isFalse();
    gate.countDown();
    assertThat(q.close(BOUND)).isTrue();
    assertThat(q.pending()).isZero();
    assertThat(q.stats().normal().pool().workers()).isZero();
  }

  @Test
  void defect5AWaitEnteredWithTheInterruptStatusSetThrowsAtOnceAndClearsIt() throws Exception {
    WorkQueue q = keep(WorkQueue.builder("i9p-pre-interrupted").build());
    for (Wait wait : new Wait[] {q::flush, () -> q.flush(BOUND)}) {
      Thread.currentThread().interrupt();
      try {
        Throwable thrown = null;
        try {
          wait.run();
        } catch (Throwable t) {
          thrown = t;
        }
        assertThat(thrown).isInstanceOf(InterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
      } finally {
        Thread.interrupted();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The documented API (issue 4's names) still compiles and runs

  @Test
  void codeWrittenAgainstTheDocumentedApiCompilesAndRuns() throws Exception {
    WorkerPool starter = WorkerPool.starter("i9p-doc-starter");
    pools.add(starter);
    List<String> events = new CopyOnWriteArrayList<>();
    try (WorkQueue q = WorkQueue.builder("i9p-doc").limitActive(3).threshold(0)
            .highPriority(true).starter(starter).rescuer(false).build();
        WorkQueue serial = WorkQueue.ordered("i9p-doc-ordered")) {
      Noted a = new Noted("a", events, null);
      Noted b = new Noted("b", events, null);
      Noted c = new Noted("c", events, null);
      assertThat(q.queue(a)).isTrue();
      assertThat(q.queueHigh(b)).isTrue();
      assertThat(serial.queue(c)).isTrue();
      q.setLimitActive(2);
      q.flush();
      serial.flush();
      assertThat(q.limitActive()).isEqualTo(2);
      assertThat(q.currentActive()).isBetween(1, 2);
      assertThat(q.pending()).isZero();
      assertThat(q.isCongested()).isFalse();
      WorkQueueStats stats = q.stats();
      LaneStats normal = stats.normal();
      assertThat(normal.threshold()).isEqualTo(32);
      assertThat(normal.limitActive()).isEqualTo(2);
      assertThat(normal.pending()).isZero();
      assertThat(normal.pool()).isNotNull();
      assertThat(stats.high()).isNotNull();
      assertThat(serial.limitActive()).isEqualTo(1);
    }
    assertThat(ends(events)).containsExactlyInAnyOrder("work a", "work b", "work c");
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
  void queueingAndRunningAWorkOnAWorkQueueAllocatesNothingOnTheProducerOrTheLaneThreads()
      throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // a fixed lane, so its threads are there for the whole measurement (a thresholded lane
    // starts and retires threads, which allocates on other threads)
    WorkQueue q = keep(WorkQueue.builder("i9p-alloc").limitActive(2).threshold(1).build());
    Empty[] works = new Empty[4096];
    Arrays.setAll(works, i -> new Empty());
    int rounds = 100_000;
    runAll(q, works, rounds);
    assertThat(q.flush(BOUND)).isTrue();
    long[] ids = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("i9p-alloc-")).mapToLong(Thread::getId).toArray();
    assertThat(ids).isNotEmpty();
    long laneBefore = Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum();
    long producerBefore = threads.getCurrentThreadAllocatedBytes();
    runAll(q, works, rounds);
    long producer = threads.getCurrentThreadAllocatedBytes() - producerBefore;
    assertThat(q.flush(BOUND)).isTrue();
    long laneAfter = Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum();
    double perWork = (double) (producer + laneAfter - laneBefore) / rounds;
    assertThat(perWork).as("bytes per queued work (producer %s B, lane %s B, %s works)",
        producer, laneAfter - laneBefore, rounds).isLessThan(1.0);
  }

  private static void runAll(WorkQueue q, Empty[] works, int rounds) {
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
