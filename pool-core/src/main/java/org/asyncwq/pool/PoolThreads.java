package org.asyncwq.pool;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The threads of one {@link WorkerPool} from birth to the pool's termination: their names, what
 * they inherit, the set that {@code awaitTermination} joins, their exits, a start that failed for
 * good, and the decision that the pool has terminated.
 *
 * <p>Termination needs four things at once: the roster is DONE (stopping, no slot in use, nothing
 * queued or stopNow), the rescuer has returned, no cancellation batch is still calling {@code
 * cancelled()} ({@link Disposal}), and then every thread in {@link #threads} is joined by the
 * waiter. Each of the first three ends with a call to {@link #tryTerminate()}, so whichever comes
 * last decides; the decision is made under {@link WorkerRoster#lock} so it is made once.
 */
final class PoolThreads {
  private static final Logger log = LogManager.getLogger(WorkerPool.class);

  private final WorkerPool pool;
  private final String name;
  private final WorkerRoster roster;
  private final Worklist worklist;
  private final Disposal disposal;
  private final ClassLoader contextLoader;
  private final AtomicInteger threadSeq = new AtomicInteger();
  private Rescuer rescuer;
  private WorkerStarter starter;

  /** Every thread the pool started that may still be alive. */
  @GuardedBy("roster.lock")
  private final Set<Thread> threads = new HashSet<>();

  @GuardedBy("roster.lock")
  private boolean rescuerRunning;

  @GuardedBy("roster.lock")
  private boolean terminated;

  /** Opened once the pool has terminated; what awaitTermination waits on. */
  private final CountDownLatch terminatedLatch = new CountDownLatch(1);

  /** While build() waits for its minimum workers: counted down as each registers. */
  private volatile CountDownLatch buildLatch;

  @GuardedBy("roster.lock")
  private long departedExecuted;

  @GuardedBy("roster.lock")
  private long retired;

  PoolThreads(WorkerPool pool, WorkerRoster roster, Worklist worklist, Disposal disposal) {
    this.pool = pool;
    this.name = pool.name();
    this.roster = roster;
    this.worklist = worklist;
    this.disposal = disposal;
    // Workers get the loader of the thread that built the pool, never that of whichever
    // submitter or starter happened to make them (issue 8, defect 8).
    this.contextLoader = Thread.currentThread().getContextClassLoader();
  }

  void init(WorkerStarter starter, Rescuer rescuer) {
    this.starter = starter;
    this.rescuer = rescuer;
  }

  Worker newWorker() {
    return new Worker(pool, roster, worklist, this, name + "-" + nextThreadNumber());
  }

  /** One sequence for every thread name of the pool, so no name ever repeats within it. */
  int nextThreadNumber() {
    return threadSeq.incrementAndGet();
  }

  /** A new pool thread's first act: no class loader of whoever happened to create it. */
  void prepare(Thread t) {
    t.setContextClassLoader(contextLoader);
  }

  void started(Thread t) {
    synchronized (roster.lock) {
      threads.removeIf(x -> !x.isAlive());
      threads.add(t);
    }
  }

  /** A worker registered (see {@link WorkerRoster#register}). */
  void registered() {
    CountDownLatch latch = buildLatch;
    if (latch != null) {
      latch.countDown();
    }
  }

  boolean owns(Thread t) {
    synchronized (roster.lock) {
      return threads.contains(t);
    }
  }

  void retired(Worker w) {
    synchronized (roster.lock) {
      retired++;
    }
    log.debug("pool {}: worker {} retired", name, w);
  }

  void workerExited(Worker w, boolean clean) {
    if (w.searching) {
      w.searching = false;
      roster.searching.decrementAndGet();
    }
    if (!clean && w.phase != Worker.GONE) {
      w.phase = Worker.GONE; // something escaped the loop itself: give the slot back
      roster.leave();
      log.error("pool {}: worker {} died", name, w);
      signalAfterFailure();
    }
    synchronized (roster.lock) {
      w.departed = true;
      departedExecuted += w.executed();
    }
    tryTerminate();
  }

  void rescuerExited() {
    synchronized (roster.lock) {
      rescuerRunning = false;
    }
    tryTerminate();
  }

  /** Asks for a thread again after a death or a failed disposal, if work waits. */
  void signalAfterFailure() {
    if (!worklist.isEmpty()) {
      roster.signal();
    }
    tryTerminate();
  }

  /**
   * A thread start failed for good. Fatal to the waiting works only if the pool has no thread and
   * no rescuer: they are cancelled, on this thread if it is the pool's own starter, else on a
   * thread of their own (see {@link Disposal}), never on the submitter (a {@code cancelled()} that
   * queues again would recurse) nor on a starter other pools share.
   */
  void startFailed(SpawnException cause) {
    long c = roster.startFailed();
    if (rescuer != null) {
      rescuer.poke();
    } else if (ControlWord.total(c) == 0 && !worklist.isEmpty()) {
      WorkBatch doomed = new WorkBatch();
      disposal.begin();
      int n = worklist.drainTo(doomed);
      log.warn("pool {}: no thread could be started and none is running; cancelled {} waiting"
          + " works: {}", name, n, cause.getMessage());
      if (starter.ownHelper && starter.helper().threads().owns(Thread.currentThread())) {
        try {
          disposal.cancelAll(doomed, cause, null, null);
        } finally {
          disposal.end();
        }
      } else {
        disposal.cancelOffThread(doomed, cause);
      }
    }
    // With a worker alive the failure is never fatal and not retried at once: that worker takes
    // the waiting works when it is free, and the next queue() asks for a thread again.
    tryTerminate();
  }

  void tryTerminate() {
    roster.tryDone();
    if (rescuer != null && (roster.ctl & ControlWord.DONE) != 0) {
      rescuer.poke(); // it may sleep with nothing to rescue; it leaves now
    }
    WorkerPool ownStarter = null;
    synchronized (roster.lock) {
      if (terminated || (roster.ctl & ControlWord.DONE) == 0 || rescuerRunning
          || !disposal.idle()) {
        return;
      }
      terminated = true;
      if (starter.ownHelper) {
        ownStarter = starter.helper();
      }
    }
    pool.monitor.stop(); // before the latch: close() returns with the MBean gone
    terminatedLatch.countDown();
    log.info("pool {} destroyed: {}", name, pool.stats());
    if (ownStarter != null) {
      ownStarter.stop();
    }
  }

  boolean isTerminated() {
    synchronized (roster.lock) {
      if (!terminated) {
        return false;
      }
      threads.removeIf(t -> !t.isAlive());
      return threads.isEmpty();
    }
  }

  /** The threads running a work now (or looking for one), for the stall watchdog's report. */
  List<Thread> busyThreads() {
    List<Thread> busy = new ArrayList<>();
    for (Worker w : roster.workers()) {
      Thread t = w == null ? null : w.thread;
      if (t != null && w.phase == Worker.ACTIVE) {
        busy.add(t);
      }
    }
    if (rescuer != null && rescuer.thread != null) {
      busy.add(rescuer.thread);
    }
    return busy;
  }

  void interruptAll() {
    for (Worker w : roster.workers()) {
      if (w != null && w.phase == Worker.ACTIVE && w.thread != null) {
        w.thread.interrupt();
      }
    }
    if (rescuer != null && rescuer.thread != null) {
      rescuer.thread.interrupt(); // its loop shrugs off an interrupt that finds it waiting
    }
  }

  long departedExecuted() {
    synchronized (roster.lock) {
      return departedExecuted;
    }
  }

  long retiredCount() {
    synchronized (roster.lock) {
      return retired;
    }
  }

  /** Whether the calling thread would wait for itself in {@code awaitTermination}. */
  boolean waitsForItself() {
    Thread me = Thread.currentThread();
    return owns(me) || disposal.isDisposer(me)
        || (starter.ownHelper && starter.helper().threads().owns(me));
  }

  /** {@link WorkerPool#awaitTermination(Duration)}: an interrupt ends the wait, status set again. */
  boolean awaitTermination(Duration timeout) {
    try {
      return awaitTerminationNanos(saturatedNanos(timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /**
   * {@link WorkerPool#close()}'s wait after its stop(): none on a thread that would wait for
   * itself; an interrupt turns it into stopNow(), the wait goes on and the status is set again.
   */
  void awaitClose() {
    if (waitsForItself()) {
      return;
    }
    boolean interrupted = false;
    for (; ; ) {
      try {
        if (awaitTerminationNanos(Long.MAX_VALUE)) {
          break;
        }
      } catch (InterruptedException e) {
        if (!interrupted) {
          pool.stopNow();
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  boolean awaitTerminationNanos(long nanos) throws InterruptedException {
    if (waitsForItself()) {
      throw new IllegalStateException("awaitTermination() called on a thread of pool '" + name
          + "' (a worker, or a cancelled() it runs): it would wait for itself");
    }
    long deadline = System.nanoTime() + nanos;
    if (!terminatedLatch.await(nanos, TimeUnit.NANOSECONDS)) {
      return false;
    }
    List<Thread> toJoin;
    synchronized (roster.lock) {
      toJoin = new ArrayList<>(threads);
    }
    for (Thread t : toJoin) {
      TimeUnit.NANOSECONDS.timedJoin(t, Math.max(deadline - System.nanoTime(), 1L));
      if (t.isAlive()) {
        return false;
      }
    }
    if (starter.ownHelper) {
      return starter.helper().threads().awaitTerminationNanos(Math.max(deadline - System.nanoTime(), 1L));
    }
    return true;
  }

  /**
   * build(): starts the rescuer and the minimum workers on the calling thread and waits until they
   * registered. On any failure, RuntimeException and Error included, it stops what it started and
   * throws {@link IllegalStateException} (an Error as itself).
   */
  void startAtBuild(int minWorkers) {
    CountDownLatch latch = new CountDownLatch(minWorkers);
    buildLatch = latch;
    try {
      if (rescuer != null) {
        synchronized (roster.lock) {
          rescuerRunning = true;
        }
        try {
          starter.startNow(name + "-rescuer", rescuer);
        } catch (RuntimeException | Error e) {
          synchronized (roster.lock) {
            rescuerRunning = false;
          }
          throw e;
        }
      }
      for (int i = 0; i < minWorkers; i++) {
        roster.reserveStart(true);
        Worker worker = newWorker();
        try {
          starter.startNow(worker.name, worker);
        } catch (RuntimeException | Error e) {
          if (worker.claim()) {
            roster.startFailed();
          }
          throw e;
        }
      }
      try {
        latch.await(); // build() returns with its minimum workers registered
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("pool '" + name + "': interrupted in build()", e);
      } finally {
        buildLatch = null;
      }
    } catch (RuntimeException | Error e) {
      pool.stopNow();
      if (starter.ownHelper) {
        starter.helper().stopNow();
      }
      if (e instanceof IllegalStateException || e instanceof Error) {
        throw e;
      }
      throw new IllegalStateException("pool '" + name + "' could not start: " + e, e);
    }
  }
}
