package org.asyncwq.pool;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One pool thread and the list of works handed to it: btrfs' {@code struct btrfs_worker_thread}.
 *
 * <p>Producers append to {@link #list} under this object's monitor and wake the thread only if it
 * is asleep ({@link #awake} false), so a burst of works costs one wake-up, not one per work. The
 * thread takes works one at a time under the same monitor; {@code stopNow()} can therefore take
 * every waiting work away from a worker that is stuck in a long {@code run()}, and each work leaves
 * the list exactly once, through whoever removed it.
 *
 * <p>A worker stops accepting work by setting {@link #closed} under its monitor, and only does so
 * with the pool's main lock held and its list empty. Placement reads {@link #load} and
 * {@link #closed} without a lock; {@link #offer} re-checks {@code closed} under the monitor, so a
 * producer that raced with retirement simply places the work again elsewhere. This is the shape
 * that removes the races of seed 003's "eliminate races in worker stopping code": a worker is never
 * on a list the pool still hands work to after it decided to leave.
 */
final class Worker implements Runnable {
  final WorkerPool pool;
  final String name;

  /** Won once: by the thread when it starts, or by the spawn-failure path when it never will. */
  private final AtomicBoolean claimed = new AtomicBoolean();

  @GuardedBy("this")
  private final WorkList list = new WorkList();

  /** Set once, under this monitor and the pool's main lock, when the worker leaves. */
  private volatile boolean closed;

  /**
   * False only while the thread sleeps with nothing to do (btrfs' {@code working} inverted). Written
   * under this monitor; a producer that turns it true owns the wake-up.
   */
  private volatile boolean awake = true;

  private static final VarHandle LOAD;

  static {
    try {
      LOAD = MethodHandles.lookup().findVarHandle(Worker.class, "load", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Works on the list plus the one running from it. Only written under this monitor, with a release
   * store: placement reads it lock-free as a hint (acquire), and a hint needs no full fence. Two
   * volatile stores per work were the largest fixed cost of the queue path.
   */
  @GuardedBy("this")
  private int load;

  @GuardedBy("this")
  private long accepted;

  @GuardedBy("this")
  private long executed;

  /**
   * Runs finished since the last time the thread held this monitor (thread-confined); each one,
   * own or from the backlog, counted in {@link #load} and not yet in {@link #executed}.
   */
  private int finished;

  volatile Thread thread;

  Worker(WorkerPool pool, String name) {
    this.pool = pool;
    this.name = name;
  }

  /** Claims the right to account for this worker's slot; true exactly once. */
  boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  int load() {
    return (int) LOAD.getAcquire(this);
  }

  @GuardedBy("this")
  private void addLoad(int delta) {
    LOAD.setRelease(this, load + delta);
  }

  boolean isClosed() {
    return closed;
  }

  boolean isIdle() {
    return !awake;
  }

  /**
   * Appends a work and wakes the thread if it sleeps.
   *
   * @param requeue whether this is a requeue from the worker's own thread (allowed while the pool
   *     drains after {@code stop()})
   * @return false if the worker has left; the caller places the work elsewhere
   * @throws java.util.concurrent.RejectedExecutionException if the pool no longer accepts the work
   */
  boolean offer(Work work, boolean requeue) {
    return offer(work, requeue, Integer.MAX_VALUE);
  }

  /**
   * Like {@link #offer(Work, boolean)}, but only while this worker's load is below {@code limit}:
   * placement read the load without a lock, and concurrent producers that all saw the same bored
   * worker must not push it past the threshold together.
   *
   * @return false if the worker has left or is no longer below {@code limit}
   */
  boolean offer(Work work, boolean requeue, int limit) {
    boolean wake;
    boolean behindBusy;
    synchronized (this) {
      if (closed || load >= limit) {
        return false;
      }
      pool.checkAccepting(work, requeue);
      list.addLast(work);
      addLoad(1);
      accepted++;
      wake = !awake;
      if (wake) {
        awake = true;
      }
      behindBusy = load > 1 && pool.isWorkStealing();
    }
    if (wake) {
      LockSupport.unpark(thread);
    }
    if (behindBusy) {
      pool.wakeThief(this);
    }
    return true;
  }

  /** Wakes the thread if it sleeps; used when work waits in the pool's backlog. */
  boolean wakeIfIdle() {
    synchronized (this) {
      if (closed || awake) {
        return false;
      }
      awake = true;
    }
    LockSupport.unpark(thread);
    return true;
  }

  /**
   * Gives the oldest waiting work of this worker to an idle worker of a stealing pool; {@code
   * null} if none waits. Like the backlog, the thief runs it as not its own.
   */
  Work steal() {
    synchronized (this) {
      Work work = list.poll();
      if (work != null) {
        addLoad(-1);
      }
      return work;
    }
  }

  /** Removes every waiting work into {@code into} ({@code stopNow()}); returns how many. */
  synchronized int drainTo(WorkList into) {
    int n = list.size();
    list.drainTo(into);
    addLoad(-n);
    return n;
  }

  /**
   * Closes this worker if it has nothing to do; called by the pool with its main lock held.
   *
   * @return false if work arrived or a producer woke it meanwhile
   */
  synchronized boolean closeIfEmpty() {
    if (awake || !list.isEmpty()) {
      return false;
    }
    closed = true;
    return true;
  }

  /** Closes the worker whatever it holds and hands its waiting works to {@code into}. */
  synchronized void closeAndDrainTo(WorkList into) {
    closed = true;
    int n = list.size();
    list.drainTo(into);
    addLoad(-n);
  }

  synchronized int pending() {
    return list.size();
  }

  synchronized long accepted() {
    return accepted;
  }

  synchronized long executed() {
    return executed;
  }

  /**
   * Counts a work this worker took from the pool's backlog, or stole from another worker, in its
   * load like one of its own: uncounted, a busy worker looks bored and collects works behind the
   * one it runs.
   */
  synchronized void tookWork() {
    addLoad(1);
  }

  /** Marks the thread awake again after it found backlog work on its own while going idle. */
  synchronized void markAwake() {
    awake = true;
  }

  @GuardedBy("this")
  private void settle() {
    if (finished != 0) {
      addLoad(-finished);
    }
    executed += finished;
    finished = 0;
  }

  @Override
  public void run() {
    if (!claim()) {
      return; // the spawn was already counted as failed; this body must not run
    }
    thread = Thread.currentThread();
    pool.workerStarted(this);
    boolean clean = false;
    try {
      loop();
      clean = true;
    } finally {
      pool.workerExited(this, clean);
    }
  }

  private void loop() {
    int tick = 0;
    for (; ; ) {
      Work work = null;
      boolean own = false;
      // Every fourth work comes from the backlog while it has any, so that works parked there
      // while a thread was being started are not starved by a steady stream to this worker.
      if (pool.hasBacklog() && (++tick & 3) == 0) {
        work = pool.pollBacklog(this);
      }
      boolean more = false;
      if (work == null) {
        synchronized (this) {
          settle();
          work = list.poll();
          more = !list.isEmpty();
        }
        own = work != null;
      }
      if (work == null && pool.hasBacklog()) {
        work = pool.pollBacklog(this);
      }
      if (work == null) {
        work = pool.steal(this); // counted in this worker's load, like a backlog work
      }
      if (work == null) {
        if (!idle()) {
          return;
        }
        continue;
      }
      if (!own && pool.isWorkStealing()) {
        // a backlog or stolen work was counted in load when taken; see whether own works wait
        // behind it, which a thief should take
        synchronized (this) {
          more = !list.isEmpty();
        }
      }
      if (more && pool.isWorkStealing()) {
        // works wait behind the one this worker is about to run. A producer that appended them
        // checked load under the same monitor: it either saw this work counted and woke a thief
        // itself, or appended before this check and this worker wakes one now.
        pool.wakeThief(this);
      }
      if (pool.isFrozen()) {
        putBack(work, own);
        pool.awaitThaw();
        continue;
      }
      work.owner = this;
      pool.runWork(work); // own or from the backlog, it was counted in load when taken
      finished++;
    }
  }

  /** Returns a work taken while the pool was frozen to the front of where it came from. */
  private void putBack(Work work, boolean own) {
    if (!own) {
      synchronized (this) {
        addLoad(-1);
      }
      pool.putBackBacklog(work);
      return;
    }
    boolean cancel;
    synchronized (this) {
      cancel = pool.isStoppingNow();
      if (cancel) {
        addLoad(-1);
      } else {
        list.addFirst(work);
      }
    }
    if (cancel) {
      pool.cancelOne(work, pool.stopNowCause());
    }
  }

  /**
   * Sleeps until there is work, the pool stops, or the idle timeout passes.
   *
   * @return false if this worker has left the pool and the thread must end
   */
  private boolean idle() {
    synchronized (this) {
      settle();
      if (!list.isEmpty()) {
        return true;
      }
      awake = false;
    }
    // Whoever leaves a work behind a busy worker wakes an idle one (wakeThief); one that looked
    // just before this worker went to sleep saw it awake, so look once more.
    if (pool.hasStealable(this)) {
      markAwake();
      return true;
    }
    long timeout = pool.idleTimeoutNanos();
    long deadline = System.nanoTime() + timeout;
    for (; ; ) {
      Thread.interrupted(); // an interrupt meant for a finished work must not spin the park below
      if (awake) {
        return true;
      }
      long now = System.nanoTime();
      boolean timedOut = now - deadline >= 0;
      if (pool.hasBacklog() || pool.mayLeave(timedOut)) {
        switch (pool.leaveOrStay(this, timedOut)) {
          case LEAVE:
            return false;
          case WORK:
            return true;
          case STAY:
            deadline = now + timeout;
            break;
        }
      }
      LockSupport.parkNanos(pool, Math.max(deadline - System.nanoTime(), 1L));
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
