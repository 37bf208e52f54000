package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, point 1, from the other side: {@code stopNow()} cancels the works that have not started
 * on the calling thread, which then runs their {@code cancelled()} and, if the ordered list's turn
 * is theirs, their release steps. The caller's interrupt status is the caller's: it does not reach
 * those steps, and it is still set when {@code stopNow()} returns (a release step clears the status
 * it starts with, which must not swallow the caller's).
 */
@Timeout(30)
class StopNowCallerInterruptTest {
  private final Cleanup cleanup = new Cleanup();

  @AfterEach
  void cleanUp() {
    Thread.interrupted();
    cleanup.close();
  }

  private static final class Noting extends OrderedWork {
    final String name;
    final List<String> steps;

    Noting(String name, List<String> steps) {
      this.name = name;
      this.steps = steps;
    }

    private void note(String step) {
      steps.add(name + "." + step + (Thread.currentThread().isInterrupted() ? " interrupted" : ""));
    }

    @Override
    protected void work() {
      note("work");
    }

    @Override
    protected void ordered() {
      note("ordered");
    }

    @Override
    protected void cancelled(Throwable cause) {
      note("cancelled");
    }

    @Override
    protected void release() {
      note("release");
      Thread.currentThread().interrupt(); // a step that leaves an interrupt behind
    }
  }

  @Test
  void anInterruptedCallerOfStopNowKeepsItsInterruptAndTheCancelledStepsNeverSeeIt()
      throws Exception {
    for (boolean callerInterrupted : new boolean[] {true, false}) {
      WorkerPool pool = cleanup.pool("caller-interrupt-" + callerInterrupted, 1);
      OrderedWorkQueue q = cleanup.queue(
          OrderedWorkQueue.builder("caller-interrupt-q-" + callerInterrupted).pool(pool).build());
      CountDownLatch gate = cleanup.gate();
      CountDownLatch busy = new CountDownLatch(1);
      pool.execute(() -> { // the pool's only thread is busy: the works below wait in the pool
        busy.countDown();
        OrderedWorkQueueOrderTest.await(gate);
      });
      assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
      List<String> steps = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 3; i++) {
        q.queue(new Noting("W" + i, steps));
      }
      if (callerInterrupted) {
        Thread.currentThread().interrupt();
      }
      int cancelled = pool.stopNow(); // the first work's turn: this thread releases all three
      boolean after = Thread.interrupted();
      gate.countDown();

      assertThat(cancelled).isEqualTo(3);
      assertThat(steps).containsExactly("W0.cancelled", "W0.release", "W1.cancelled",
          "W1.release", "W2.cancelled", "W2.release");
      assertThat(after).as("the caller's interrupt status after stopNow()")
          .isEqualTo(callerInterrupted);
    }
  }
}
