package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worklist on one thread: order, emptiness, growth, the take gate, what it still references. */
class WorklistTest {

  @Test
  void takesInQueueOrderAndIsEmptyAfterTheLast() {
    Worklist worklist = new Worklist();
    Work a = new CountingWork();
    Work b = new CountingWork();
    Work c = new CountingWork();
    assertThat(worklist.isEmpty()).isTrue();
    worklist.push(a);
    worklist.push(b);
    worklist.push(c);
    assertThat(worklist.size()).isEqualTo(3);

    assertThat(worklist.take(null)).isSameAs(a);
    assertThat(worklist.take(null)).isSameAs(b);
    assertThat(worklist.take(null)).isSameAs(c);
    assertThat(worklist.take(null)).isNull();
    assertThat(worklist.isEmpty()).isTrue();
    assertThat(worklist.taken()).isEqualTo(3);
    assertThat(worklist.queued()).isEqualTo(3);
  }

  @Test
  void aTakenWorkIsNoLongerReferencedByTheWorklist() {
    // A finished work a user keeps must not be kept reachable by the pool, nor keep others
    // reachable, whatever moves the clearing of its slot (a change to the take path must keep it).
    Worklist worklist = new Worklist();
    Work a = new CountingWork();
    Work b = new CountingWork();
    worklist.push(a);
    worklist.push(b);

    Work first = worklist.take(null);
    assertThat(first).isSameAs(a);
    assertThat(worklist.references(a)).isFalse();
    assertThat(first.next).isNull();

    Work last = worklist.take(null);
    assertThat(last).isSameAs(b);
    assertThat(worklist.references(b)).isFalse();

    worklist.push(a); // a taken work can be queued again
    assertThat(worklist.take(null)).isSameAs(a);
    assertThat(worklist.references(a)).isFalse();
    assertThat(worklist.isEmpty()).isTrue();
  }

  @Test
  void growingTheRingKeepsTheOrderAcrossLapsAndReusedWorks() {
    Worklist worklist = new Worklist(2);
    ArrayDeque<Work> free = new ArrayDeque<>();
    for (int i = 0; i < 5; i++) {
      free.add(new CountingWork());
    }
    List<Work> expected = new ArrayList<>();
    List<Work> taken = new ArrayList<>();
    // Takes interleaved with pushes, so the head is mid-ring when it grows (2 -> 4 -> 8 slots);
    // the same five works are queued again once taken, lap after lap.
    for (int round = 0; round < 40; round++) {
      if (free.isEmpty()) {
        Work t = worklist.take(null);
        taken.add(t);
        free.add(t);
      }
      Work w = free.poll();
      worklist.push(w);
      expected.add(w);
      if (round % 3 == 2) {
        Work t = worklist.take(null);
        taken.add(t);
        free.add(t);
      }
    }
    for (Work w = worklist.take(null); w != null; w = worklist.take(null)) {
      taken.add(w);
    }
    assertThat(taken).containsExactlyElementsOf(expected);
    assertThat(worklist.isEmpty()).isTrue();
    assertThat(worklist.taken()).isEqualTo(40);
  }

  @Test
  void aClosedGateStopsTakesButNotDrainsAndReopens() {
    Worklist worklist = new Worklist();
    Work a = new CountingWork();
    Work b = new CountingWork();
    worklist.push(a);
    worklist.push(b);

    worklist.closeGate(Worklist.FROZEN_GATE);
    assertThat(worklist.take(null)).isNull();
    assertThat(worklist.isEmpty()).isFalse();
    worklist.openGate(Worklist.FROZEN_GATE);
    assertThat(worklist.take(null)).isSameAs(a);

    worklist.closeGate(Worklist.NOW_GATE);
    assertThat(worklist.take(null)).isNull();
    WorkBatch batch = new WorkBatch();
    assertThat(worklist.drainTo(batch)).isEqualTo(1);
    assertThat(batch.poll()).isSameAs(b);
    assertThat(worklist.isEmpty()).isTrue();
  }

  @Test
  void aPowerOfTwoCapacityIsRequired() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Worklist(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be a power of two, was 3");
  }
}
