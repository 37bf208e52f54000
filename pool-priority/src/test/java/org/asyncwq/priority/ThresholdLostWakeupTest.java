package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.asyncwq.ordered.OrderedWork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A thresholded queue under bursts moves its pool's maximum up and down all the time. A worker
 * going idle took the pool's main lock between its last look at its wake-up flag and its sleep;
 * when that lock was contended the JDK lock parked the thread and used up the wake-up a producer
 * had just given it, and the worker slept a whole idle timeout with a burst waiting (found by the
 * benchmarks: 1 burst in about 3000 took 5 s, the default idle timeout). With an idle timeout of a
 * minute, a burst that takes more than 20 s can only be that lost wake-up.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ThresholdLostWakeupTest {
  private static final int BURSTS = 1500 * Math.max(1, Integer.getInteger("asyncwq.stress", 1));
  private static final long HANG_BOUND = TimeUnit.SECONDS.toNanos(20);

  private final AtomicInteger remaining = new AtomicInteger();
  private volatile Thread waiter;
  private volatile int sink;

  @Test
  void noBurstWaitsForAnIdleTimeoutWhileTheThresholdMovesTheLimit() throws Exception {
    OrderedWork[] works = new OrderedWork[500];
    for (int i = 0; i < works.length; i++) {
      works[i] =
          new OrderedWork() {
            @Override
            protected void work() {
              int h = 0;
              for (int k = 0; k < 64; k++) {
                h = Integer.rotateLeft((h ^ k) * 0x9E3779B1, 13);
              }
              sink = h;
            }

            @Override
            protected void release() {
              if (remaining.decrementAndGet() == 0) {
                LockSupport.unpark(waiter);
              }
            }
          };
    }
    try (WorkQueue queue =
        WorkQueue.builder("lost-wakeup").threshold(32).idleTimeout(Duration.ofMinutes(1)).build()) {
      waiter = Thread.currentThread();
      for (int burst = 0; burst < BURSTS; burst++) {
        remaining.set(works.length);
        for (OrderedWork w : works) {
          queue.queue(w);
        }
        long start = System.nanoTime();
        while (remaining.get() != 0 && System.nanoTime() - start < HANG_BOUND) {
          LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
        }
        assertThat(remaining.get())
            .as("burst %s still waiting after 20 s: %s", burst, queue.stats())
            .isZero();
      }
    }
  }
}
