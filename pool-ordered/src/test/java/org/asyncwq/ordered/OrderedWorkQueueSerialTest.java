package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 3, point 8: serial() is the kernel's alloc_ordered_workqueue. */
@Timeout(60)
class OrderedWorkQueueSerialTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  @Test
  void serialRunsOneWorkAtATimeInFifoOrder() throws Exception {
    OrderedWorkQueue q = cleanup.queue(OrderedWorkQueue.serial("serial"));
    int n = Stress.rounds(2_000);
    List<Integer> orderedSteps = new CopyOnWriteArrayList<>();
    CountDownLatch released = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      int index = i;
      boolean withOrderedStep = i % 3 != 0; // a mix: some works skip the ordered list
      OrderedWork w = withOrderedStep
          ? new OrderedWork() {
            @Override
            protected void work() {
              enter(index);
            }

            @Override
            protected void ordered() {
              orderedSteps.add(index);
              leave();
            }

            @Override
            protected void release() {
              released.countDown();
            }
          }
          : new OrderedWork() {
            @Override
            protected void work() {
              enter(index);
              leave();
            }

            @Override
            protected void release() {
              released.countDown();
            }
          };
      // hashes are ignored by a serial queue: all works share one line
      boolean queued = i % 2 == 0 ? q.queue(w) : q.queue(w, i);
      assertThat(queued).isTrue();
    }
    assertThat(released.await(40, TimeUnit.SECONDS)).isTrue();
    assertThat(overlaps.get()).as("works that overlapped another").isZero();
    assertThat(started).hasSize(n).isSorted();
    assertThat(orderedSteps).isSorted();
    assertThat(q.stats().pool().workers()).isLessThanOrEqualTo(1);
  }

  // one work is "active" from the start of its work() to the end of its last step
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger overlaps = new AtomicInteger();
  private final List<Integer> started = new CopyOnWriteArrayList<>();

  private void enter(int index) {
    if (active.incrementAndGet() != 1) {
      overlaps.incrementAndGet();
    }
    started.add(index);
  }

  private void leave() {
    active.decrementAndGet();
  }
}
