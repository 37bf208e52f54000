package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.asyncwq.ordered.OrderedWork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, point 4: a thresholded queue climbs to its limit under a backlog, one step at a time,
 * and once the backlog has drained and nothing runs, it is back at one active worker, so the next
 * burst starts from 1.
 */
@Timeout(60)
class ThresholdSettlesTest extends QueueFixture {
  /** Records the active limit each time a work starts; the first one holds the lane. */
  private final class Probe extends OrderedWork {
    private final List<Integer> trace;
    private final CountDownLatch hold;
    private final CountDownLatch started = new CountDownLatch(1);

    Probe(List<Integer> trace, CountDownLatch hold) {
      this.trace = trace;
      this.hold = hold;
    }

    @Override
    protected void work() {
      trace.add(queue.currentActive());
      started.countDown();
      if (hold != null) {
        try {
          hold.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Test
  void aBacklogRaisesTheLimitStepByStepToLimitActiveAndAnIdleLaneIsBackAtOne() throws Exception {
    queue = WorkQueue.builder("settle").limitActive(4).threshold(32).build();
    List<Integer> trace = Collections.synchronizedList(new ArrayList<>());
    List<Integer> limits = Collections.synchronizedList(new ArrayList<>());
    queue.normalLane().threshold.observeChanges(limits::add);
    for (int burst = 0; burst < 2; burst++) {
      assertThat(queue.currentActive()).as("burst %s starts from one", burst).isEqualTo(1);
      trace.clear();
      limits.clear();
      CountDownLatch hold = new CountDownLatch(1);
      Probe first = new Probe(trace, hold);
      queue.queue(first);
      assertThat(first.started.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 600; i++) {
        queue.queue(new Probe(trace, null));
      }
      hold.countDown();
      queue.flush();

      assertThat(trace).hasSize(601);
      // the limit as set, change by change (a work's own reading of it can be stale by the time
      // it is recorded): up one step at a time to limitActive while works run, down one step at a
      // time as the backlog drains, and straight back to one once the lane is idle
      await().atMost(Duration.ofSeconds(10)).until(() -> queue.currentActive() == 1);
      List<Integer> seen;
      synchronized (limits) {
        seen = new ArrayList<>(limits);
      }
      assertThat(Collections.max(seen)).as("limits %s", seen).isEqualTo(4);
      assertThat(seen).as("limits %s", seen).startsWith(2).containsSubsequence(2, 3, 4);
      for (int i = 1; i < seen.size(); i++) {
        boolean idleReset = i == seen.size() - 1 && seen.get(i) == 1;
        if (!idleReset) {
          assertThat(Math.abs(seen.get(i) - seen.get(i - 1))).as("limits %s", seen)
              .isEqualTo(1);
        }
      }
      assertThat(seen.get(seen.size() - 1)).as("limits %s", seen).isEqualTo(1);
      // drained and idle: back at one, without any further work starting
      await().atMost(Duration.ofSeconds(10)).until(() -> queue.currentActive() == 1);
      assertThat(queue.pending()).isZero();
      assertThat(queue.isCongested()).isFalse();
    }
  }
}
