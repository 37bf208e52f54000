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

  /**
   * {@code work} was queued and the pool is stopping. Accepted (a requeue, or a queue that raced
   * with stop()): make sure a thread runs it. But if stopNow() ran, or the pool already finished
   * without seeing the work, take the queued works back out: {@code work} itself is rejected unless
   * {@code accepted}, any other is cancelled. Whoever takes a work out disposes of it, once.
   *
   * @return whether {@code work} was taken back out and must be rejected
   */
  boolean afterStop(Work work, boolean accepted, WorkerRoster roster) {
    long c = roster.ctl;
    if ((c & (ControlWord.NOW | ControlWord.DONE)) == 0) {
      roster.signal();
      c = roster.ctl;
      if ((c & (ControlWord.NOW | ControlWord.DONE)) == 0) {
        return false;
      }
    }
    WorkBatch doomed = new WorkBatch();
    begin();
    boolean mine;
    try {
      worklist.drainTo(doomed);
      mine = doomed.contains(work) && !accepted;
      cancelAll(doomed, pool.stopNowCause(), null, accepted ? null : work);
    } finally {
      end();
    }
    return mine;
  }

}
