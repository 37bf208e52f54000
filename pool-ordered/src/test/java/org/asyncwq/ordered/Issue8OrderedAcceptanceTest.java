package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
 * Issue 8, "what must be true" 1, second half, as an outside user checks it: an {@link
 * OrderedWorkQueue} on a shared {@link WorkerPool} built with default settings (no placement knobs)
 * survives issue 3 point 4's two-queue recycled-work scenario: a handful of {@link OrderedWork}
 * objects reused for a million submissions across two queues of that pool, and an {@code ordered()}
 * that queues a new work (a just-released object) on the second queue and waits for it. Nothing
 * hangs (every wait is bounded), nothing runs twice, order holds.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Issue8OrderedAcceptanceTest {
  private static final long BOUND_S = 10;

  private final List<WorkerPool> pools = new ArrayList<>();
  private final List<OrderedWorkQueue> queues = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (OrderedWorkQueue q : queues) {
      q.close(Duration.ofSeconds(BOUND_S));
    }
    for (WorkerPool p : pools) {
      p.stopNow();
      assertThat(p.awaitTermination(Duration.ofSeconds(20))).isTrue();
    }
  }

  private OrderedWorkQueue queueOn(WorkerPool pool, String name) {
    OrderedWorkQueue q = OrderedWorkQueue.builder(name).pool(pool).build();
    queues.add(q);
    return q;
  }

  /** One queue's tickets, handed out in queue order by whoever queues on it (one at a time). */
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

  /** Queued again from its own release(), on the other queue, until the budget is spent. */
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

    void submit(int target) {
      Lane l = lanes[target];
      lane = target;
      ticket = l.nextTicket++;
      if (!l.queue.queue(this)) {
        l.errors.add("queue() refused a released work");
      }
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
        submit(1 - lane); // only this lane's one ordered runner queues on the other lane
      } else {
        finished.countDown();
      }
    }
  }

  @Test
  void eightWorksRecycledForAMillionSubmissionsAcrossTwoQueuesOfADefaultSharedPool()
      throws Exception {
    WorkerPool shared = WorkerPool.builder("acc-shared").build(); // default settings
    pools.add(shared);
    Lane[] lanes = {new Lane(queueOn(shared, "acc-fs-a")), new Lane(queueOn(shared, "acc-fs-b"))};
    int objects = 8;
    long total = 1_000_000L;
    AtomicLong budget = new AtomicLong(total - objects);
    CountDownLatch finished = new CountDownLatch(objects);
    List<Bouncer> bouncers = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      bouncers.add(new Bouncer(lanes, budget, finished));
    }
    shared.freeze(); // seed both lanes before any release() queues on them
    for (int i = 0; i < objects; i++) {
      bouncers.get(i).submit(i % 2);
    }
    shared.thaw();

    assertThat(finished.await(100, TimeUnit.SECONDS))
        .as("no hang: lanes at %s / %s", lanes[0].queue.stats(), lanes[1].queue.stats())
        .isTrue();
    for (Lane l : lanes) {
      assertThat(l.queue.flush(Duration.ofSeconds(BOUND_S))).isTrue();
      assertThat(l.errors).isEmpty();
      assertThat(l.works.get()).as("each submission's work() ran once").isEqualTo(l.nextTicket);
      assertThat(l.expectedOrdered).isEqualTo(l.nextTicket);
      assertThat(l.expectedRelease).isEqualTo(l.nextTicket);
    }
    assertThat(lanes[0].nextTicket + lanes[1].nextTicket).isEqualTo(total);
  }

  /** An ordered work that records its steps and goes back to a free list when released. */
  static class Step extends OrderedWork {
    private final List<String> events;
    private final ConcurrentLinkedQueue<Step> freeList;
    private final CountDownLatch released;
    volatile String name;
    volatile Runnable before;
    volatile Runnable after;

    Step(String name, List<String> events, ConcurrentLinkedQueue<Step> freeList,
        CountDownLatch released) {
      this.name = name;
      this.events = events;
      this.freeList = freeList;
      this.released = released;
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

  private static boolean within(CountDownLatch latch) {
    try {
      return latch.await(BOUND_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Seed 003's 2019 two-filesystem shape, 1,000 rounds on one shared pool of two threads and no
   * other setting: A's work() returns only after B's, so A's thread runs the ordered steps of A and
   * B; B's ordered() takes A's just-released object as the new work C, queues it on the second
   * queue and waits for it. C must run on the pool's other thread, not wait behind the waiter.
   */
  @Test
  void orderedStepThatQueuesARecycledWorkOnTheSecondQueueAndWaitsForItNeverHangs()
      throws Exception {
    WorkerPool shared = WorkerPool.builder("acc-helper").maxWorkers(2).build();
    pools.add(shared);
    OrderedWorkQueue first = queueOn(shared, "acc-fs-1");
    OrderedWorkQueue second = queueOn(shared, "acc-fs-2");
    for (int round = 0; round < 1_000; round++) {
      ConcurrentLinkedQueue<Step> freeList = new ConcurrentLinkedQueue<>();
      List<String> events = new CopyOnWriteArrayList<>();
      List<String> stranded = new CopyOnWriteArrayList<>();
      CountDownLatch bWorked = new CountDownLatch(1);
      CountDownLatch cRan = new CountDownLatch(1);
      CountDownLatch released = new CountDownLatch(3); // A, B, then C (A's object again)
      Step a = new Step("A", events, freeList, released);
      Step b =
          new Step("B", events, freeList, released) {
            @Override
            protected void ordered() {
              super.ordered();
              Step c = freeList.poll(); // A's object, released a moment ago on this thread
              if (c != a) {
                stranded.add("A's object was not on the free list");
                return;
              }
              c.name = "C";
              c.before = null;
              c.after = cRan::countDown;
              second.queue(c);
              if (!within(cRan)) {
                stranded.add("C, queued on the second queue from B's ordered(), did not run");
              }
            }
          };
      a.before = () -> {
        if (!within(bWorked)) {
          stranded.add("B's work() did not run while A's work() waited for it");
        }
      };
      b.after = bWorked::countDown;

      assertThat(first.queue(a)).isTrue();
      assertThat(first.queue(b)).isTrue();

      assertThat(released.await(4 * BOUND_S, TimeUnit.SECONDS))
          .as("round %d: A, B and C released; events %s", round, events)
          .isTrue();
      assertThat(stranded).as("round %d; events %s", round, events).isEmpty();
      assertThat(events).containsSubsequence("work A", "ordered A", "release A", "ordered B",
          "work C", "release B");
      assertThat(events).containsSubsequence("work C", "ordered C", "release C");
      assertThat(events.stream().filter(e -> e.startsWith("work "))).hasSize(3);
    }
  }
}
