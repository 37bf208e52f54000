package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 4, point 1: the high-priority lane is independent of the normal one. */
@Timeout(60)
class WorkQueueLanesTest extends QueueFixture {
  @Test
  void aHighPriorityWorkRunsAndCompletesItsOrderedStepWhileEveryNormalThreadIsBlocked()
      throws Exception {
    queue = WorkQueue.builder("lanes").limitActive(2).threshold(1).highPriority(true).build();
    List<Step> normal = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      Step s = new Step(i, gate, log, running, peak);
      normal.add(s);
      queue.queue(s);
    }
    normal.get(0).started.await(10, TimeUnit.SECONDS);
    normal.get(1).started.await(10, TimeUnit.SECONDS);
    assertThat(running).hasValue(2); // every normal thread is blocked
    assertThat(queue.pending()).isGreaterThanOrEqualTo(2998);

    Step urgent = new Step(-1, null, log, new AtomicInteger(), new AtomicInteger());
    assertThat(queue.queueHigh(urgent)).isTrue();

    assertThat(urgent.released.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(urgent.ordereds).hasValue(1);
    assertThat(log).containsExactly(-1);
    assertThat(normal.get(0).releases).hasValue(0);
  }

  @Test
  void theLanesShareNoPoolAndNoOrderedQueue() throws Exception {
    queue = WorkQueue.builder("apart").highPriority(true).build();
    WorkQueueStats stats = queue.stats();
    assertThat(stats.high()).isNotNull();
    assertThat(stats.normal().pool().name()).isNotEqualTo(stats.high().pool().name());
    assertThat(stats.normal().queue().name()).isNotEqualTo(stats.high().queue().name());
  }

  @Test
  void queueHighWithoutAHighLaneRunsOnTheNormalLane() throws Exception {
    queue = WorkQueue.builder("single").build();
    assertThat(queue.hasHighPriority()).isFalse();
    Step s = new Step(1, null, log, running, peak);
    queue.queueHigh(s);
    assertThat(s.released.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(queue.stats().high()).isNull();
    assertThat(queue.stats().normal().queue().queued()).isEqualTo(1);
  }
}
