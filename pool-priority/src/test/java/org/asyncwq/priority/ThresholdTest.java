package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The btrfs threshold algorithm, driven step by step (issue 4, point 2). */
@Timeout(30)
class ThresholdTest {
  private final List<Integer> applied = new ArrayList<>();

  private Threshold threshold(int requested, int limit) {
    return new Threshold(requested, limit, applied::add);
  }

  @Test
  void zeroMeansTheDefaultThirtyTwoAndBelowThirtyTwoMeansNone() {
    assertThat(Threshold.normalize(0)).isEqualTo(32);
    assertThat(Threshold.normalize(31)).isEqualTo(Threshold.NONE);
    assertThat(Threshold.normalize(1)).isEqualTo(Threshold.NONE);
    assertThat(Threshold.normalize(32)).isEqualTo(32);
    assertThat(Threshold.normalize(100)).isEqualTo(100);
  }

  @Test
  void aDynamicLaneStartsAtOneAndAFixedOneAtTheLimit() {
    assertThat(threshold(0, 8).current()).isEqualTo(1);
    assertThat(threshold(16, 8).current()).isEqualTo(8);
  }

  @Test
  void pendingRisesAtQueueAndFallsWhenAWorkStarts() {
    Threshold t = threshold(0, 8);
    t.queued();
    t.queued();
    assertThat(t.pending()).isEqualTo(2);
    t.started();
    assertThat(t.pending()).isEqualTo(1);
    t.unqueued();
    assertThat(t.pending()).isZero();
  }

  @Test
  void theLimitMovesUpByOneEveryThresholdQuarterStartsWhilePendingExceedsTheThreshold() {
    Threshold t = threshold(32, 8);
    for (int i = 0; i < 1000; i++) {
      t.queued();
    }
    List<Integer> trace = new ArrayList<>();
    for (int start = 0; start < 80; start++) {
      t.started();
      trace.add(t.current());
    }
    // evaluated at starts 0, 8, 16, ...: +1 each time, capped at the limit
    assertThat(trace.get(0)).isEqualTo(2);
    assertThat(trace.subList(1, 8)).containsOnly(2);
    assertThat(trace.get(8)).isEqualTo(3);
    assertThat(trace.get(48)).isEqualTo(8);
    assertThat(trace.subList(48, 80)).containsOnly(8);
    assertThat(applied).containsExactly(2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void theLimitMovesDownWhilePendingIsBelowHalfTheThresholdAndNeverBelowOne() {
    Threshold t = threshold(32, 8);
    for (int i = 0; i < 1000; i++) {
      t.queued();
    }
    for (int i = 0; i < 56; i++) {
      t.started();
    }
    assertThat(t.current()).isEqualTo(8);
    // the backlog drains: below 16 waiting, every eighth start takes one off
    while (t.pending() > 0) {
      t.started();
    }
    // then a light load: one work at a time
    for (int i = 0; i < 100; i++) {
      t.queued();
      t.started();
    }
    assertThat(t.current()).isEqualTo(1);
    assertThat(applied).endsWith(3, 2, 1);
  }

  @Test
  void betweenHalfAndTheThresholdTheLimitStays() {
    Threshold t = threshold(32, 8);
    for (int i = 0; i < 25; i++) {
      t.queued();
    }
    for (int i = 0; i < 8; i++) {
      t.queued();
      t.started(); // pending stays at 25: between 16 and 32
    }
    assertThat(t.current()).isEqualTo(1);
    assertThat(applied).isEmpty();
  }

  @Test
  void setLimitAppliesToFixedLanesToo() {
    Threshold fixed = threshold(1, 4);
    fixed.setLimit(6);
    assertThat(fixed.current()).isEqualTo(6);
    fixed.setLimit(2);
    assertThat(fixed.current()).isEqualTo(2);
    assertThat(applied).containsExactly(6, 2);
  }

  @Test
  void setLimitBringsADynamicLaneAboveTheNewLimitDownAtOnce() {
    Threshold t = threshold(32, 8);
    for (int i = 0; i < 1000; i++) {
      t.queued();
    }
    for (int i = 0; i < 56; i++) {
      t.started();
    }
    assertThat(t.current()).isEqualTo(8);
    t.setLimit(3);
    assertThat(t.current()).isEqualTo(3);
    assertThat(t.limit()).isEqualTo(3);
  }

  @Test
  void congestionIsPendingAboveTwiceTheThresholdAndNeverForAFixedLane() {
    Threshold t = threshold(32, 8);
    for (int i = 0; i < 64; i++) {
      t.queued();
    }
    assertThat(t.congested()).isFalse();
    t.queued();
    assertThat(t.congested()).isTrue();
    Threshold fixed = threshold(8, 8);
    for (int i = 0; i < 1000; i++) {
      fixed.queued();
    }
    assertThat(fixed.congested()).isFalse();
  }

  @Test
  void theNewLimitIsAppliedOutsideTheThresholdLock() throws Exception {
    // If apply ran under the lock, another thread asking for the limit would block until it ends.
    Threshold[] holder = new Threshold[1];
    List<Boolean> otherThreadGotThrough = new ArrayList<>();
    holder[0] =
        new Threshold(
            32,
            8,
            active -> {
              CountDownLatch read = new CountDownLatch(1);
              Thread other =
                  new Thread(
                      () -> {
                        holder[0].limit();
                        read.countDown();
                      });
              other.start();
              try {
                otherThreadGotThrough.add(read.await(5, TimeUnit.SECONDS));
                other.join(TimeUnit.SECONDS.toMillis(5));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    for (int i = 0; i < 100; i++) {
      holder[0].queued();
    }
    holder[0].started();
    assertThat(otherThreadGotThrough).containsExactly(true);
  }
}
