package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/HANGS.md, "recycled work": seed 003's "fix task hang under heavy compressed write". The
 * naive shape is an executor that, like the kernel's {@code find_worker_executing_work}, treats a
 * work whose identity is the one a worker is executing as a collision and defers it to that worker.
 * The worker running A's helper released A and, still "executing A", waits in B's ordered step for
 * C, a new work that reuses A's object: C is deferred to the waiting worker and never runs. Proven
 * with a bound, then cleaned up; {@link OrderedWorkQueue} runs the same scenario to completion.
 */
@Timeout(60)
class RecycledWorkHangTest {
  private static final long BOUND_MS = 1_000;

  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  /** A work item of the naive executor: a func plus btrfs-style ordered steps. */
  static class NaiveWork {
    Runnable func = () -> {};
    Runnable orderedFunc = () -> {};
    Runnable orderedFree = () -> {};
    volatile boolean done;
  }

  /**
   * Two threads, one shared queue, an ordered list run by whichever helper finishes a func, and
   * "is this work already executing?" decided by object identity (the kernel's collision check).
   */
  static final class IdentityCollisionExecutor {
    private final Deque<NaiveWork> queue = new ArrayDeque<>();
    private final List<NaiveWork> orderedList = new ArrayList<>();
    private final Map<Thread, NaiveWork> current = new ConcurrentHashMap<>();
    private final Map<Thread, Deque<NaiveWork>> deferred = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    IdentityCollisionExecutor() {
      for (int i = 0; i < 2; i++) {
        Thread t = new Thread(this::loop, "naive-kworker-" + i);
        deferred.put(t, new ArrayDeque<>());
        threads.add(t);
      }
      threads.forEach(Thread::start);
    }

    synchronized void queue(NaiveWork w, boolean ordered) {
      if (ordered) {
        orderedList.add(w);
      }
      queue.add(w);
      notifyAll();
    }

    private void loop() {
      Thread self = Thread.currentThread();
      while (!stop.get()) {
        NaiveWork w;
        synchronized (this) {
          w = deferred.get(self).poll();
          if (w == null) {
            w = queue.poll();
          }
          if (w == null) {
            try {
              wait(10);
            } catch (InterruptedException e) {
              return;
            }
            continue;
          }
          Thread owner = executorOf(w, self);
          if (owner != null) {
            deferred.get(owner).add(w); // "collision": it runs after the owner's current work
            continue;
          }
          current.put(self, w);
        }
        helper(w);
        current.remove(self);
      }
    }

    private Thread executorOf(NaiveWork w, Thread self) {
      for (Map.Entry<Thread, NaiveWork> e : current.entrySet()) {
        if (e.getKey() != self && e.getValue() == w) {
          return e.getKey();
        }
      }
      return null;
    }

    /** btrfs' normal_work_helper: the func, then every ordered step that is due. */
    private void helper(NaiveWork w) {
      w.func.run();
      w.done = true;
      for (;;) {
        NaiveWork head;
        synchronized (this) {
          if (orderedList.isEmpty() || !orderedList.get(0).done) {
            return;
          }
          head = orderedList.remove(0);
        }
        head.orderedFunc.run();
        head.orderedFree.run(); // may recycle head at once
      }
    }

    void shutdown() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
    }

    boolean anyAlive() {
      return threads.stream().anyMatch(Thread::isAlive);
    }
  }

  @Test
  void naiveExecutorSkipsARecycledWorkAsACollisionAndItsWaiterHangsUntilTheBound()
      throws Exception {
    IdentityCollisionExecutor naive = new IdentityCollisionExecutor();
    try {
      Deque<NaiveWork> freeList = new java.util.concurrent.ConcurrentLinkedDeque<>();
      CountDownLatch bFuncDone = new CountDownLatch(1);
      CountDownLatch cRan = new CountDownLatch(1);
      CountDownLatch bOrderedReturned = new CountDownLatch(1);
      AtomicBoolean cRanWithinBound = new AtomicBoolean(true);
      NaiveWork a = new NaiveWork();
      NaiveWork b = new NaiveWork();
      // One helper runs A and then, still holding A's identity, B's ordered step, as in the seed:
      // A's func returns only once the other helper has run B's func and let go of B, so that
      // helper cannot be the one to find A done and run the ordered steps itself.
      a.func = () -> {
        OrderedWorkQueueOrderTest.await(bFuncDone);
        await().atMost(30, TimeUnit.SECONDS).until(() -> !naive.current.containsValue(b));
      };
      a.orderedFree = () -> freeList.add(a); // A's memory is free for the next allocation
      b.func = bFuncDone::countDown;
      b.orderedFunc = () -> {
        NaiveWork c = freeList.poll(); // the "new" work C gets A's address
        assertThat(c).isSameAs(a);
        c.func = cRan::countDown;
        c.orderedFunc = () -> {};
        c.orderedFree = () -> {};
        naive.queue(c, false);
        try {
          cRanWithinBound.set(cRan.await(BOUND_MS, TimeUnit.MILLISECONDS)); // the hang
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        bOrderedReturned.countDown();
      };
      naive.queue(a, true);
      naive.queue(b, true);

      assertThat(bOrderedReturned.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(cRanWithinBound.get())
          .as("C ran while its waiter still held A's identity").isFalse();
      // once the waiter gives up and its helper returns, the deferred C finally runs
      assertThat(cRan.await(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      naive.shutdown();
    }
    assertThat(naive.anyAlive()).isFalse();
  }

  @Test
  void orderedWorkQueueRunsTheRecycledWorkWhileItsWaiterStillRunsInsideTheOldOne()
      throws Exception {
    OrderedWorkQueue q = cleanup.queue("no-collision", 2);
    java.util.concurrent.ConcurrentLinkedQueue<OrderedWorkRecyclingTest.Recyclable> freeList =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch bFinished = new CountDownLatch(1);
    CountDownLatch cRan = new CountDownLatch(1);
    CountDownLatch allDone = new CountDownLatch(3);
    AtomicBoolean cRanWithinBound = new AtomicBoolean();
    OrderedWorkRecyclingTest.Recyclable a =
        new OrderedWorkRecyclingTest.Recyclable("A", events, freeList, allDone);
    OrderedWorkRecyclingTest.Recyclable b =
        new OrderedWorkRecyclingTest.Recyclable("B", events, freeList, allDone) {
          @Override
          protected void ordered() {
            super.ordered();
            OrderedWorkRecyclingTest.Recyclable c = freeList.poll();
            assertThat(c).isSameAs(a);
            c.rename("C", cRan);
            q.queue(c);
            try {
              cRanWithinBound.set(cRan.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    a.gate = bFinished;
    b.onWork = bFinished::countDown;
    q.queue(a);
    q.queue(b);

    assertThat(allDone.await(40, TimeUnit.SECONDS)).as("events %s", events).isTrue();
    assertThat(cRanWithinBound.get()).isTrue();
    assertThat(events).containsSubsequence("release A", "ordered B", "work C", "release B",
        "ordered C", "release C");
  }
}
