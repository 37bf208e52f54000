package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.asyncwq.ordered.OrderedWork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 9, point 5 on {@link WorkQueue}: timed and interruptible flush and close. */
@Timeout(60)
class WorkQueueWaitsTest extends QueueFixture {
  private Step stuck(boolean high) throws InterruptedException {
    Step s = new Step(0, gate, log, running, peak);
    if (high) {
      queue.queueHigh(s);
    } else {
      queue.queue(s);
    }
    assertThat(s.started.await(10, TimeUnit.SECONDS)).isTrue();
    return s;
  }

  @Test
  void timedFlushAndCloseReturnFalseWhileAWorkIsStuckOnEitherLane() throws Exception {
    queue = WorkQueue.builder("timed").limitActive(2).highPriority(true).build();
    stuck(true);
    assertThat(queue.flush(Duration.ofMillis(50))).isFalse();
    assertThat(queue.close(Duration.ofMillis(50))).isFalse();
    gate.countDown();
    assertThat(queue.close(Duration.ofSeconds(30))).isTrue();
    assertThat(queue.stats().high().pool().workers()).isZero();
  }

  @Test
  void anInterruptEndsACloseBehindAStuckWork() throws Exception {
    queue = WorkQueue.builder("interrupted").limitActive(2).build();
    stuck(false);
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    CountDownLatch ended = new CountDownLatch(1);
    Thread closer = new Thread(() -> {
      try {
        queue.close();
      } catch (Throwable t) {
        outcome.set(t);
      } finally {
        ended.countDown();
      }
    }, "closer");
    closer.start();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> closer.getState() == Thread.State.WAITING);
    closer.interrupt();
    assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
  }

  @Test
  void flushAndCloseFromAWorkOfEitherLaneAreRefused() throws Exception {
    queue = WorkQueue.builder("self").limitActive(2).highPriority(true).build();
    AtomicReference<Throwable> fromHigh = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    queue.queueHigh(new OrderedWork() {
      @Override
      protected void work() {
        try {
          queue.close();
        } catch (Throwable t) {
          fromHigh.set(t);
        }
      }

      @Override
      protected void release() {
        done.countDown();
      }
    });
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(fromHigh.get()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("would wait for itself");
    // nothing changed: both lanes still take and run work
    Step later = new Step(1, null, log, running, peak);
    assertThat(queue.queue(later)).isTrue();
    assertThat(later.released.await(10, TimeUnit.SECONDS)).isTrue();
    Step high = new Step(2, null, log, running, peak);
    assertThat(queue.queueHigh(high)).isTrue();
    assertThat(high.released.await(10, TimeUnit.SECONDS)).isTrue();
  }
}
