package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, point 4, the idle reset driven step by step: a lane with no pending and no running work
 * is back at one active worker, whichever of the two counts reached zero last. A work that was
 * counted pending and then refused (queued twice, or the queue closed) is the last one out when
 * the last running work finished while it was still counted.
 */
@Timeout(10)
class ThresholdIdleResetTest {
  private final List<Integer> applied = new ArrayList<>();

  /** A dynamic lane at 2 of 4 with one work running and nothing pending. */
  private Threshold atTwoWithOneRunning() {
    Threshold t = new Threshold(32, 4, applied::add);
    for (int i = 0; i < 34; i++) {
      t.queued();
    }
    t.started(); // start 0 is evaluated: 33 pending, above the threshold: up to 2
    for (int i = 0; i < 33; i++) {
      t.unqueued(); // refused after all: no start, so no evaluation
    }
    assertThat(t.current()).isEqualTo(2);
    assertThat(t.pending()).isZero();
    assertThat(t.running()).isEqualTo(1);
    return t;
  }

  @Test
  void theLastRunningWorkToFinishBringsAnIdleLaneBackToOne() {
    Threshold t = atTwoWithOneRunning();
    t.finished();
    assertThat(t.current()).isEqualTo(1);
    assertThat(applied).endsWith(1);
  }

  @Test
  void aRefusedWorkThatWasStillCountedWhenTheLastWorkFinishedBringsTheLaneBackToOne() {
    Threshold t = atTwoWithOneRunning();
    t.queued(); // a producer counts its work before the queue decides
    t.finished(); // the last running work ends: one pending, so not idle yet
    assertThat(t.current()).isEqualTo(2);
    t.unqueued(); // the queue refused the work: now nothing is pending or running
    assertThat(t.current()).isEqualTo(1);
    assertThat(applied).endsWith(1);
  }

  @Test
  void aRefusedWorkWhileAnotherRunsLeavesTheLimitAlone() {
    Threshold t = atTwoWithOneRunning();
    t.queued();
    t.unqueued();
    assertThat(t.current()).isEqualTo(2);
    t.finished();
    assertThat(t.current()).isEqualTo(1);
  }

  @Test
  void aFixedLaneNeverMoves() {
    Threshold t = new Threshold(16, 4, applied::add);
    t.queued();
    t.started();
    t.finished();
    t.queued();
    t.unqueued();
    assertThat(t.current()).isEqualTo(4);
    assertThat(applied).isEmpty();
  }
}
