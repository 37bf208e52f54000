package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 3, points 1-3: the ordered step runs in queue order, once, and only where it exists. */
@Timeout(60)
class OrderedWorkQueueOrderTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  /** A work that records when its ordered step starts and ends, by its queue position. */
  static class Sequenced extends OrderedWork {
    final int index;
    final Runnable body;
    final List<String> events;
    final AtomicInteger lastOrderedReturned;

    Sequenced(int index, Runnable body, List<String> events, AtomicInteger lastOrderedReturned) {
      this.index = index;
      this.body = body;
      this.events = events;
      this.lastOrderedReturned = lastOrderedReturned;
    }

    @Override
    protected void work() {
      body.run();
      events.add("work " + index);
    }

    @Override
    protected void ordered() {
      int before = lastOrderedReturned.get();
      events.add("ordered " + index + " after " + before);
      lastOrderedReturned.set(index);
    }

    @Override
    protected void release() {
      events.add("release " + index);
    }
  }

  @Test
  void orderedStepWaitsForItsPredecessorEvenWhenLaterWorkFinishesFirst() throws Exception {
    OrderedWorkQueue q = cleanup.queue("order", 4);
    int n = 20;
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicInteger lastReturned = new AtomicInteger(-1);
    CountDownLatch othersDone = new CountDownLatch(n - 1);
    CountDownLatch allReleased = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      int index = i;
      Runnable body = index == 0
          ? () -> await(othersDone) // the first work finishes last
          : () -> {
            events.add("finished " + index);
            othersDone.countDown();
          };
      q.queue(new Sequenced(index, body, events, lastReturned) {
        @Override
        protected void release() {
          super.release();
          allReleased.countDown();
        }
      });
    }
    assertThat(allReleased.await(30, TimeUnit.SECONDS)).isTrue();

    List<String> ordered = events.stream().filter(e -> e.startsWith("ordered")).toList();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add("ordered " + i + " after " + (i - 1));
    }
    assertThat(ordered).containsExactlyElementsOf(expected);
    // every later work finished its work() before the first one did, yet waited for it
    for (int i = 1; i < n; i++) {
      assertThat(events.indexOf("work 0")).isGreaterThan(events.indexOf("finished " + i));
    }
    assertThat(events.indexOf("ordered 1 after 0")).isGreaterThan(events.indexOf("release 0"));
  }

  /** A work whose work() fills plain fields that its ordered() then checks. */
  static final class Writer extends OrderedWork {
    final int[] data = new int[64];
    int seed;
    boolean sawAll;
    final CountDownLatch done;

    Writer(int seed, CountDownLatch done) {
      this.seed = seed;
      this.done = done;
    }

    @Override
    protected void work() {
      for (int i = 0; i < data.length; i++) {
        data[i] = seed + i;
      }
    }

    @Override
    protected void ordered() {
      boolean ok = true;
      for (int i = 0; i < data.length; i++) {
        ok &= data[i] == seed + i;
      }
      sawAll = ok;
    }

    @Override
    protected void release() {
      done.countDown();
    }
  }

  @Test
  void orderedStepSeesEverythingWorkWrote() throws Exception {
    OrderedWorkQueue q = cleanup.queue("visibility", 4);
    int n = Stress.rounds(5_000);
    CountDownLatch done = new CountDownLatch(n);
    List<Writer> works = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Writer w = new Writer(i * 31, done);
      works.add(w);
      q.queue(w);
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(works).allSatisfy(w -> assertThat(w.sawAll).isTrue());
  }

  @Test
  void orderedAndReleaseRunExactlyOnceWhenManyWorkersFinishAtOnce() throws Exception {
    int threads = 8;
    OrderedWorkQueue q = cleanup.queue("stampede", threads);
    int rounds = Stress.rounds(200);
    for (int round = 0; round < rounds; round++) {
      CyclicBarrier finishTogether = new CyclicBarrier(threads);
      AtomicIntegerArray orderedRuns = new AtomicIntegerArray(threads);
      AtomicIntegerArray releaseRuns = new AtomicIntegerArray(threads);
      List<Integer> orderedSeq = new CopyOnWriteArrayList<>();
      CountDownLatch released = new CountDownLatch(threads);
      for (int i = 0; i < threads; i++) {
        int index = i;
        q.queue(new OrderedWork() {
          @Override
          protected void work() {
            try {
              finishTogether.await(30, TimeUnit.SECONDS); // all return from work() at once
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
              throw new AssertionError(e);
            }
          }

          @Override
          protected void ordered() {
            orderedRuns.incrementAndGet(index);
            orderedSeq.add(index);
          }

          @Override
          protected void release() {
            releaseRuns.incrementAndGet(index);
            released.countDown();
          }
        });
      }
      assertThat(released.await(30, TimeUnit.SECONDS)).as("round %s", round).isTrue();
      q.flush();
      for (int i = 0; i < threads; i++) {
        assertThat(orderedRuns.get(i)).as("ordered() runs of %s", i).isEqualTo(1);
        assertThat(releaseRuns.get(i)).as("release() runs of %s", i).isEqualTo(1);
      }
      assertThat(orderedSeq).isSorted().hasSize(threads);
    }
    assertThat(q.stats().failures()).isZero();
  }

  /** A work with no ordered step: it must not wait for anything queued before it. */
  static class Plain extends OrderedWork {
    final CountDownLatch released;

    Plain(CountDownLatch released) {
      this.released = released;
    }

    @Override
    protected void work() {}

    @Override
    protected void release() {
      released.countDown();
    }
  }

  @Test
  void worksWithoutOrderedStepNeverHoldUpTheList() throws Exception {
    OrderedWorkQueue q = cleanup.queue("skip", 4);
    CountDownLatch gate = cleanup.gate();
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicInteger last = new AtomicInteger(-1);
    q.queue(new Sequenced(0, () -> await(gate), events, last)); // blocks the ordered list
    CountDownLatch plainReleased = new CountDownLatch(10);
    for (int i = 0; i < 10; i++) {
      q.queue(new Plain(plainReleased));
    }
    CountDownLatch afterReleased = new CountDownLatch(1);
    q.queue(new Sequenced(1, () -> {}, events, last) {
      @Override
      protected void release() {
        afterReleased.countDown();
      }
    });

    // the plain works finish while work 0 still blocks the list
    assertThat(plainReleased.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(events).doesNotContain("work 0");
    assertThat(q.stats().orderedWaiting()).isEqualTo(2); // works 0 and 1 only: plain ones skip it

    gate.countDown();
    assertThat(afterReleased.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(events).containsSubsequence("ordered 0 after -1", "ordered 1 after 0");
  }

  @Test
  void subclassOfAWorkWithOrderedStepKeepsItsPlaceInTheList() throws Exception {
    OrderedWorkQueue q = cleanup.queue("inherit", 4);
    CountDownLatch gate = cleanup.gate();
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicInteger last = new AtomicInteger(-1);
    CountDownLatch released = new CountDownLatch(2);
    // an anonymous subclass that does not itself declare ordered(): still ordered
    q.queue(new Sequenced(0, () -> await(gate), events, last) {
      @Override
      protected void release() {
        released.countDown();
      }
    });
    q.queue(new Sequenced(1, () -> {}, events, last) {
      @Override
      protected void release() {
        released.countDown();
      }
    });
    assertThat(q.stats().orderedWaiting()).isEqualTo(2);
    gate.countDown();
    assertThat(released.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(events).containsSubsequence("ordered 0 after -1", "ordered 1 after 0");
  }

  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("gate not opened within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
