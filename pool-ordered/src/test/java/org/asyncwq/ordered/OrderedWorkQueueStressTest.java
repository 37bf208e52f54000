package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3, point 9: stop, flush and drain racing with completion lose nothing. Short in the
 * default build; {@code -Pstress} multiplies the rounds by {@code asyncwq.stress}.
 */
@Timeout(120)
class OrderedWorkQueueStressTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  /** A work that counts each of its steps in per-slot arrays, so a repeat or a loss shows. */
  static final class Counted extends OrderedWork {
    final int slot;
    final AtomicIntegerArray works;
    final AtomicIntegerArray cancels;
    final AtomicIntegerArray releases;
    final boolean withOrderedStep;

    Counted(int slot, AtomicIntegerArray works, AtomicIntegerArray cancels,
        AtomicIntegerArray releases, boolean withOrderedStep) {
      this.slot = slot;
      this.works = works;
      this.cancels = cancels;
      this.releases = releases;
      this.withOrderedStep = withOrderedStep;
    }

    @Override
    protected void work() {
      works.incrementAndGet(slot);
    }

    @Override
    protected void cancelled(Throwable cause) {
      cancels.incrementAndGet(slot);
    }

    @Override
    protected void release() {
      releases.incrementAndGet(slot);
    }
  }

  /** The same with an ordered step, so it goes through the ordered list. */
  static final class CountedOrdered extends OrderedWork {
    final Counted inner;

    CountedOrdered(Counted inner) {
      this.inner = inner;
    }

    @Override
    protected void work() {
      inner.work();
    }

    @Override
    protected void ordered() {}

    @Override
    protected void cancelled(Throwable cause) {
      inner.cancelled(cause);
    }

    @Override
    protected void release() {
      inner.release();
    }
  }

  static final class Tally {
    final AtomicIntegerArray works;
    final AtomicIntegerArray cancels;
    final AtomicIntegerArray releases;

    Tally(int n) {
      works = new AtomicIntegerArray(n);
      cancels = new AtomicIntegerArray(n);
      releases = new AtomicIntegerArray(n);
    }

    OrderedWork work(int slot) {
      Counted c = new Counted(slot, works, cancels, releases, slot % 2 == 0);
      return c.withOrderedStep ? new CountedOrdered(c) : c;
    }

    /** Every accepted slot ran or was cancelled exactly once and was released exactly once. */
    void assertDisposedOnce(boolean[] accepted) {
      for (int i = 0; i < accepted.length; i++) {
        int expected = accepted[i] ? 1 : 0;
        assertThat(works.get(i) + cancels.get(i)).as("work/cancel of slot %s", i)
            .isEqualTo(expected);
        assertThat(releases.get(i)).as("release of slot %s", i).isEqualTo(expected);
      }
    }
  }

  @Test
  void flushRacingWithCompletionWaitsForEveryEarlierWork() throws Exception {
    OrderedWorkQueue q = cleanup.queue("flush-race", 4);
    int producers = 2;
    int perProducer = Stress.rounds(20_000);
    Tally tally = new Tally(producers * perProducer);
    AtomicLong[] queuedSoFar = {new AtomicLong(), new AtomicLong()};
    AtomicInteger flushes = new AtomicInteger();
    List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
    CyclicBarrier start = new CyclicBarrier(producers + 1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      threads.add(new Thread(() -> {
        awaitBarrier(start);
        for (int i = 0; i < perProducer; i++) {
          q.queue(tally.work(producer * perProducer + i), i % 7 == 0 ? i % 3 : Long.MIN_VALUE);
          queuedSoFar[producer].set(i + 1);
        }
      }, "producer-" + p));
    }
    Thread flusher = new Thread(() -> {
      awaitBarrier(start);
      while (queuedSoFar[0].get() < perProducer || queuedSoFar[1].get() < perProducer) {
        long[] before = {queuedSoFar[0].get(), queuedSoFar[1].get()};
        boolean flushed;
        try {
          flushed = q.flush(Duration.ofSeconds(60));
        } catch (InterruptedException e) {
          violations.add("flush interrupted");
          return;
        }
        if (!flushed) {
          violations.add("flush timed out");
          return;
        }
        flushes.incrementAndGet();
        for (int p = 0; p < producers; p++) {
          for (long i = 0; i < before[p]; i++) {
            if (tally.releases.get((int) (p * perProducer + i)) != 1) {
              violations.add("flush returned before work " + p + "/" + i + " was released");
              return;
            }
          }
        }
      }
    }, "flusher");
    threads.forEach(Thread::start);
    flusher.start();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(90));
    }
    flusher.join(TimeUnit.SECONDS.toMillis(90));
    q.flush();

    assertThat(violations).isEmpty();
    assertThat(flushes.get()).isPositive();
    boolean[] all = new boolean[producers * perProducer];
    java.util.Arrays.fill(all, true);
    tally.assertDisposedOnce(all);
  }

  @Test
  void drainRacingWithChainedWorkAndOutsidersLosesNothing() throws Exception {
    OrderedWorkQueue q = cleanup.queue("drain-race", 4);
    int rounds = Stress.rounds(30);
    for (int round = 0; round < rounds; round++) {
      int outsiders = 400;
      int chainLength = 20;
      Tally tally = new Tally(outsiders + outsiders * chainLength);
      boolean[] accepted = new boolean[outsiders + outsiders * chainLength];
      AtomicInteger chainSlot = new AtomicInteger(outsiders);
      Thread producer = new Thread(() -> {
        for (int i = 0; i < outsiders; i++) {
          int slot = i;
          int length = chainLength;
          OrderedWork w = new Chaining(tally, slot, length, chainSlot, accepted, q);
          try {
            accepted[slot] = q.queue(w);
          } catch (RejectedExecutionException e) {
            accepted[slot] = false; // refused while draining: must never run
          }
        }
      }, "outsider");
      producer.start();
      assertThat(q.drain(Duration.ofSeconds(60))).isTrue();
      producer.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(q.drain(Duration.ofSeconds(60))).isTrue();
      synchronized (accepted) {
        tally.assertDisposedOnce(accepted);
      }
      assertThat(q.stats().inFlight()).isZero();
    }
  }

  /** An outsider work whose release() queues a chain of works, each from the previous one. */
  static final class Chaining extends OrderedWork {
    final Tally tally;
    final int slot;
    final int remaining;
    final AtomicInteger nextSlot;
    final boolean[] accepted;
    final OrderedWorkQueue q;

    Chaining(Tally tally, int slot, int remaining, AtomicInteger nextSlot, boolean[] accepted,
        OrderedWorkQueue q) {
      this.tally = tally;
      this.slot = slot;
      this.remaining = remaining;
      this.nextSlot = nextSlot;
      this.accepted = accepted;
      this.q = q;
    }

    @Override
    protected void work() {
      tally.works.incrementAndGet(slot);
    }

    @Override
    protected void ordered() {}

    @Override
    protected void release() {
      tally.releases.incrementAndGet(slot);
      if (remaining > 0) {
        int next = nextSlot.getAndIncrement();
        boolean ok = q.queue(new Chaining(tally, next, remaining - 1, nextSlot, accepted, q));
        synchronized (accepted) {
          accepted[next] = ok; // chained work is accepted even while draining
        }
      }
    }
  }

  @Test
  void closeRacingWithProducersLosesNothing() throws Exception {
    int rounds = Stress.rounds(20);
    for (int round = 0; round < rounds; round++) {
      OrderedWorkQueue q = cleanup.queue("close-race-" + round, 3);
      int n = 2_000;
      Tally tally = new Tally(n);
      boolean[] accepted = new boolean[n];
      CyclicBarrier start = new CyclicBarrier(2);
      Thread producer = new Thread(() -> {
        awaitBarrier(start);
        for (int i = 0; i < n; i++) {
          try {
            accepted[i] = q.queue(tally.work(i), i % 5 == 0 ? i % 4 : Long.MIN_VALUE + i);
          } catch (RejectedExecutionException e) {
            accepted[i] = false;
          }
        }
      }, "producer");
      producer.start();
      awaitBarrier(start);
      q.close();
      producer.join(TimeUnit.SECONDS.toMillis(60));

      tally.assertDisposedOnce(accepted);
      assertThat(q.pool().isTerminated()).isTrue();
      OrderedQueueStats stats = q.stats();
      assertThat(stats.completed()).isEqualTo(stats.queued());
    }
  }

  @Test
  void sharedPoolStopNowRacingWithCompletionLosesNothing() throws Exception {
    int rounds = Stress.rounds(20);
    for (int round = 0; round < rounds; round++) {
      WorkerPool pool = cleanup.pool(WorkerPool.builder("stop-race-" + round).maxWorkers(3)
          .build());
      OrderedWorkQueue q =
          cleanup.queue(OrderedWorkQueue.builder("stop-race-q-" + round).pool(pool).build());
      int n = 2_000;
      Tally tally = new Tally(n);
      boolean[] accepted = new boolean[n];
      CyclicBarrier start = new CyclicBarrier(2);
      Thread producer = new Thread(() -> {
        awaitBarrier(start);
        for (int i = 0; i < n; i++) {
          try {
            accepted[i] = q.queue(tally.work(i), i % 3 == 0 ? i % 2 : Long.MAX_VALUE - i);
          } catch (RejectedExecutionException e) {
            accepted[i] = false;
          }
        }
      }, "producer");
      producer.start();
      awaitBarrier(start);
      pool.stopNow();
      producer.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(q.drain(Duration.ofSeconds(60))).as("%s", q.stats()).isTrue();

      tally.assertDisposedOnce(accepted);
      assertThat(pool.awaitTermination(Duration.ofSeconds(30))).isTrue();
    }
  }

  private static void awaitBarrier(CyclicBarrier barrier) {
    try {
      barrier.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
