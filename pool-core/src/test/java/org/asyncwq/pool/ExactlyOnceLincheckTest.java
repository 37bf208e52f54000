package org.asyncwq.pool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * Claim 1 of issue 2 with Lincheck: every work accepted by {@code queue()} (or {@code requeue()})
 * runs once or is cancelled once, never both, never neither, with stop, stopNow, freeze/thaw,
 * requeue and idle retirement ({@code idleTimeout} of 1 ns: a worker retires as soon as it is idle)
 * racing with queueing.
 *
 * <p>Two modes. {@link #modelCheckedStopNowRacingWithQueueAndRetirementDisposesEachWorkOnce()} runs
 * Lincheck's model checker ({@link Lincheck#runConcurrentTest}) on the real pool: the pool's own
 * threads are created inside the checked block and Lincheck schedules them together with the
 * submitters. The data-structure form ({@link #stressedQueueStopFreezeRequeueDisposesEachWorkOnce()})
 * runs random scenarios of the operations below in Lincheck's stress mode, because the model
 * checker does not terminate on the pool's timed waits ({@code Condition.awaitNanos} in
 * {@code awaitTermination} spins there without Lincheck ever scheduling the pool's threads).
 */
// Stress mode first: the first Lincheck run in a JVM instruments classes lazily, which under the
// model checker's fixed 30 s per-run budget can be misread as a hang on a loaded machine.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public class ExactlyOnceLincheckTest {

  // ---- data-structure form: one instance (one pool) per scenario -------------------------------

  private final ScriptedSpawner spawner = new ScriptedSpawner();
  private final WorkerPool pool =
      WorkerPool.builder("lc-once")
          .maxWorkers(2)
          .idleTimeout(Duration.ofNanos(1))
          .spawner(spawner)
          .startsOnCaller() // no starter thread per pool: the model checker explores the pool alone
          .stallTimeout(Duration.ZERO) // nor the JVM-wide stall watchdog thread
          .build();
  private final List<Tracked> works = new CopyOnWriteArrayList<>();
  private final AtomicInteger stopNowCancelled = new AtomicInteger();

  /** A counting work that knows how often it was accepted; optionally requeues itself once. */
  static final class Tracked extends CountingWork {
    final AtomicInteger accepted = new AtomicInteger();
    private final WorkerPool pool;
    private final boolean requeueOnce;
    private boolean requeued;

    Tracked(WorkerPool pool, boolean requeueOnce) {
      this.pool = pool;
      this.requeueOnce = requeueOnce;
    }

    @Override
    protected void run() {
      super.run();
      if (requeueOnce && !requeued) {
        requeued = true;
        try {
          if (pool.requeue(this)) {
            accepted.incrementAndGet();
          }
        } catch (RejectedExecutionException e) {
          // after stopNow(): not accepted, so nothing more is owed
        }
      }
    }

    /** Queues this work; true if accepted. */
    boolean submit() {
      try {
        if (pool.queue(this)) {
          accepted.incrementAndGet();
          return true;
        }
        return false;
      } catch (RejectedExecutionException e) {
        return false;
      }
    }
  }

  /** Fails with a message unless every tracked work was disposed once per acceptance. */
  static long checkExactlyOnce(List<Tracked> works, WorkerPool pool, int stopNowReported) {
    long acceptances = 0;
    int stopNowCancels = 0;
    for (Tracked w : works) {
      acceptances += w.accepted.get();
      if (w.disposed() != w.accepted.get()) {
        throw new AssertionError("a work accepted " + w.accepted.get() + "x ran " + w.runs()
            + "x and was cancelled " + w.cancels() + "x");
      }
      if (w.cause() instanceof CancellationException) {
        stopNowCancels += w.cancels();
      }
    }
    PoolStats s = pool.stats();
    if (s.queued() != acceptances || s.queued() != s.executed() + s.cancelled()) {
      throw new AssertionError("stats disagree with " + acceptances + " acceptances: " + s);
    }
    if (stopNowReported >= 0 && stopNowCancels != stopNowReported) {
      throw new AssertionError("stopNow() reported " + stopNowReported + " cancellations but "
          + stopNowCancels + " works were cancelled by it");
    }
    return acceptances;
  }

  private boolean submit(boolean requeueOnce) {
    Tracked w = new Tracked(pool, requeueOnce);
    works.add(w);
    return w.submit();
  }

  @Operation
  public boolean queue() {
    return submit(false);
  }

  @Operation
  public boolean queueRequeuing() {
    return submit(true);
  }

  @Operation
  public void stop() {
    pool.stop();
  }

  @Operation
  public void stopNow() {
    stopNowCancelled.addAndGet(pool.stopNow());
  }

  @Operation
  public void freeze() {
    pool.freeze();
  }

  @Operation
  public void thaw() {
    pool.thaw();
  }

  @Validate
  public void everyAcceptedWorkDisposedExactlyOnce() {
    try {
      pool.thaw();
      pool.stop();
      if (!pool.awaitTermination(Duration.ofSeconds(30))) {
        throw new AssertionError("pool did not terminate: " + pool.stats());
      }
      if (spawner.anyAlive()) {
        throw new AssertionError("a pool thread is alive after awaitTermination");
      }
      checkExactlyOnce(works, pool, stopNowCancelled.get());
    } finally {
      pool.stopNow();
      pool.awaitTermination(Duration.ofSeconds(30));
    }
  }

  /**
   * Sequential specification: a queue is accepted exactly when it comes before the first stop()
   * or stopNow(); freeze and thaw change nothing about acceptance.
   */
  public static final class Model {
    private boolean stopped;

    public boolean queue() {
      return !stopped;
    }

    public boolean queueRequeuing() {
      return !stopped;
    }

    public void stop() {
      stopped = true;
    }

    public void stopNow() {
      stopped = true;
    }

    public void freeze() {}

    public void thaw() {}
  }

  @Test
  @Order(1)
  void stressedQueueStopFreezeRequeueDisposesEachWorkOnce() {
    new StressOptions()
        .iterations(Stress.rounds(2))
        .invocationsPerIteration(50)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(0)
        .actorsAfter(0)
        .sequentialSpecification(Model.class)
        .check(ExactlyOnceLincheckTest.class);
  }

  // ---- model checking on the real pool ---------------------------------------------------------

  @Test
  @Order(2)
  void modelCheckedStopNowRacingWithQueueAndRetirementDisposesEachWorkOnce() {
    Lincheck.runConcurrentTest(Stress.rounds(15), () -> {
      ScriptedSpawner spawner = new ScriptedSpawner();
      WorkerPool pool = WorkerPool.builder("lc-once-mc")
          .maxWorkers(2)
          .idleTimeout(Duration.ofNanos(1))
          .spawner(spawner)
          .startsOnCaller() // no starter thread per pool: the model checker explores the pool alone
          .stallTimeout(Duration.ZERO) // nor the JVM-wide stall watchdog thread
          .build();
      try {
        Tracked plain = new Tracked(pool, false);
        Tracked requeuing = new Tracked(pool, true);
        Thread a = new Thread(plain::submit);
        Thread b = new Thread(requeuing::submit);
        a.start();
        b.start();
        int cancelled = pool.stopNow();
        join(a);
        join(b);
        if (!pool.awaitTermination(Duration.ofSeconds(30))) {
          throw new AssertionError("pool did not terminate: " + pool.stats());
        }
        if (spawner.anyAlive()) {
          throw new AssertionError("a pool thread is alive after awaitTermination");
        }
        checkExactlyOnce(List.of(plain, requeuing), pool, cancelled);
      } finally {
        pool.stopNow();
        pool.awaitTermination(Duration.ofSeconds(30));
      }
    });
  }

  static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
