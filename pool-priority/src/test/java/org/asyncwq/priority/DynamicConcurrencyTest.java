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
 * Issue 4, points 3 to 5: concurrency follows the backlog, setLimitActive works on both kinds of
 * lane, and congestion turns on and off.
 */
@Timeout(60)
class DynamicConcurrencyTest extends QueueFixture {
  /** Records the active limit each time a work starts. */
  private final class Probe extends OrderedWork {
    private final List<Integer> trace;
    private final CountDownLatch hold;

    Probe(List<Integer> trace, CountDownLatch hold) {
      this.trace = trace;
      this.hold = hold;
    }

    @Override
    protected void work() {
      trace.add(queue.currentActive());
      int now = running.incrementAndGet();
      peak.accumulateAndGet(now, Math::max);
      try {
        if (hold != null) {
          hold.await(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        running.decrementAndGet();
      }
    }
  }

  @Test
  void underASustainedBacklogActiveClimbsToTheLimitAndFallsBackToOneWhenItDrains() throws Exception {
    queue = WorkQueue.builder("climb").limitActive(4).threshold(32).build();
    assertThat(queue.currentActive()).isEqualTo(1);
    List<Integer> trace = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 3000; i++) {
      queue.queue(new Probe(trace, null));
    }
    queue.flush();
    assertThat(trace).hasSize(3000);
    assertThat(trace).contains(2, 3, 4); // recorded after each start hook, so from 2 up
    assertThat(Collections.max(trace)).isEqualTo(4);

    // the backlog is gone; a light load, one work at a time, brings the limit back to 1
    for (int i = 0; i < 100; i++) {
      queue.queue(new Probe(trace, null));
      queue.flush();
    }
    assertThat(queue.currentActive()).isEqualTo(1);
    int top = trace.indexOf(4);
    assertThat(trace.subList(top, trace.size())).contains(3, 2, 1);
    assertThat(trace.get(trace.size() - 1)).isEqualTo(1);
  }

  @Test
  void aRaisedActiveLimitReallyRunsThatManyWorksAtOnce() throws Exception {
    // The limit is not just a number: once the backlog has raised it to 3, three works run at
    // the same time, including works that were already queued when the limit was 1.
    queue = WorkQueue.builder("parallel").limitActive(3).threshold(32).build();
    for (int i = 0; i < 500; i++) {
      queue.queue(
          new OrderedWork() {
            @Override
            protected void work() {
              if (queue.currentActive() < 3) {
                return; // short works until the limit has climbed
              }
              int now = running.incrementAndGet();
              peak.accumulateAndGet(now, Math::max);
              try {
                gate.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                running.decrementAndGet();
              }
            }
          });
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> running.get() == 3);
    gate.countDown();
    queue.flush();
    assertThat(peak.get()).isEqualTo(3);
  }

  @Test
  void setLimitActiveChangesHowManyWorksAFixedLaneRunsAtOnce() throws Exception {
    queue = WorkQueue.builder("fixed").limitActive(2).threshold(1).build();
    assertThat(queue.stats().normal().threshold()).isEqualTo(-1);
    for (int i = 0; i < 8; i++) {
      queue.queue(new Probe(new ArrayList<>(), gate));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 2);
    queue.setLimitActive(5);
    assertThat(queue.currentActive()).isEqualTo(5);
    await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 5);
    assertThat(peak.get()).isEqualTo(5);
    gate.countDown();
    queue.flush();
  }

  @Test
  void setLimitActiveCapsADynamicLane() throws Exception {
    queue = WorkQueue.builder("dyn").limitActive(6).threshold(32).build();
    queue.setLimitActive(2);
    assertThat(queue.limitActive()).isEqualTo(2);
    List<Integer> trace = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 2000; i++) {
      queue.queue(new Probe(trace, null));
    }
    queue.flush();
    assertThat(Collections.max(trace)).isEqualTo(2);
  }

  @Test
  void congestionTurnsOnAbovetwiceTheThresholdAndOffWhenTheBacklogDrains() throws Exception {
    queue = WorkQueue.builder("congested").limitActive(1).threshold(32).build();
    CountDownLatch first = new CountDownLatch(1);
    queue.queue(
        new OrderedWork() {
          @Override
          protected void work() {
            first.countDown();
            try {
              gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 64; i++) {
      queue.queue(new Probe(new ArrayList<>(), null));
    }
    assertThat(queue.pending()).isEqualTo(64);
    assertThat(queue.isCongested()).isFalse();
    queue.queue(new Probe(new ArrayList<>(), null));
    assertThat(queue.isCongested()).isTrue();
    gate.countDown();
    queue.flush();
    assertThat(queue.pending()).isZero();
    assertThat(queue.isCongested()).isFalse();
  }
}
