package org.asyncwq.pool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.Lincheck;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Claim 7 of issue 2 with Lincheck (seed 003, "eliminate races in worker stopping code"): stop
 * racing with idle/busy transitions and idle retirement; once {@code awaitTermination} returns
 * true no thread the pool started is alive, the pool reports no worker and nothing starting, and
 * every accepted work ran (plain {@code stop()} cancels nothing) exactly once.
 *
 * <p>The pool keeps one minimum worker (idle, never retiring) and may grow to two; the second
 * retires the moment it is idle ({@code idleTimeout} of 1 ns), so stop meets workers going idle,
 * going busy and leaving.
 */
// Stress mode first: the first Lincheck run in a JVM instruments classes lazily, which under the
// model checker's fixed 30 s per-run budget can be misread as a hang on a loaded machine.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public class StopRaceLincheckTest {

  static WorkerPool pool(String name, ScriptedSpawner spawner) {
    return WorkerPool.builder(name)
        .minWorkers(1)
        .maxWorkers(2)
        .idleTimeout(Duration.ofNanos(1))
        .spawner(spawner)
        .startsOnCaller() // no starter thread per pool: the model checker explores the pool alone
        .stallTimeout(Duration.ZERO) // nor the JVM-wide stall watchdog thread
        .build();
  }

  static void checkStoppedCleanly(WorkerPool pool, ScriptedSpawner spawner,
      List<ExactlyOnceLincheckTest.Tracked> works) {
    if (!pool.awaitTermination(Duration.ofSeconds(30))) {
      throw new AssertionError("pool did not terminate: " + pool.stats());
    }
    for (Thread t : spawner.started()) {
      if (t.isAlive()) {
        throw new AssertionError("pool thread " + t.getName() + " alive after awaitTermination");
      }
    }
    PoolStats s = pool.stats();
    if (s.workers() != 0 || s.starting() != 0 || !pool.isTerminated()) {
      throw new AssertionError("terminated pool still counts threads: " + s);
    }
    if (s.cancelled() != 0) {
      throw new AssertionError("stop() cancelled work: " + s);
    }
    ExactlyOnceLincheckTest.checkExactlyOnce(works, pool, -1);
  }

  // ---- data-structure form ---------------------------------------------------------------------

  private final ScriptedSpawner spawner = new ScriptedSpawner();
  private final WorkerPool pool = pool("lc-stop", spawner);
  private final List<ExactlyOnceLincheckTest.Tracked> works = new CopyOnWriteArrayList<>();

  @Operation
  public boolean queue() {
    ExactlyOnceLincheckTest.Tracked w = new ExactlyOnceLincheckTest.Tracked(pool, false);
    works.add(w);
    return w.submit();
  }

  @Operation
  public void stop() {
    pool.stop();
  }

  @Validate
  public void noThreadAliveAndNothingLostAfterTermination() {
    try {
      pool.stop();
      checkStoppedCleanly(pool, spawner, works);
    } finally {
      pool.stopNow();
      pool.awaitTermination(Duration.ofSeconds(30));
    }
  }

  /** Sequential specification: a queue is accepted exactly when it comes before the first stop(). */
  public static final class Model {
    private boolean stopped;

    public boolean queue() {
      return !stopped;
    }

    public void stop() {
      stopped = true;
    }
  }

  @Test
  @Order(1)
  void stressedStopRacingWithQueueAndRetirementLeavesNoThreadAndLosesNoWork() {
    new StressOptions()
        .iterations(Stress.rounds(2))
        .invocationsPerIteration(50)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(0)
        .actorsAfter(0)
        .sequentialSpecification(Model.class)
        .check(StopRaceLincheckTest.class);
  }

  // ---- model checking on the real pool ---------------------------------------------------------

  @Test
  @Order(2)
  void modelCheckedStopRacingWithBusyIdleAndRetiringWorkersLeavesNoThread() {
    Lincheck.runConcurrentTest(Stress.rounds(15), () -> {
      ScriptedSpawner spawner = new ScriptedSpawner();
      WorkerPool pool = pool("lc-stop-mc", spawner);
      try {
        ExactlyOnceLincheckTest.Tracked first = new ExactlyOnceLincheckTest.Tracked(pool, false);
        ExactlyOnceLincheckTest.Tracked second = new ExactlyOnceLincheckTest.Tracked(pool, false);
        Thread submitter = new Thread(() -> {
          first.submit();
          second.submit();
        });
        submitter.start();
        pool.stop();
        ExactlyOnceLincheckTest.join(submitter);
        checkStoppedCleanly(pool, spawner, List.of(first, second));
      } finally {
        pool.stopNow();
        pool.awaitTermination(Duration.ofSeconds(30));
      }
    });
  }
}
