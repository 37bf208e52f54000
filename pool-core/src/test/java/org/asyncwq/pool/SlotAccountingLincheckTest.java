package org.asyncwq.pool;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Claim 2 of issue 2 with Lincheck: with many concurrent submitters a pool never has more than
 * {@code maxWorkers} threads started or starting (seed 000's {@code num_workers_starting}).
 *
 * <p>The oracle is outside the pool: {@link SlotSpawner} wraps the {@link ScriptedSpawner} fixture
 * and counts a slot from the moment {@code spawn()} is entered until the spawned body has returned
 * (or the spawn failed), and keeps the peak. Idle retirement is off (long idleTimeout), so no
 * worker leaves before stop and the peak must stay at or below {@code maxWorkers}; in addition
 * every observation of {@code stats().workers() + stats().starting()} must be at most max.
 * Since issue 8 every queue() that finds no idle and no searching worker decides, with one CAS on
 * the pool's control word, whether to start a thread; that decision is what this test races.
 */
// Stress mode first: the first Lincheck run in a JVM instruments classes lazily, which under the
// model checker's fixed 30 s per-run budget can be misread as a hang on a loaded machine.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public class SlotAccountingLincheckTest {
  private static final int MAX = 2;

  /** Counts slots (spawns in progress plus bodies not yet returned) and keeps their peak. */
  static final class SlotSpawner implements ThreadSpawner {
    final ScriptedSpawner delegate = new ScriptedSpawner();
    final AtomicInteger slots = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();

    /** Where each spawn came from, so a failure says which path asked for a thread too many. */
    final java.util.Queue<Throwable> sites = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Set just before the check stops the pool: a body that returns before it gave its slot early. */
    volatile boolean stopping;

    /** Thread bodies that returned before the pool was stopped (their slot could be reused). */
    final java.util.Queue<String> earlyExits = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @Override
    public Thread spawn(String name, Runnable body) throws SpawnException {
      sites.add(new Throwable("spawn of " + name + " on " + Thread.currentThread().getName()
          + " with " + slots.get() + " slots in use"));
      peak.accumulateAndGet(slots.incrementAndGet(), Math::max);
      try {
        return delegate.spawn(name, () -> {
          try {
            body.run();
          } finally {
            if (!stopping) {
              earlyExits.add(name);
            }
            slots.decrementAndGet();
          }
        });
      } catch (SpawnException | RuntimeException | Error e) {
        slots.decrementAndGet();
        throw e;
      }
    }
  }

  static WorkerPool pool(String name, SlotSpawner spawner) {
    return WorkerPool.builder(name)
        .maxWorkers(MAX)
        .idleTimeout(Duration.ofMinutes(5))
        .spawner(spawner)
        .startsOnCaller() // no starter thread per pool: the model checker explores the pool alone
        .stallTimeout(Duration.ZERO) // nor the JVM-wide stall watchdog thread
        .build();
  }

  static void checkObservation(WorkerPool pool) {
    PoolStats s = pool.stats();
    if (s.workers() + s.starting() > MAX) {
      throw new AssertionError("workers + starting above max " + MAX + ": " + s);
    }
  }

  static void checkAfterTermination(WorkerPool pool, SlotSpawner spawner) {
    if (!pool.awaitTermination(Duration.ofSeconds(30))) {
      throw new AssertionError("pool did not terminate: " + pool.stats());
    }
    if (spawner.peak.get() > MAX) {
      throw new AssertionError(spawner.peak.get() + " threads started or starting at once, max is "
          + MAX + "; spawn calls: " + spawner.delegate.calls());
    }
    // A spawn beyond MAX is legitimate only for a slot given back before the stop: a failed
    // attempt, or a thread whose body returned (an idle retirement, which the long idleTimeout
    // should rule out on a real clock but not under an agent that virtualises time, or a death).
    PoolStats before = pool.stats();
    long givenBack = spawner.earlyExits.size() + before.spawnFailures();
    if (spawner.delegate.calls() > MAX + givenBack) {
      AssertionError e = new AssertionError(spawner.delegate.calls()
          + " spawns with max " + MAX + " and only " + givenBack + " slots given back before the"
          + " stop (threads that left early: " + spawner.earlyExits + "): " + before
          + " (causes: where each spawn was asked for)");
      spawner.sites.forEach(e::addSuppressed);
      throw e;
    }
    if (spawner.delegate.anyAlive()) {
      throw new AssertionError("a pool thread is alive after awaitTermination");
    }
    PoolStats s = pool.stats();
    if (s.queued() != s.executed() + s.cancelled()) {
      throw new AssertionError("work lost: " + s);
    }
  }

  // ---- data-structure form ---------------------------------------------------------------------

  private final SlotSpawner spawner = new SlotSpawner();
  private final WorkerPool pool = pool("lc-slots", spawner);

  @Operation
  public boolean queue() {
    try {
      return pool.queue(new CountingWork());
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  @Operation
  public void observe() {
    checkObservation(pool);
  }

  @Validate
  public void neverMoreThanMaxThreadsStartedOrStarting() {
    try {
      spawner.stopping = true;
      pool.stop();
      checkAfterTermination(pool, spawner);
    } finally {
      pool.stopNow();
      pool.awaitTermination(Duration.ofSeconds(30));
    }
  }

  /** Sequential specification: nobody stops the pool during the scenario, so every queue is taken. */
  public static final class Model {
    public boolean queue() {
      return true;
    }

    public void observe() {}
  }

  @Test
  @Order(1)
  void stressedConcurrentSubmittersNeverOverCreateThreads() {
    new StressOptions()
        .iterations(Stress.rounds(2))
        .invocationsPerIteration(50)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(0)
        .actorsAfter(0)
        .sequentialSpecification(Model.class)
        .check(SlotAccountingLincheckTest.class);
  }

  // ---- model checking on the real pool ---------------------------------------------------------

  @Test
  @Order(2)
  void modelCheckedConcurrentSubmittersNeverOverCreateThreads() {
    Lincheck.runConcurrentTest(Stress.rounds(15), () -> {
      SlotSpawner spawner = new SlotSpawner();
      WorkerPool pool = pool("lc-slots-mc", spawner);
      try {
        Thread[] submitters = new Thread[3];
        for (int i = 0; i < submitters.length; i++) {
          submitters[i] = new Thread(() -> pool.queue(new CountingWork()));
          submitters[i].start();
        }
        checkObservation(pool);
        for (Thread t : submitters) {
          ExactlyOnceLincheckTest.join(t);
        }
        checkObservation(pool);
        spawner.stopping = true;
        pool.stop();
        checkAfterTermination(pool, spawner);
      } finally {
        pool.stopNow();
        pool.awaitTermination(Duration.ofSeconds(30));
      }
    });
  }
}
