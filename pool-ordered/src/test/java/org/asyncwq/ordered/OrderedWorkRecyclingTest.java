package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3, point 4: recycling a released work is safe (seed 003's "fix task hang under heavy
 * compressed write", and the 2019 variant where two filesystems' queues shared one helper).
 */
@Timeout(120)
class OrderedWorkRecyclingTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  /** Per-queue bookkeeping: tickets are handed out in queue order by the one thread queueing. */
  static final class Lane {
    final OrderedWorkQueue queue;
    long nextTicket;
    long expectedOrdered;
    long expectedRelease;
    final AtomicLong works = new AtomicLong();
    final List<String> errors = new CopyOnWriteArrayList<>();

    Lane(OrderedWorkQueue queue) {
      this.queue = queue;
    }
  }

  /**
   * A work that is queued again from its own release(), on the other lane, until the budget is
   * spent. Each round carries a ticket; ordered() and release() must see the tickets of their
   * lane one after another, with no gap and no repeat.
   */
  static final class Bouncer extends OrderedWork {
    final Lane[] lanes;
    final AtomicLong budget;
    final CountDownLatch finished;
    final AtomicInteger inWork = new AtomicInteger();
    int lane;
    long ticket;

    Bouncer(Lane[] lanes, AtomicLong budget, CountDownLatch finished) {
      this.lanes = lanes;
      this.budget = budget;
      this.finished = finished;
    }

    /** Queues this work on {@code target}; callers are serialized per lane (see the test). */
    void submit(int target) {
      Lane l = lanes[target];
      lane = target;
      ticket = l.nextTicket++;
      assertThat(l.queue.queue(this)).isTrue();
    }

    @Override
    protected void work() {
      if (inWork.getAndIncrement() != 0) {
        lanes[lane].errors.add("work() of one object ran twice at once");
      }
      lanes[lane].works.incrementAndGet();
      inWork.decrementAndGet();
    }

    @Override
    protected void ordered() {
      Lane l = lanes[lane];
      if (ticket != l.expectedOrdered++) {
        l.errors.add("ordered() saw ticket " + ticket + ", expected " + (l.expectedOrdered - 1));
      }
    }

    @Override
    protected void release() {
      Lane l = lanes[lane];
      if (ticket != l.expectedRelease++) {
        l.errors.add("release() saw ticket " + ticket + ", expected " + (l.expectedRelease - 1));
      }
      if (budget.decrementAndGet() >= 0) {
        // Queued again from inside its own release(), on the other lane. Only this lane's single
        // ordered runner queues on the other lane, and it does so in ticket order.
        submit(1 - lane);
      } else {
        finished.countDown();
      }
    }
  }

  /**
   * A handful of works recycled for a long run of submissions across two queues that share one
   * pool: a million submissions in the default build, five million under {@code -Pstress}.
   */
  @Test
  void handfulOfWorksRecycledForAMillionSubmissionsAcrossTwoQueuesNeverHangNorRunTwice()
      throws Exception {
    WorkerPool shared = cleanup.pool(
        WorkerPool.builder("shared-helper").maxWorkers(4)
            .build());
    // Two queues on one pool: the 2019 shape, where two filesystems' works shared one helper.
    Lane[] lanes = {
      new Lane(cleanup.queue(OrderedWorkQueue.builder("fs-a").pool(shared).build())),
      new Lane(cleanup.queue(OrderedWorkQueue.builder("fs-b").pool(shared).build()))
    };
    int objects = 8;
    long total = 1_000_000L * Math.min(Stress.factor(), 5);
    AtomicLong budget = new AtomicLong(total - objects);
    CountDownLatch finished = new CountDownLatch(objects);
    List<Bouncer> bouncers = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      bouncers.add(new Bouncer(lanes, budget, finished));
    }
    // Seed both lanes before any release() can queue on them (the frozen pool starts nothing).
    shared.freeze();
    for (int i = 0; i < objects; i++) {
      bouncers.get(i).submit(i % 2);
    }
    shared.thaw();

    assertThat(finished.await(100, TimeUnit.SECONDS))
        .as("all recycled works finished; lanes at %s / %s", lanes[0].queue.stats(),
            lanes[1].queue.stats())
        .isTrue();
    for (Lane l : lanes) {
      l.queue.flush();
      assertThat(l.errors).isEmpty();
      assertThat(l.works.get()).isEqualTo(l.nextTicket);
      assertThat(l.expectedOrdered).isEqualTo(l.nextTicket);
      assertThat(l.expectedRelease).isEqualTo(l.nextTicket);
    }
    assertThat(lanes[0].nextTicket + lanes[1].nextTicket).isEqualTo(total);
  }

  /**
   * Seed 003's exact shape: the thread that runs work A's run() goes on to run the ordered steps
   * of the works after A. A is released (and handed back to a free list) while that thread is
   * still inside A's run(); B's ordered() then takes A's object from the free list as "new" work
   * C, queues it, and waits for it. The kernel, which still believed A in progress at that
   * address, skipped C and hung. Here C runs. Both on the same queue and on a second queue that
   * shares the pool (the 2019 variant).
   */
  @Test
  void orderedStepThatQueuesARecycledWorkAndWaitsForItDoesNotHang() throws Exception {
    WorkerPool shared = cleanup.pool(
        WorkerPool.builder("helper").maxWorkers(3).build());
    OrderedWorkQueue first = cleanup.queue(OrderedWorkQueue.builder("first").pool(shared).build());
    OrderedWorkQueue second =
        cleanup.queue(OrderedWorkQueue.builder("second").pool(shared).build());
    for (OrderedWorkQueue target : List.of(first, second)) {
      for (int round = 0; round < Stress.rounds(20); round++) {
        runSeed003Round(first, target);
      }
    }
  }

  private void runSeed003Round(OrderedWorkQueue queue, OrderedWorkQueue recycleOnto)
      throws Exception {
    ConcurrentLinkedQueue<Recyclable> freeList = new ConcurrentLinkedQueue<>();
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch bFinished = new CountDownLatch(1);
    CountDownLatch cRan = new CountDownLatch(1);
    CountDownLatch allDone = new CountDownLatch(3); // A, B, then C (A's object again)
    Recyclable a = new Recyclable("A", events, freeList, allDone);
    Recyclable b = new Recyclable("B", events, freeList, allDone) {
      @Override
      protected void ordered() {
        super.ordered();
        Recyclable c = freeList.poll(); // A's object, released a moment ago on this very thread
        assertThat(c).isSameAs(a);
        c.rename("C", cRan);
        recycleOnto.queue(c);
        try {
          waitedOk = cRan.await(30, TimeUnit.SECONDS); // the kernel hung here
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    a.gate = bFinished; // A's work() returns only after B's, so one runner takes A then B
    b.onWork = bFinished::countDown;
    queue.queue(a);
    queue.queue(b);
    assertThat(allDone.await(60, TimeUnit.SECONDS)).as("events %s", events).isTrue();
    assertThat(b.waitedOk).as("B's ordered() saw C run").isTrue();
    assertThat(events).containsSubsequence("work A", "ordered A", "release A", "ordered B",
        "work C", "release B");
    assertThat(events).containsSubsequence("work C", "ordered C", "release C");
    if (recycleOnto == queue) {
      assertThat(events).containsSubsequence("release B", "ordered C"); // C queued after B
    }
    assertThat(events.stream().filter(e -> e.startsWith("work"))).hasSize(3);
  }

  static class Recyclable extends OrderedWork {
    private volatile String name;
    private final List<String> events;
    private final ConcurrentLinkedQueue<Recyclable> freeList;
    private final CountDownLatch done;
    volatile CountDownLatch gate;
    volatile Runnable onWork = () -> {};
    volatile boolean waitedOk;

    Recyclable(String name, List<String> events, ConcurrentLinkedQueue<Recyclable> freeList,
        CountDownLatch done) {
      this.name = name;
      this.events = events;
      this.freeList = freeList;
      this.done = done;
    }

    void rename(String newName, CountDownLatch ran) {
      this.name = newName;
      this.gate = null;
      this.onWork = ran::countDown;
    }

    @Override
    protected void work() {
      CountDownLatch g = gate;
      if (g != null) {
        OrderedWorkQueueOrderTest.await(g);
      }
      events.add("work " + name);
      onWork.run();
    }

    @Override
    protected void ordered() {
      events.add("ordered " + name);
    }

    @Override
    protected void release() {
      events.add("release " + name);
      freeList.add(this); // back to the free list: may be reused at once
      done.countDown();
    }
  }
}
