package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, "what must be true" 1, second half: two {@link OrderedWorkQueue}s on one shared pool
 * built with default settings (nothing but {@code maxWorkers(2)}, no placement knobs) survive the
 * two-queue recycled-work scenario of issue 3 point 4 (seed 003's 2019 two-filesystem shape).
 *
 * <p>Each round: A and B on the first queue; A's {@code work()} returns only after B's has, so the
 * thread that ran A also runs the ordered steps of A and B. B's {@code ordered()} takes A's object
 * back from the free list as the "new" work C, queues it on the <em>second</em> queue of the same
 * pool and waits for it. A pool that parks C behind the thread waiting for it strands C: every wait
 * here is bounded, so that shows as a failed round, never as a hung build.
 */
@Timeout(120)
class DefaultSharedPoolRecycledWorkHangTest {
  private static final long BOUND_S = 5;

  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  @Test
  void orderedStepWaitingForWorkItQueuedOnASecondQueueOfADefaultSharedPoolNeverStrandsIt()
      throws Exception {
    WorkerPool shared = cleanup.pool(WorkerPool.builder("fs-helper").maxWorkers(2).build());
    OrderedWorkQueue first = cleanup.queue(OrderedWorkQueue.builder("fs-1").pool(shared).build());
    OrderedWorkQueue second = cleanup.queue(OrderedWorkQueue.builder("fs-2").pool(shared).build());
    for (int round = 0; round < Stress.rounds(100); round++) {
      runRound(round, first, second);
    }
  }

  private void runRound(int round, OrderedWorkQueue queue, OrderedWorkQueue other)
      throws Exception {
    ConcurrentLinkedQueue<Step> freeList = new ConcurrentLinkedQueue<>();
    List<String> events = new CopyOnWriteArrayList<>();
    List<String> stranded = new CopyOnWriteArrayList<>();
    CountDownLatch bWorked = cleanup.gate();
    CountDownLatch cRan = cleanup.gate();
    CountDownLatch released = new CountDownLatch(3); // A, B, then C (A's object again)
    Step a = new Step("A", events, freeList, released);
    Step b =
        new Step("B", events, freeList, released) {
          @Override
          protected void ordered() {
            super.ordered();
            Step c = freeList.poll(); // A's object, released a moment ago on this very thread
            assertThat(c).isSameAs(a);
            c.reuseAs("C", cRan::countDown, null);
            other.queue(c);
            if (!awaitBounded(cRan)) {
              stranded.add("C, queued on " + other.name() + " from B's ordered(), did not run");
            }
          }
        };
    a.before =
        () -> {
          if (!awaitBounded(bWorked)) {
            stranded.add("B's work() did not run while A's work() waited for it");
          }
        };
    b.after = bWorked::countDown;

    queue.queue(a);
    queue.queue(b);

    assertThat(released.await(4 * BOUND_S, TimeUnit.SECONDS))
        .as("round %d: A, B and C released; events %s", round, events)
        .isTrue();
    assertThat(stranded).as("round %d: stranded works; events %s", round, events).isEmpty();
    assertThat(events).containsSubsequence("work A", "ordered A", "release A", "ordered B",
        "work C", "release B");
    assertThat(events).containsSubsequence("work C", "ordered C", "release C");
    assertThat(events.stream().filter(e -> e.startsWith("work "))).hasSize(3);
  }

  private static boolean awaitBounded(CountDownLatch latch) {
    try {
      return latch.await(BOUND_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** An ordered work that records its steps and goes back to a free list when released. */
  static class Step extends OrderedWork {
    private final List<String> events;
    private final ConcurrentLinkedQueue<Step> freeList;
    private final CountDownLatch released;
    private volatile String name;
    volatile Runnable before;
    volatile Runnable after;

    Step(String name, List<String> events, ConcurrentLinkedQueue<Step> freeList,
        CountDownLatch released) {
      this.name = name;
      this.events = events;
      this.freeList = freeList;
      this.released = released;
    }

    void reuseAs(String newName, Runnable newAfter, Runnable newBefore) {
      name = newName;
      after = newAfter;
      before = newBefore;
    }

    @Override
    protected void work() {
      Runnable b = before;
      if (b != null) {
        b.run();
      }
      events.add("work " + name);
      Runnable a = after;
      if (a != null) {
        a.run();
      }
    }

    @Override
    protected void ordered() {
      events.add("ordered " + name);
    }

    @Override
    protected void release() {
      events.add("release " + name);
      freeList.add(this); // may be reused at once
      released.countDown();
    }
  }
}
