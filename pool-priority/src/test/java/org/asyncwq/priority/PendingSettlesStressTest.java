package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncwq.ordered.OrderedWork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, "what must be true" 2: whatever ends a lane's works (they run, a graceful stop of its
 * pool runs them, {@code stopNow} cancels them, {@code close()} drains them, a {@code close()}
 * from one of its works is refused) the threshold's pending count returns to 0 and the queue is
 * not congested afterwards; no work is disposed of twice or never.
 */
@Timeout(120)
class PendingSettlesStressTest {
  private static final int ROUNDS = 8 * Math.max(1, Integer.getInteger("asyncwq.stress", 1));

  /** A work that counts how it ended. */
  private static final class Counted extends OrderedWork {
    private final CountDownLatch gate;
    private final AtomicInteger ran;
    private final AtomicInteger cancelled;
    private final CountDownLatch released;
    private final WorkQueue selfClose;

    Counted(CountDownLatch gate, AtomicInteger ran, AtomicInteger cancelled,
        CountDownLatch released, WorkQueue selfClose) {
      this.gate = gate;
      this.ran = ran;
      this.cancelled = cancelled;
      this.released = released;
      this.selfClose = selfClose;
    }

    @Override
    protected void work() {
      ran.incrementAndGet();
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (selfClose != null) {
        try {
          selfClose.close();
        } catch (IllegalStateException | InterruptedException expected) {
          // refused: a work cannot wait for its own queue
        }
      }
    }

    @Override
    protected void ordered() {}

    @Override
    protected void cancelled(Throwable cause) {
      cancelled.incrementAndGet();
    }

    @Override
    protected void release() {
      released.countDown();
    }
  }

  @Test
  void pendingReturnsToZeroAndCongestionClearsAfterAnyMixOfCloseStopAndCancellation()
      throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      int ending = round % 4;
      boolean serial = round % 8 >= 4;
      WorkQueue q = serial ? WorkQueue.ordered("settle-" + round)
          : WorkQueue.builder("settle-" + round).limitActive(2).threshold(32).build();
      int n = 200;
      CountDownLatch gate = new CountDownLatch(1);
      AtomicInteger ran = new AtomicInteger();
      AtomicInteger cancelled = new AtomicInteger();
      CountDownLatch released = new CountDownLatch(n);
      int accepted = 0;
      try {
        for (int i = 0; i < n; i++) {
          WorkQueue selfClose = i % 50 == 0 ? q : null;
          try {
            if (q.queue(new Counted(gate, ran, cancelled, released, selfClose))) {
              accepted++;
            }
          } catch (RejectedExecutionException e) {
            released.countDown();
          }
          if (i == n / 2) {
            switch (ending) {
              case 0 -> q.normalLane().pool.stopNow(); // cancels what waits in the pool
              case 1 -> q.normalLane().pool.stop(); // runs what was accepted
              default -> { } // 2: plain close below; 3: only the works' own close attempts
            }
          }
        }
        if (!serial && ending != 0 && ending != 1) {
          assertThat(q.pending()).isPositive();
        }
        gate.countDown();
        if (ending == 2) {
          assertThat(q.close(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(released.await(60, TimeUnit.SECONDS))
            .as("round %s: %s", round, q.stats()).isTrue();
        assertThat(ran.get() + cancelled.get()).as("round %s: every accepted work disposed of once",
            round).isEqualTo(accepted);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(q.normalLane().threshold.running()).isZero());
        assertThat(q.pending()).as("round %s, ending %s", round, ending).isZero();
        assertThat(q.isCongested()).isFalse();
      } finally {
        gate.countDown();
        q.close(Duration.ofSeconds(30));
      }
    }
  }
}
