package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 3, point 7: flush, drain and close. */
@Timeout(60)
class OrderedWorkQueueLifecycleTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  /** A work with an ordered step that runs {@code body} and counts its release. */
  static class Step extends OrderedWork {
    final Runnable body;
    final AtomicLong released;

    Step(Runnable body, AtomicLong released) {
      this.body = body;
      this.released = released;
    }

    @Override
    protected void work() {
      body.run();
    }

    @Override
    protected void ordered() {}

    @Override
    protected void release() {
      released.incrementAndGet();
    }
  }

  @Test
  void flushIsNotLivelockedByAProducerThatKeepsQueueing() throws Exception {
    OrderedWorkQueue q = cleanup.queue("flush-livelock", 3);
    CountDownLatch gate = cleanup.gate();
    AtomicLong releasedBefore = new AtomicLong();
    for (int i = 0; i < 5; i++) {
      q.queue(new Step(i == 0 ? () -> OrderedWorkQueueOrderTest.await(gate) : () -> {},
          releasedBefore));
    }
    AtomicBoolean produce = new AtomicBoolean(true);
    AtomicLong producedDuringFlush = new AtomicLong();
    AtomicLong releasedAfter = new AtomicLong();
    CountDownLatch producing = new CountDownLatch(100);
    Thread producer = new Thread(() -> {
      while (produce.get()) {
        // works queued after flush() began: each one keeps the queue non-empty
        q.queue(new Step(() -> {}, releasedAfter));
        producedDuringFlush.incrementAndGet();
        producing.countDown();
      }
    }, "endless-producer");
    AtomicReference<Boolean> flushed = new AtomicReference<>();
    Thread flusher = new Thread(() -> {
      try {
        flushed.set(q.flush(Duration.ofSeconds(30)));
      } catch (InterruptedException e) {
        flushed.set(false);
      }
    }, "flusher");
    try {
      flusher.start();
      // flush has closed its colour once the first work's colour cannot take new works; start the
      // producer only then, so everything it queues comes after the flush call
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> flusher.getState() == Thread.State.WAITING
              || flusher.getState() == Thread.State.TIMED_WAITING);
      producer.start();
      assertThat(producing.await(30, TimeUnit.SECONDS)).isTrue();
      gate.countDown(); // the work queued before flush() can finish now

      flusher.join(TimeUnit.SECONDS.toMillis(40));
      assertThat(flushed.get()).as("flush returned true while the producer kept going").isTrue();
      assertThat(producer.isAlive()).as("the producer was still queueing").isTrue();
      assertThat(releasedBefore.get()).isEqualTo(5);
    } finally {
      produce.set(false);
      producer.join(TimeUnit.SECONDS.toMillis(30));
      flusher.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(producedDuringFlush.get()).isPositive();
  }

  @Test
  void flushWaitsForTheReleaseOfEveryWorkQueuedBeforeIt() throws Exception {
    OrderedWorkQueue q = cleanup.queue("flush-waits", 2);
    CountDownLatch gate = cleanup.gate();
    AtomicLong released = new AtomicLong();
    CountDownLatch inRelease = new CountDownLatch(1);
    q.queue(new Step(() -> {}, released) {
      @Override
      protected void release() {
        inRelease.countDown();
        OrderedWorkQueueOrderTest.await(gate); // release() itself is slow
        super.release();
      }
    });
    assertThat(inRelease.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(q.flush(Duration.ofMillis(200))).as("flush before release() returned").isFalse();
    gate.countDown();
    q.flush();
    assertThat(released.get()).isEqualTo(1);
  }

  @Test
  void drainAcceptsChainedWorkAndRefusesOutsiders() throws Exception {
    OrderedWorkQueue q = cleanup.queue("drain", 3);
    CountDownLatch gate = cleanup.gate();
    CountDownLatch firstRunning = new CountDownLatch(1);
    AtomicInteger chained = new AtomicInteger();
    AtomicLong linkReleased = new AtomicLong();
    List<Throwable> chainErrors = new CopyOnWriteArrayList<>();
    int depth = 50;
    class Link extends Step {
      final int level;

      Link(int level, AtomicLong counter) {
        super(() -> {}, counter);
        this.level = level;
      }

      AtomicLong counter() {
        return released;
      }

      @Override
      protected void work() {
        if (level == 0) {
          firstRunning.countDown();
          OrderedWorkQueueOrderTest.await(gate);
        }
      }

      @Override
      protected void release() {
        super.release();
        if (level < depth) {
          try {
            q.queue(new Link(level + 1, counter())); // chained work: queued from this queue's own work
            chained.incrementAndGet();
          } catch (RuntimeException e) {
            chainErrors.add(e);
          }
        }
      }
    }
    q.queue(new Link(0, linkReleased));
    assertThat(firstRunning.await(30, TimeUnit.SECONDS)).isTrue();

    AtomicReference<Boolean> drained = new AtomicReference<>();
    Thread drainer = new Thread(() -> {
      try {
        drained.set(q.drain(Duration.ofSeconds(30)));
      } catch (InterruptedException e) {
        drained.set(false);
      }
    }, "drainer");
    drainer.start();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThatThrownBy(() -> q.queue(new Step(() -> {}, linkReleased)))
            .isInstanceOf(RejectedExecutionException.class)
            .hasMessageContaining("'drain'").hasMessageContaining("draining"));
    gate.countDown();
    drainer.join(TimeUnit.SECONDS.toMillis(40));

    assertThat(drained.get()).isTrue();
    assertThat(chainErrors).isEmpty();
    assertThat(chained.get()).isEqualTo(depth);
    assertThat(linkReleased.get()).isEqualTo(depth + 1);
    assertThat(q.stats().inFlight()).isZero();
    // after the drain the queue takes work again
    CountDownLatch after = new CountDownLatch(1);
    q.queue(new Step(after::countDown, linkReleased));
    assertThat(after.await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void closeRejectsNewWorkWithAClearExceptionAndStopsOnlyAnOwnedPool() throws Exception {
    OrderedWorkQueue owned = OrderedWorkQueue.builder("owned-q").maxActive(2).build();
    cleanup.queue(owned);
    WorkerPool shared = cleanup.pool("shared-pool", 2);
    OrderedWorkQueue onShared =
        cleanup.queue(OrderedWorkQueue.builder("shared-q").pool(shared).build());
    AtomicLong released = new AtomicLong();
    for (int i = 0; i < 20; i++) {
      owned.queue(new Step(() -> {}, released));
      onShared.queue(new Step(() -> {}, released));
    }
    owned.close();
    onShared.close();

    assertThat(released.get()).isEqualTo(40); // close drained first
    for (OrderedWorkQueue q : List.of(owned, onShared)) {
      assertThat(q.isClosed()).isTrue();
      assertThatThrownBy(() -> q.queue(new Step(() -> {}, released)))
          .isInstanceOf(RejectedExecutionException.class)
          .hasMessageContaining("'" + q.name() + "'").hasMessageContaining("closed");
      assertThatThrownBy(() -> q.queue(new Step(() -> {}, released), 1))
          .isInstanceOf(RejectedExecutionException.class);
      q.close(); // idempotent
    }
    assertThat(owned.pool().isTerminated()).isTrue();
    assertThat(shared.isStopped()).isFalse();
    CountDownLatch ran = new CountDownLatch(1);
    shared.execute(ran::countDown);
    assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void flushDrainAndCloseFromInsideAWorkRefuseToWaitForThemselves() throws Exception {
    OrderedWorkQueue q = cleanup.queue("self-wait", 2);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    q.queue(new OrderedWork() {
      @Override
      protected void work() {
        for (Waiting r : List.<Waiting>of(q::flush, q::drain, q::close)) {
          try {
            r.run();
          } catch (IllegalStateException e) {
            errors.add(e);
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        }
      }

      @Override
      protected void release() {
        done.countDown();
      }
    });
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(errors).hasSize(3).allSatisfy(
        e -> assertThat(e).hasMessageContaining("would wait for itself"));
  }

  @Test
  void queueingAWorkThatIsStillInAQueueReturnsFalseAndItRunsOnce() throws Exception {
    OrderedWorkQueue q = cleanup.queue("twice", 2);
    CountDownLatch gate = cleanup.gate();
    AtomicInteger runs = new AtomicInteger();
    AtomicLong released = new AtomicLong();
    Step w = new Step(() -> {
      runs.incrementAndGet();
      OrderedWorkQueueOrderTest.await(gate);
    }, released);
    assertThat(q.queue(w)).isTrue();
    assertThat(q.queue(w)).isFalse();
    assertThat(q.queue(w, 3)).isFalse();
    gate.countDown();
    q.flush();
    assertThat(runs.get()).isEqualTo(1);
    assertThat(released.get()).isEqualTo(1);
    assertThat(q.queue(w)).isTrue(); // released: free to go again
    q.flush();
    assertThat(runs.get()).isEqualTo(2);
  }

  /** flush(), drain() and close() as one shape: each may be interrupted (issue 9, point 5). */
  interface Waiting {
    void run() throws InterruptedException;
  }
}
