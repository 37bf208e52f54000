package org.asyncwq.pool;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One pool thread and the works handed to it: btrfs' {@code struct btrfs_worker_thread}.
 *
 * <p><b>Two locks, as a two-lock queue.</b> Producers append to the {@link #inbox} under this
 * object's monitor and wake the thread only if it is asleep ({@link #awake} false), so a burst of
 * works costs one wake-up, not one per work. The thread takes its works one at a time from the
 * {@link Taken#batch} under a second lock that normally only it touches, and moves the whole inbox
 * into the batch, in O(1), only when the batch runs dry: producer and consumer meet on a lock once
 * per batch instead of once per work. Both lists stay reachable through their locks, so {@code
 * stopNow()} and a thief can still take every waiting work from a worker stuck in a long {@code
 * run()}, and each work leaves exactly once, through whoever removed it. Lock order: the pool's main
 * lock, then {@link #taken}, then this monitor.
 *
 * <p><b>Load without contention.</b> The load (works waiting plus the one running) is {@code in -
 * out}: {@link #in} counts works handed to this worker and is written only under this monitor,
 * {@link Taken#out} counts works that left it and is written only under the batch lock, each with a
 * release store. Reading {@code out} before {@code in} never underestimates the load, and neither
 * side writes a line the other writes on every work.
 *
 * <p><b>Leaving.</b> A worker stops accepting work by setting {@link #closed} under both locks, only
 * with the pool's main lock held and both lists empty. Placement reads the load and {@code closed}
 * without a lock; {@link #offer} re-checks under the monitor, so a producer that raced with
 * retirement places the work again elsewhere. This is the shape that removes the races of seed
 * 003's "eliminate races in worker stopping code": a worker is never on a list the pool still hands
 * work to after it decided to leave.
 */
final class Worker implements Runnable {
  private static final VarHandle IN;
  private static final VarHandle OUT;

  static {
    try {
      IN = MethodHandles.lookup().findVarHandle(Worker.class, "in", int.class);
      OUT = MethodHandles.lookup().findVarHandle(Taken.class, "out", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The consumer's side, in an object (and lock) of its own, away from the producers' writes. */
  private static final class Taken {
    /** Works moved out of the inbox, taken one at a time by the thread. */
    @GuardedBy("this")
    final WorkList batch = new WorkList();

    /** Works that left this worker: runs finished, stolen, drained, put back. Release stores. */
    @GuardedBy("this")
    int out;

    @GuardedBy("this")
    long executed;

    /** Runs finished since the thread last held this lock (thread-confined). */
    int finished;
  }

  /**
   * How many times a worker that ran dry yields its core before it goes to sleep. A single producer
   * queueing a burst is slower than a worker running small works, so the worker keeps catching up;
   * sleeping at once made the producer pay a wake-up syscall every few works (a third of its time
   * at bursts of 1000). Yielding instead of spinning gives the core to the producer on a busy
   * machine, and its next work finds the worker still awake. Four yields are a microsecond or two:
   * between bursts the worker still sleeps. Measured with BurstBenchmark on 2 cores: bursts of 1000
   * went from 5.2k to 8.0k a second, bursts of 1 stayed level; 16 yields and more kept workers
   * awake between bursts, which is not the point.
   */
  private static final int YIELDS_BEFORE_SLEEP = 4;

  final WorkerPool pool;
  final String name;

  /** Won once: by the thread when it starts, or by the spawn-failure path when it never will. */
  private final AtomicBoolean claimed = new AtomicBoolean();

  private final Taken taken = new Taken();

  @GuardedBy("this")
  private final WorkList inbox = new WorkList();

  /** Set once, under both locks and the pool's main lock, when the worker leaves. */
  private volatile boolean closed;

  /**
   * False only while the thread sleeps with nothing to do (btrfs' {@code working} inverted). Written
   * under this monitor; a producer that turns it true owns the wake-up.
   */
  private volatile boolean awake = true;

  /** Works handed to this worker: offered, or taken from the backlog or another worker. */
  @GuardedBy("this")
  private int in;

  @GuardedBy("this")
  private long accepted;

  volatile Thread thread;

  Worker(WorkerPool pool, String name) {
    this.pool = pool;
    this.name = name;
  }

  /** Claims the right to account for this worker's slot; true exactly once. */
  boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  /** Works waiting plus the one running; a lock-free hint that may run high, never low. */
  int load() {
    int left = (int) OUT.getAcquire(taken);
    return (int) IN.getAcquire(this) - left;
  }

  @GuardedBy("this")
  private void countIn() {
    IN.setRelease(this, in + 1);
  }

  private void countOut(int n) {
    OUT.setRelease(taken, taken.out + n);
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
      int load = in - (int) OUT.getAcquire(taken);
      if (closed || load >= limit) {
        return false;
      }
      pool.checkAccepting(work, requeue);
      inbox.addLast(work);
      countIn();
      accepted++;
      wake = !awake;
      if (wake) {
        awake = true;
      }
      behindBusy = load >= 1 && pool.isWorkStealing();
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
    synchronized (taken) {
      Work work;
      if (!taken.batch.isEmpty()) {
        if (pool.isFrozen()) {
          return null;
        }
        work = taken.batch.poll();
      } else {
        synchronized (this) {
          if (pool.isFrozen()) { // read under the lock that published the work; see takeOwn
            return null;
          }
          work = inbox.poll();
        }
      }
      if (work != null) {
        countOut(1);
      }
      return work;
    }
  }

  /** Removes every waiting work into {@code into} ({@code stopNow()}); returns how many. */
  int drainTo(WorkList into) {
    synchronized (taken) {
      synchronized (this) {
        int n = taken.batch.size() + inbox.size();
        into.splice(taken.batch);
        into.splice(inbox);
        countOut(n);
        return n;
      }
    }
  }

  /**
   * Closes this worker if it has nothing to do; called by the pool with its main lock held.
   *
   * @return false if work arrived or a producer woke it meanwhile
   */
  boolean closeIfEmpty() {
    synchronized (taken) {
      synchronized (this) {
        if (awake || !inbox.isEmpty() || !taken.batch.isEmpty()) {
          return false;
        }
        closed = true;
        return true;
      }
    }
  }

  /** Closes the worker whatever it holds and hands its waiting works to {@code into}. */
  void closeAndDrainTo(WorkList into) {
    synchronized (taken) {
      synchronized (this) {
        closed = true;
        drainTo(into);
      }
    }
  }

  int pending() {
    synchronized (taken) {
      synchronized (this) {
        return taken.batch.size() + inbox.size();
      }
    }
  }

  synchronized long accepted() {
    return accepted;
  }

  long executed() {
    synchronized (taken) {
      return taken.executed;
    }
  }

  /**
   * Counts a work this worker took from the pool's backlog, or stole from another worker, in its
   * load like one of its own: uncounted, a busy worker looks bored and collects works behind the
   * one it runs.
   */
  synchronized void tookWork() {
    countIn();
  }

  /** Marks the thread awake again after it found backlog work on its own while going idle. */
  synchronized void markAwake() {
    awake = true;
  }

  /** Counts the runs finished since the last time; called with the batch lock held. */
  private void settle() {
    int n = taken.finished;
    if (n != 0) {
      countOut(n);
      taken.executed += n;
      taken.finished = 0;
    }
  }

  /**
   * The next own work, or null when both lists are empty or the pool is frozen. The inbox is moved
   * into the batch only when the batch has run dry, so producers see this thread on their lock once
   * per batch.
   *
   * <p>Frozen is decided here, under the lock stopNow() drains under, and never after taking: a
   * work is either taken (and so started, even if freeze() comes a moment later) or left on the list
   * for stopNow() to take and count. Taking first and putting back when frozen let a worker cancel
   * works itself behind stopNow()'s back, and stopNow() returned too small a number.
   */
  private Work takeOwn() {
    synchronized (taken) {
      settle();
      if (taken.batch.isEmpty()) {
        synchronized (this) {
          taken.batch.splice(inbox);
        }
      }
      // Read frozen only now: a work queued after freeze() returned reached the batch through
      // the inbox lock above, so this read is ordered after that freeze().
      if (pool.isFrozen()) {
        return null;
      }
      return taken.batch.poll();
    }
  }

  /** Whether own works wait, on either list. */
  private boolean ownWorksWait() {
    synchronized (taken) {
      synchronized (this) {
        return !taken.batch.isEmpty() || !inbox.isEmpty();
      }
    }
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
      // Every fourth work comes from the backlog while it has any, so that works parked there
      // while a thread was being started are not starved by a steady stream to this worker.
      if (pool.hasBacklog() && (++tick & 3) == 0) {
        work = pool.pollBacklog(this);
      }
      if (work == null) {
        work = takeOwn();
      }
      if (work == null && pool.hasBacklog()) {
        work = pool.pollBacklog(this);
      }
      if (work == null) {
        work = pool.steal(this); // counted in this worker's load, like a backlog work
      }
      if (work == null) {
        if (pool.isFrozen() && !pool.isStoppingNow() && (ownWorksWait() || pool.hasBacklog())) {
          pool.awaitThaw(); // work waits that may not start yet; with none, idle() may still leave
        } else if (!idle()) {
          return;
        }
        continue;
      }
      if (pool.isWorkStealing() && ownWorksWait()) {
        // works wait behind the one this worker is about to run. A producer that appended them
        // read the load under the inbox lock: it either saw this work counted and woke a thief
        // itself, or appended before this check and this worker wakes one now.
        pool.wakeThief(this);
      }
      work.owner = this;
      pool.runWork(work); // own or from the backlog, it was counted in load when taken
      taken.finished++;
    }
  }

  /**
   * Sleeps until there is work, the pool stops, or the idle timeout passes.
   *
   * @return false if this worker has left the pool and the thread must end
   */
  private boolean idle() {
    for (int i = 0; i < YIELDS_BEFORE_SLEEP; i++) {
      if (load() > 0 || pool.hasBacklog()) {
        return true;
      }
      Thread.yield();
    }
    synchronized (taken) {
      settle();
      if (!taken.batch.isEmpty()) {
        return true;
      }
      synchronized (this) {
        if (!inbox.isEmpty()) {
          return true;
        }
        awake = false;
      }
    }
    // Whoever leaves a work behind a busy worker wakes an idle one (wakeThief); one that looked
    // just before this worker went to sleep saw it awake, so look once more.
    if (pool.hasStealable(this)) {
      markAwake();
      return true;
    }
    long idleSince = System.nanoTime();
    for (; ; ) {
      Thread.interrupted(); // an interrupt meant for a finished work must not spin the park below
      if (awake) {
        return true;
      }
      long now = System.nanoTime();
      // read each time: a worker that became surplus while asleep retires after a shorter grace
      long deadline = idleSince + pool.retireAfterNanos(this);
      boolean timedOut = now - deadline >= 0;
      if (pool.hasBacklog() || pool.mayLeave(timedOut)) {
        switch (pool.leaveOrStay(this, timedOut)) {
          case LEAVE:
            return false;
          case WORK:
            return true;
          case STAY:
            if (timedOut) {
              idleSince = now;
              deadline = idleSince + pool.retireAfterNanos(this);
            }
            // Look at awake again before sleeping. leaveOrStay() took the main lock, and a JDK
            // lock that had to park this thread may have used up the unpark a producer gave it
            // after setting awake: parking now would sleep a whole idle timeout with work waiting.
            // A producer that sets awake after this look gives a fresh unpark.
            if (awake) {
              return true;
            }
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
