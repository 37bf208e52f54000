package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, point 5: {@code flush()}, {@code drain()} and {@code close()} wait interruptibly, as the
 * JDK's blocking methods do: an interrupt ends the wait with {@link InterruptedException}, so one
 * stuck work cannot hold the caller for good.
 */
@Timeout(60)
class InterruptibleWaitsTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  /** Starts {@code wait} on a thread, interrupts it once it waits, returns what ended it. */
  private static Throwable interruptWhileWaiting(String name, Waiting wait) throws Exception {
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    CountDownLatch ended = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        wait.run();
        outcome.set(new AssertionError(name + " returned normally"));
      } catch (Throwable e) {
        outcome.set(e);
      } finally {
        ended.countDown();
      }
    }, name);
    t.start();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> t.getState() == Thread.State.WAITING
            || t.getState() == Thread.State.TIMED_WAITING);
    t.interrupt();
    boolean done = ended.await(5, TimeUnit.SECONDS);
    assertThat(done).as("%s still waiting 5 s after its interrupt", name).isTrue();
    return outcome.get();
  }

  interface Waiting {
    void run() throws Exception;
  }

  private OrderedWorkQueue stuckQueue(String name, CountDownLatch gate) throws Exception {
    OrderedWorkQueue q = cleanup.queue(name, 2);
    CountDownLatch started = new CountDownLatch(1);
    q.queue(new OrderedWork() {
      @Override
      protected void work() {
        started.countDown();
        OrderedWorkQueueOrderTest.await(gate);
      }
    });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    return q;
  }

  @Test
  void anInterruptEndsAFlushBehindAStuckWorkWithInterruptedException() throws Exception {
    CountDownLatch gate = cleanup.gate();
    OrderedWorkQueue q = stuckQueue("flush-interrupt", gate);
    assertThat(interruptWhileWaiting("flusher", q::flush)).isInstanceOf(InterruptedException.class);
  }

  @Test
  void anInterruptEndsADrainBehindAStuckWorkWithInterruptedException() throws Exception {
    CountDownLatch gate = cleanup.gate();
    OrderedWorkQueue q = stuckQueue("drain-interrupt", gate);
    assertThat(interruptWhileWaiting("drainer", q::drain)).isInstanceOf(InterruptedException.class);
  }

  @Test
  void anInterruptEndsACloseBehindAStuckWorkWithInterruptedException() throws Exception {
    CountDownLatch gate = cleanup.gate();
    OrderedWorkQueue q = stuckQueue("close-interrupt", gate);
    assertThat(interruptWhileWaiting("closer", q::close)).isInstanceOf(InterruptedException.class);
  }

  @Test
  void timedFlushDrainAndCloseReturnFalseBehindAStuckWorkAndCloseFinishesLater() throws Exception {
    CountDownLatch gate = cleanup.gate();
    OrderedWorkQueue q = stuckQueue("timed-waits", gate);
    java.time.Duration shortly = java.time.Duration.ofMillis(50);
    assertThat(q.flush(shortly)).isFalse();
    assertThat(q.drain(shortly)).isFalse();
    assertThat(q.close(shortly)).isFalse();
    // the close began: outsiders are refused, though the queue is not closed yet
    assertThat(q.isClosed()).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.queue(new OrderedWork() {
      @Override
      protected void work() {}
    })).isInstanceOf(java.util.concurrent.RejectedExecutionException.class)
        .hasMessageContaining("closing");
    gate.countDown();
    assertThat(q.close(java.time.Duration.ofSeconds(30))).isTrue();
    assertThat(q.isClosed()).isTrue();
    assertThat(q.pool().isTerminated()).isTrue();
  }

  @Test
  void aWaitCalledWithTheInterruptStatusSetThrowsAtOnce() throws Exception {
    CountDownLatch gate = cleanup.gate();
    OrderedWorkQueue q = stuckQueue("pre-interrupted", gate);
    Thread.currentThread().interrupt();
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(q::flush)
          .isInstanceOf(InterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isFalse(); // cleared, as the JDK does
    } finally {
      Thread.interrupted();
    }
  }
}
