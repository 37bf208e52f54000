package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, point 2 (second half): a graceful {@code stop()} of a shared pool lets every work it
 * already accepted run, and so the queue runs the hash successors of works it already accepted
 * instead of cancelling them.
 */
@Timeout(60)
class HashSuccessorOnStopTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  static final class Recorded extends OrderedWork {
    final int id;
    final List<String> events;
    final CountDownLatch gate;
    final CountDownLatch started;
    final CountDownLatch released;

    Recorded(int id, List<String> events, CountDownLatch gate, CountDownLatch started,
        CountDownLatch released) {
      this.id = id;
      this.events = events;
      this.gate = gate;
      this.started = started;
      this.released = released;
    }

    @Override
    protected void work() {
      events.add("work " + id);
      started.countDown();
      if (gate != null) {
        OrderedWorkQueueOrderTest.await(gate);
      }
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
  void aGracefulStopOfASharedPoolRunsTheHashSuccessorsOfAcceptedWorks() throws Exception {
    WorkerPool pool = cleanup.pool(
        WorkerPool.builder("graceful").maxWorkers(2).build());
    OrderedWorkQueue q = cleanup.queue(OrderedWorkQueue.builder("graceful-q").pool(pool).build());
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch gate = cleanup.gate();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(4);
    q.queue(new Recorded(0, events, gate, started, released), 7);
    for (int i = 1; i < 4; i++) {
      q.queue(new Recorded(i, events, null, new CountDownLatch(1), released), 7);
    }
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    pool.stop();
    gate.countDown();

    assertThat(released.await(30, TimeUnit.SECONDS)).as("%s", events).isTrue();
    assertThat(events).containsExactly("work 0", "work 1", "work 2", "work 3");
    assertThat(q.stats().cancelled()).isZero();
  }
}
