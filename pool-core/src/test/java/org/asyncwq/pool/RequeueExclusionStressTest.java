package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, defect 1 under load: many works that each {@linkplain WorkerPool#requeue(Work) requeue}
 * themselves step after step, on a default pool of four threads (and on one with the legacy
 * {@code workStealing} knob), raced by {@code stop()} or {@code stopNow()} at a random moment, or by
 * nothing. Whatever the race: no work is ever in {@code run()} twice at once, {@code cancelled()}
 * never overlaps its own {@code run()}, every accepted queue or requeue is disposed of exactly once,
 * a requeue during {@code stop()}'s drain is accepted, and the pool terminates. Rounds scale with
 * {@code asyncwq.stress}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RequeueExclusionStressTest {
  private static final int WORKS = 16;
  private static final int STEPS = 25;
  private static final Duration BOUND = Duration.ofSeconds(20);

  /** A work that requeues itself until its steps are used up, checking it never overlaps. */
  static final class Stepper extends Work {
    private final WorkerPool pool;
    private final List<String> violations;
    private final AtomicInteger inRun = new AtomicInteger();
    private int stepsLeft = STEPS; // touched only inside run(), which never overlaps (checked)
    final AtomicInteger accepted = new AtomicInteger(1); // the first queue()
    final AtomicInteger rejected = new AtomicInteger();
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();

    Stepper(WorkerPool pool, List<String> violations) {
      this.pool = pool;
      this.violations = violations;
    }

    @Override
    protected void run() {
      if (inRun.getAndIncrement() != 0) {
        violations.add("run() of one work on two threads at once");
      }
      try {
        runs.incrementAndGet();
        if (stepsLeft-- > 0) {
          try {
            if (pool.requeue(this)) {
              accepted.incrementAndGet();
            } else {
              violations.add("requeue() from run() found the work pending already");
            }
          } catch (RejectedExecutionException e) {
            rejected.incrementAndGet();
          }
          Thread.yield(); // stay on the stack a little while the requeued work is out there
        }
      } finally {
        inRun.decrementAndGet();
      }
    }

    @Override
    protected void cancelled(Throwable cause) {
      if (inRun.get() != 0) {
        violations.add("cancelled() while run() of the same work was on the stack");
      }
      cancels.incrementAndGet();
    }
  }

  private enum Ending {
    NONE,
    STOP,
    STOP_NOW
  }

  @Test
  void requeuedWorksAreNeverRunTwiceAtOnceAndAreDisposedOfOnceWhateverStopsThePool()
      throws Exception {
    int rounds = Stress.rounds(30);
    for (int round = 0; round < rounds; round++) {
      Ending ending = Ending.values()[round % 3];
      boolean stealing = (round / 3) % 2 == 1;
      runRound(round, ending, stealing);
    }
  }

  private void runRound(int round, Ending ending, boolean stealing) throws Exception {
    WorkerPool.Builder b = WorkerPool.builder("requeue-stress-" + round).maxWorkers(4);
    if (stealing) {
      b.workStealing(true);
    }
    WorkerPool pool = b.build();
    List<String> violations = new CopyOnWriteArrayList<>();
    List<Stepper> works = new ArrayList<>();
    try {
      for (int i = 0; i < WORKS; i++) {
        Stepper w = new Stepper(pool, violations);
        works.add(w);
        assertThat(pool.queue(w)).isTrue();
      }
      if (ending != Ending.NONE) {
        // Let a random number of steps happen first.
        int target = ThreadLocalRandom.current().nextInt(WORKS * STEPS / 2);
        org.awaitility.Awaitility.await()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1))
            .atMost(BOUND)
            .until(() -> works.stream().mapToInt(w -> w.runs.get()).sum() >= target);
        if (ending == Ending.STOP) {
          pool.stop();
        } else {
          pool.stopNow();
        }
      }
      if (ending != Ending.STOP_NOW) {
        org.awaitility.Awaitility.await()
            .atMost(BOUND)
            .until(() -> works.stream().allMatch(w -> w.runs.get() == STEPS + 1));
      }
      pool.stop();
      assertThat(pool.awaitTermination(BOUND))
          .as("round %d (%s, stealing %s): pool terminated (%s)", round, ending, stealing,
              pool.stats())
          .isTrue();

      assertThat(violations).as("round %d (%s, stealing %s)", round, ending, stealing).isEmpty();
      for (Stepper w : works) {
        assertThat(w.runs.get() + w.cancels.get())
            .as("round %d (%s): dispositions of one work = its accepted queues", round, ending)
            .isEqualTo(w.accepted.get());
        if (ending != Ending.STOP_NOW) {
          assertThat(w.rejected.get())
              .as("round %d (%s): requeues rejected while the pool drains", round, ending)
              .isZero();
          assertThat(w.cancels.get()).isZero();
        }
      }
      PoolStats stats = pool.stats();
      assertThat(stats.queued()).isEqualTo(stats.executed() + stats.cancelled());
    } finally {
      pool.stopNow();
      pool.awaitTermination(BOUND);
    }
  }
}
