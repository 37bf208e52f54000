package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.asyncwq.ordered.OrderedWork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, point 2: {@code close()} called from one of the queue's own works refuses with {@link
 * IllegalStateException} and changes nothing: the lane's pool keeps running, the works queued
 * behind keep running (not cancelled), the queue keeps accepting work and the threshold's pending
 * count goes back to zero.
 */
@Timeout(60)
class CloseFromOwnWorkTest {
  private WorkQueue queue;
  private final CountDownLatch gate = new CountDownLatch(1);

  @AfterEach
  void closeQueue() throws Exception {
    gate.countDown();
    if (queue != null) {
      queue.close();
    }
  }

  final class Noted extends OrderedWork {
    final int id;
    final List<String> events;
    final CountDownLatch released;

    Noted(int id, List<String> events, CountDownLatch released) {
      this.id = id;
      this.events = events;
      this.released = released;
    }

    @Override
    protected void work() {
      events.add("work " + id);
    }

    @Override
    protected void cancelled(Throwable cause) {
      events.add("cancelled " + id);
    }

    @Override
    protected void release() {
      released.countDown();
    }
  }

  @Test
  void closeFromAWorkOfAnOrderedQueueThrowsAndLeavesTheQueueRunning() throws Exception {
    queue = WorkQueue.ordered("close-own");
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch released = new CountDownLatch(4);
    CountDownLatch started = new CountDownLatch(1);
    queue.queue(new OrderedWork() {
      @Override
      protected void work() {
        started.countDown();
        try {
          gate.await(30, TimeUnit.SECONDS);
          queue.close();
        } catch (Throwable t) {
          thrown.set(t);
        }
      }

      @Override
      protected void release() {
        released.countDown();
      }
    });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i <= 3; i++) {
      queue.queue(new Noted(i, events, released));
    }
    gate.countDown();

    assertThat(released.await(30, TimeUnit.SECONDS)).as("%s", events).isTrue();
    assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
    assertThat(events).containsExactly("work 1", "work 2", "work 3");

    CountDownLatch later = new CountDownLatch(1);
    assertThat(queue.queue(new Noted(4, events, later))).isTrue();
    assertThat(later.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(events).endsWith("work 4");
    assertThat(queue.pending()).isZero();
    assertThat(queue.isCongested()).isFalse();
  }
}
