package org.asyncwq.pool;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * How a {@link WorkerPool} gives up on works: the one place {@link Work#abandon(Throwable)} (and so
 * the user's {@code cancelled()}) is called.
 *
 * <p>A work reaches here only after leaving the {@link Worklist} through its take token, by exactly
 * one party, so it is cancelled at most once; every path that takes works out without running them
 * ({@code stopNow()}, a spawn failure on a pool with no thread, a producer that finds the pool
 * stopping after it queued) ends here, so it is cancelled at least once.
 *
 * <p><b>Whose thread.</b> {@code cancelled()} is user code and may block or call back into the pool.
 * It runs on the thread that called {@code stopNow()}, on a thread of the pool itself, or, when a
 * spawn fails for good on a starter that other pools share, on a one-shot thread made for it: never
 * on a thread other pools depend on. While a thread runs cancellations for a pool it is recorded
 * in {@link #disposers}, so that a {@code close()} it makes from inside {@code cancelled()} stops
 * the pool without waiting for itself, and the pool does not count as terminated before the last
 * {@code cancelled()} returned.
 */
final class Disposal {
  private static final Logger log = LogManager.getLogger(WorkerPool.class);

  private final WorkerPool pool;
  private final Object lock;

  final AtomicLong cancelled = new AtomicLong();

  /** Works a producer queued and then took back out to reject (the pool stopped meanwhile). */
  final AtomicLong revoked = new AtomicLong();

  /** Requeues accepted whose run has not returned; see {@link RequeuesInFlight}. */
  final RequeuesInFlight requeues = new RequeuesInFlight();

  /** Requeued works cancelled on their runner, never pushed: stats count them as queued. */
  final AtomicLong cancelledUnpushed = new AtomicLong();

  /** Threads running cancellations for this pool now (a thread may nest: a count per entry). */
  @GuardedBy("lock")
  private final Set<Thread> disposers = new HashSet<>();

  @GuardedBy("lock")
  private int batches;

  private final Worklist worklist;

  Disposal(WorkerPool pool, Object lock, Worklist worklist) {
    this.pool = pool;
    this.lock = lock;
    this.worklist = worklist;
  }

  /** Counts a batch about to be cancelled; the pool does not terminate before {@link #end()}. */
  void begin() {
    synchronized (lock) {
      batches++;
    }
  }

  void end() {
    synchronized (lock) {
      batches--;
    }
    pool.threads().tryTerminate();
  }

  boolean idle() {
    synchronized (lock) {
      return batches == 0;
    }
  }

  boolean isDisposer(Thread t) {
    synchronized (lock) {
      return disposers.contains(t);
    }
  }

  /**
   * Cancels every work of {@code doomed} on the calling thread, except {@code keep}, which is given
   * back its pending mark instead (a producer's own work it rejects). Call between {@link #begin()}
   * and {@link #end()}. Returns how many were cancelled.
   */
  int cancelAll(WorkBatch doomed, Throwable cause, Consumer<Work> observer, Work keep) {
    Thread me = Thread.currentThread();
    boolean added;
    synchronized (lock) {
      added = disposers.add(me);
    }
    int n = 0;
    try {
      for (Work work = doomed.poll(); work != null; work = doomed.poll()) {
        if (work == keep) {
          revoked.incrementAndGet(); // never accepted: stats must not count it as queued
          work.clearPending();
          continue;
        }
        if (observer != null) {
          observer.accept(work);
        }
        cancelOne(work, cause);
        n++;
      }
    } finally {
      if (added) {
        synchronized (lock) {
          disposers.remove(me);
        }
      }
    }
    return n;
  }

  void cancelOne(Work work, Throwable cause) {
    work.clearPending();
    cancelled.incrementAndGet();
    try {
      work.abandon(cause);
    } catch (Throwable t) {
      log.warn("pool {}: cancelled() of {} threw", pool.name(), work, t);
    }
  }

  /**
   * Cancels {@code doomed} (counted by {@link #begin()}) on a thread of its own: a spawn failed for
   * good on a starter other pools share. If not even that thread can be had, the works go back to
   * the worklist and the pool asks for a thread again, with the starter's backoff: they are never
   * cancelled on a shared thread.
   */
  void cancelOffThread(WorkBatch doomed, Throwable cause) {
    Thread t =
        new Thread(null, () -> {
          try {
            cancelAll(doomed, cause, null, null);
          } finally {
            end();
          }
        }, pool.name() + "-cancel-" + pool.threads().nextThreadNumber(), 0, false);
    t.setDaemon(true);
    pool.threads().prepare(t);
    try {
      t.start();
    } catch (Throwable e) {
      log.error("pool {}: no thread to cancel {} works on; they wait for a thread again: {}",
          pool.name(), doomed.size(), e.toString());
      for (Work w = doomed.poll(); w != null; w = doomed.poll()) {
        worklist.push(w);
      }
      end();
      pool.threads().signalAfterFailure();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Works queued after the pool stopped, and requeues stopNow() counted: its count is exact

  /**
   * Whether stopNow()'s sweep is complete: the stopNow() that set NOW has closed the {@link
   * RequeuesInFlight} and drained the worklist. From then on every work in the worklist was pushed
   * after that sweep by a producer that will take it back ({@link #afterStop}).
   */
  private volatile boolean swept;

  /** Works a late producer's drain took that belong to another late producer (see afterStop). */
  @GuardedBy("late")
  private final Set<Work> lateTaken = new HashSet<>();

  /** Held while a late producer drains and sorts what it took; a leaf, never held with another. */
  private final Object late = new Object();

  /** Cancels a requeued work stopNow() counted ({@link RequeuesInFlight#close()}), on its runner. */
  void cancelCountedRequeue(Work work) {
    cancelledUnpushed.incrementAndGet();
    cancelOne(work, pool.stopNowCause());
  }

  /** The stopNow() that set NOW has drained the worklist (called in a finally). */
  void sweepDone() {
    swept = true;
  }

  /**
   * {@code work} was pushed and its producer then saw the pool stopping. Accepted (a requeue, or a
   * queue that raced with stop()) while the pool neither stopped now nor finished: a thread runs it
   * (or stopNow()'s sweep takes it, counted). Otherwise the work is late: pushed after stopNow()'s
   * sweep, or after the pool finished, and its producer takes it back out to reject it. A late work
   * is never cancelled here, so every {@code CancellationException} a work gets was counted by the
   * stopNow() that sent it.
   *
   * <p>Accepting is a CAS on the control word that fails once NOW or DONE is set: {@link
   * WorkerRoster#tryDone()} decides DONE with a CAS on the same word after it found the worklist
   * empty, so either that CAS sees this work queued or this one sees DONE (a frozen pool, whose
   * signal() starts no thread to change the word, could otherwise finish with this work accepted
   * and never run).
   *
   * @return whether {@code work} was taken back out and must be rejected
   */
  boolean afterStop(Work work, boolean accepted, WorkerRoster roster) {
    if (roster.acceptWhileStopping()) {
      roster.signal();
      return false;
    }
    long c = roster.ctl;
    if (accepted && (c & ControlWord.NOW) != 0) {
      // A requeue pushed while stopNow() waited for it (RequeuesInFlight): its sweep takes it.
      return false;
    }
    if ((c & ControlWord.NOW) != 0) {
      // Whatever was queued before stopNow()'s sweep is the sweep's, and counted by it.
      for (int spins = 0; !swept; spins++) {
        if (spins < 32) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
    }
    return takeBackLate(work, accepted);
  }

  /**
   * Takes {@code own} back out of the worklist, late. Other late works this drain takes are set
   * aside, still pending, for their own producers, which come here too (each saw STOP after its
   * push) and reject them; a work neither here nor set aside was taken by a stopNow() sweep (and
   * counted there).
   */
  private boolean takeBackLate(Work own, boolean accepted) {
    boolean mine = false;
    synchronized (late) {
      WorkBatch batch = new WorkBatch();
      worklist.drainTo(batch);
      for (Work w = batch.poll(); w != null; w = batch.poll()) {
        if (w == own) {
          mine = true;
        } else {
          lateTaken.add(w);
        }
      }
      if (!mine) {
        mine = lateTaken.remove(own);
      }
    }
    if (!mine) {
      return false;
    }
    if (accepted) {
      // A requeue from the rescuer that met a pool which had finished without it (no worker slot
      // was in use): accepted, so disposed of once, as a work that can never run. Not stopNow()'s.
      cancelOne(own, new IllegalStateException(
          "pool '" + pool.name() + "' finished before the requeued work could run again"));
      return false;
    }
    revoked.incrementAndGet(); // never accepted: stats must not count it as queued
    own.clearPending();
    return true;
  }
}
