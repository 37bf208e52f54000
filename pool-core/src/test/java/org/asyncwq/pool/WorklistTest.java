package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The worklist on one thread: order, emptiness, and what a taken work still references. */
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
  }

  @Test
  void aTakenWorkKeepsNoLinkToTheWorksQueuedAfterIt() {
    // A finished work a user keeps must not keep every work queued after it reachable, whatever
    // moves the clearing of the link (a change to the take path must keep this).
    Worklist worklist = new Worklist();
    Work a = new CountingWork();
    Work b = new CountingWork();
    worklist.push(a);
    worklist.push(b);

    Work first = worklist.take(null);
    assertThat(first).isSameAs(a);
    assertThat(first.next).isNull();

    Work last = worklist.take(null);
    assertThat(last).isSameAs(b);
    assertThat(last.next).isNull();

    worklist.push(a); // a taken work can be queued again
    assertThat(worklist.take(null)).isSameAs(a);
    assertThat(a.next).isNull();
    assertThat(worklist.isEmpty()).isTrue();
  }
}
