package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, point 1: an interrupt meant for one work's {@code work()} (re-asserted by the standard
 * idiom, or sent by {@code shutdownNow}) never reaches the steps of another work that the same
 * pool thread runs afterwards as the ordered runner or as a hash successor.
 */
@Timeout(60)
class InterruptIsolationTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    cleanup.close();
  }

  /** Records whether the thread was interrupted when each of its steps began. */
  static class Probe extends OrderedWork {
    final String name;
    final List<String> seen;
    final CountDownLatch gate;
    final CountDownLatch worked = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    final boolean reassert;

    Probe(String name, List<String> seen, CountDownLatch gate, boolean reassert) {
      this.name = name;
      this.seen = seen;
      this.gate = gate;
      this.reassert = reassert;
    }

    private void note(String step) {
      seen.add(name + "." + step + (Thread.currentThread().isInterrupted() ? " interrupted" : ""));
    }

    @Override
    protected void work() {
      note("work");
      if (gate != null) {
        try {
          gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (reassert) {
        Thread.currentThread().interrupt(); // the standard idiom after swallowing an interrupt
      }
      worked.countDown();
    }

    @Override
    protected void ordered() {
      note("ordered");
    }

    @Override
    protected void release() {
      note("release");
      released.countDown();
    }
  }

  @Test
  void anInterruptAWorkReassertsNeverReachesTheOrderedStepsItsThreadRunsForOthers()
      throws Exception {
    for (int round = 0; round < Stress.rounds(20); round++) {
      OrderedWorkQueue q = cleanup.queue("interrupt-ordered-" + round, 2);
      List<String> seen = new CopyOnWriteArrayList<>();
      CountDownLatch gate = new CountDownLatch(1);
      Probe a = new Probe("A", seen, gate, true);
      Probe b = new Probe("B", seen, null, false);
      q.queue(a);
      q.queue(b);
      // B finishes work() first and waits for A, the head: A's thread then runs B's steps too
      assertThat(b.worked.await(30, TimeUnit.SECONDS)).isTrue();
      gate.countDown();
      assertThat(b.released.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(seen).as("round %s", round).contains("B.ordered", "B.release")
          .doesNotContain("B.ordered interrupted", "B.release interrupted");
    }
  }

  @Test
  void anInterruptAWorkReassertsNeverReachesTheHashSuccessorItsThreadRuns() throws Exception {
    for (int round = 0; round < Stress.rounds(20); round++) {
      OrderedWorkQueue q = cleanup.queue("interrupt-hash-" + round, 1);
      List<String> seen = new CopyOnWriteArrayList<>();
      CountDownLatch gate = new CountDownLatch(1);
      Probe a = new Probe("A", seen, gate, true);
      Probe b = new Probe("B", seen, null, false);
      q.queue(a, 7);
      q.queue(b, 7);
      gate.countDown();
      assertThat(b.released.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(seen).as("round %s", round).contains("B.work", "B.ordered", "B.release");
      assertThat(seen.stream().filter(s -> s.startsWith("B.") && s.endsWith("interrupted")))
          .as("round %s: %s", round, seen).isEmpty();
    }
  }
}
