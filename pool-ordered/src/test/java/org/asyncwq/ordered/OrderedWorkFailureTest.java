package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 3, point 5: one failure never stalls the queue, and every failure is logged. */
@Timeout(60)
class OrderedWorkFailureTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  /** Records its steps; throws from the step named in {@code throwIn}, if any. */
  static class Faulty extends OrderedWork {
    final int index;
    final String throwIn;
    final List<String> events;
    final CountDownLatch released;
    volatile Throwable failureSeenInOrdered;

    Faulty(int index, String throwIn, List<String> events, CountDownLatch released) {
      this.index = index;
      this.throwIn = throwIn;
      this.events = events;
      this.released = released;
    }

    @Override
    protected void work() {
      events.add("work " + index);
      if ("work".equals(throwIn)) {
        throw new IllegalStateException("boom in work " + index);
      }
    }

    @Override
    protected void ordered() {
      failureSeenInOrdered = failure();
      events.add("ordered " + index);
      if ("ordered".equals(throwIn)) {
        throw new IllegalStateException("boom in ordered " + index);
      }
    }

    @Override
    protected void release() {
      events.add("release " + index);
      released.countDown();
      if ("release".equals(throwIn)) {
        throw new IllegalStateException("boom in release " + index);
      }
    }

    @Override
    protected void cancelled(Throwable cause) {
      events.add("cancelled " + index + " " + cause.getClass().getSimpleName());
    }
  }

  private List<Faulty> runTen(OrderedWorkQueue q, int faulty, String step, List<String> events)
      throws InterruptedException {
    CountDownLatch released = new CountDownLatch(10);
    List<Faulty> works = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Faulty w = new Faulty(i, i == faulty ? step : null, events, released);
      works.add(w);
      q.queue(w);
    }
    assertThat(released.await(30, TimeUnit.SECONDS)).as("events %s", events).isTrue();
    q.flush();
    return works;
  }

  private static List<String> steps(List<String> events, String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix)).toList();
  }

  private static List<String> numbered(String prefix) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      out.add(prefix + " " + i);
    }
    return out;
  }

  @Test
  void workThatThrowsIsRecordedAndLoggedAndItsOrderedStepsStillRunInOrder() throws Exception {
    OrderedWorkQueue q = cleanup.queue("fail-work", 4);
    List<String> events = new CopyOnWriteArrayList<>();
    try (CapturedLog log = new CapturedLog()) {
      List<Faulty> works = runTen(q, 3, "work", events);

      assertThat(works.get(3).failure()).isInstanceOf(IllegalStateException.class)
          .hasMessage("boom in work 3");
      assertThat(works.get(3).failureSeenInOrdered).isSameAs(works.get(3).failure());
      assertThat(works.stream().filter(w -> w.index != 3)).allSatisfy(
          w -> assertThat(w.failure()).isNull());
      assertThat(steps(events, "ordered")).containsExactlyElementsOf(numbered("ordered"));
      assertThat(steps(events, "release")).containsExactlyElementsOf(numbered("release"));
      assertThat(q.stats().failures()).isEqualTo(1);
      assertThat(log.atLeast(Level.WARN)).anySatisfy(l -> {
        assertThat(l.message()).contains("fail-work").contains("work()");
        assertThat(l.thrown()).isSameAs(works.get(3).failure());
      });
    }
  }

  @Test
  void failureIsResetWhenTheWorkIsQueuedAgain() throws Exception {
    OrderedWorkQueue q = cleanup.queue("fail-reset", 2);
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch first = new CountDownLatch(1);
    Faulty w = new Faulty(0, "work", events, first);
    q.queue(w);
    assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
    q.flush();
    assertThat(w.failure()).isNotNull();

    CountDownLatch second = new CountDownLatch(1);
    Faulty again = new Faulty(1, null, events, second);
    q.queue(again);
    assertThat(second.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(again.failure()).isNull();
  }

  @Test
  void orderedStepThatThrowsIsLoggedAndTheNextOrderedStepStillRuns() throws Exception {
    OrderedWorkQueue q = cleanup.queue("fail-ordered", 4);
    List<String> events = new CopyOnWriteArrayList<>();
    try (CapturedLog log = new CapturedLog()) {
      List<Faulty> works = runTen(q, 5, "ordered", events);

      assertThat(steps(events, "ordered")).containsExactlyElementsOf(numbered("ordered"));
      assertThat(steps(events, "release")).containsExactlyElementsOf(numbered("release"));
      assertThat(works.get(5).failure()).isNull(); // failure() is about work() only
      assertThat(log.atLeast(Level.WARN)).anySatisfy(l -> {
        assertThat(l.message()).contains("fail-ordered").contains("ordered()");
        assertThat(l.thrown()).hasMessage("boom in ordered 5");
      });
    }
  }

  @Test
  void releaseThatThrowsIsLoggedAndTheQueueGoesOn() throws Exception {
    OrderedWorkQueue q = cleanup.queue("fail-release", 4);
    List<String> events = new CopyOnWriteArrayList<>();
    try (CapturedLog log = new CapturedLog()) {
      runTen(q, 2, "release", events);

      assertThat(steps(events, "release")).containsExactlyElementsOf(numbered("release"));
      assertThat(q.stats().completed()).isEqualTo(10);
      assertThat(q.stats().inFlight()).isZero();
      assertThat(log.atLeast(Level.WARN)).anySatisfy(
          l -> assertThat(l.thrown()).hasMessage("boom in release 2"));
    }
  }

  @Test
  void worksThePoolCancelsGetCancelledThenReleaseInOrderAndNeverStallTheList() throws Exception {
    WorkerPool pool = cleanup.pool(
        WorkerPool.builder("cancel").maxWorkers(1).build());
    OrderedWorkQueue q = cleanup.queue(OrderedWorkQueue.builder("cancelling").pool(pool).build());
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch released = new CountDownLatch(5);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch gate = cleanup.gate();
    q.queue(new Faulty(0, null, events, released) {
      @Override
      protected void work() {
        started.countDown();
        OrderedWorkQueueOrderTest.await(gate); // holds the only thread
        super.work();
      }
    });
    for (int i = 1; i < 5; i++) {
      q.queue(new Faulty(i, null, events, released));
    }
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.stopNow()).isEqualTo(4);
    gate.countDown();

    assertThat(released.await(30, TimeUnit.SECONDS)).as("events %s", events).isTrue();
    assertThat(q.drain(java.time.Duration.ofSeconds(30))).isTrue();
    // cancelled() comes when the pool gives the work up; release() still waits for its turn
    assertThat(steps(events, "release")).containsExactly(
        "release 0", "release 1", "release 2", "release 3", "release 4");
    assertThat(events).containsSubsequence("cancelled 1 CancellationException", "work 0",
        "ordered 0", "release 0", "release 1");
    assertThat(steps(events, "work")).containsExactly("work 0");
    assertThat(steps(events, "ordered")).containsExactly("ordered 0");
    assertThat(steps(events, "cancelled")).hasSize(4);
    assertThat(q.stats().cancelled()).isEqualTo(4);
  }
}
