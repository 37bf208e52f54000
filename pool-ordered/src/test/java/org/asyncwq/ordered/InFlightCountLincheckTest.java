package org.asyncwq.ordered;

import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, point 3: the count {@code drain()} and {@code close()} wait on is exact. A parent work
 * counted in the last flush colour queues a child, which counts in colour 0, and then finishes:
 * one work is in flight before, during and after. Lincheck's model checker explores every
 * interleaving of that hand-off with a reader of the count; no reader may see zero (a sum of the
 * colours read one at a time could read colour 0 before the child and colour 15 after the parent).
 */
@Timeout(300)
class InFlightCountLincheckTest {
  private static final int INVOCATIONS = 1_000 * Math.min(Stress.factor(), 10);

  @Test
  void aChildQueuedAcrossTheColourWrapIsNeverMissedByTheInFlightCount() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      FlushColours colours = new FlushColours();
      int parent = -1;
      try {
        for (int i = 0; i < 15; i++) {
          colours.flush(0); // nothing in flight: each flush closes one epoch
        }
        parent = colours.enter(); // colour 15
        colours.flush(0); // closes the parent's epoch without waiting: the next is colour 0
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      if (parent != 15) {
        throw new AssertionError("the parent counted in colour " + parent);
      }
      int parentColour = parent;
      AtomicLong seen = new AtomicLong(-1);
      Thread handOff = new Thread(() -> {
        colours.enter(); // the child, queued from the parent's step
        colours.exit(parentColour); // the parent is done
      });
      Thread reader = new Thread(() -> seen.set(colours.inFlight()));
      handOff.start();
      reader.start();
      try {
        handOff.join();
        reader.join();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      if (seen.get() != 1) {
        throw new AssertionError("in flight read as " + seen.get() + " while one work was");
      }
    });
  }
}
