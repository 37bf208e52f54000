package org.asyncwq.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One pool thread's loop: take a work from the pool's {@link Worklist}, run it, and when there is
 * none, spin briefly, then sleep on the {@linkplain WorkerRoster idle stack} until woken, retiring
 * after the idle timeout if the pool is above its minimum.
 *
 * <p><b>Phases.</b> {@link #phase} is {@link #ACTIVE} while the thread runs or looks for work,
 * {@link #IDLE} while it sleeps on the idle stack (a waker wins it with a CAS to {@code ACTIVE}),
 * {@link #BENCHED} while it sits out beyond a lowered maximum, and {@link #GONE} once it gave its
 * slot back. Only the thread itself leaves {@code ACTIVE}; only a waker or the thread's own
 * retirement leaves {@code IDLE}.
 *
 * <p><b>Surplus.</b> After {@link WorkerPool#setMaxWorkers} lowered the maximum, the pool has more
 * workers than it may run at once. Before each take a worker checks {@code live - benched > max}
 * (threads still starting run nothing yet, so they do not count); the ones that find it true
 * (counted in {@link Bench#benched} by CAS, so exactly the surplus sits out) take no work,
 * and either rejoin when the maximum comes back up or retire after the pool's idle timeout, as an
 * idle worker does. Like an idle worker, a benched one looks {@link #LOOKS_BEFORE_SLEEP} times,
 * yielding its core in between, before it parks: a thresholded lane lowers its maximum at the end
 * of every burst and raises it a few works into the next, and on back-to-back bursts that short
 * look catches the raise where a park cost a futex wake-up and two context switches per benched
 * worker and burst. (Benched workers once retired after {@code min(idleTimeout, 1 s)}: a
 * thresholded lane then started three new threads for every burst that came more than a second
 * after the previous one, where a fixed lane started none.)
 *
 * <p><b>The rescuer's place.</b> A work the {@link Rescuer} runs counts against the maximum (the
 * rescuer stands in for a worker that could not be had yet). A worker that arrives while it runs
 * and would push the pool past the maximum finds the take refused ({@link Bench#mayTake()},
 * under the take token) and sits out the same way until the rescuer's work returns.
 */
final class Worker implements Runnable {
  static final int ACTIVE = 0;
  static final int IDLE = 1;
  static final int BENCHED = 2;
  static final int GONE = 3;

  private static final VarHandle PHASE;
  private static final VarHandle EXECUTED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      PHASE = l.findVarHandle(Worker.class, "phase", int.class);
      EXECUTED = l.findVarHandle(Worker.class, "executed", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * How often a worker that ran dry looks at the worklist again, yielding its core in between,
   * before it goes to sleep. A single producer queueing a burst is slower than a worker running
   * small works; a worker that slept at once would cost the producer a wake-up every few works.
   */
  private static final int LOOKS_BEFORE_SLEEP = 8;

  final WorkerPool pool;
  final String name;
  private final WorkerRoster roster;
  private final Bench bench;
  private final Worklist worklist;
  final PoolThreads threads;

  /**
   * 1 if the pool has a rescuer, whose work holds one of the maximum's places: the cheap first
   * test of the surplus check must then look at {@code live == max} too.
   */
  private final int slack;

  /** Won once: by the thread when it starts, or by the spawn-failure path when it never will. */
  private final AtomicBoolean claimed = new AtomicBoolean();

  /** See the class comment; changed by the thread itself, or by a waker's CAS. */
  volatile int phase = ACTIVE;

  /** Whether this worker is linked in the idle stack; cleared by whoever unlinks it. */
  volatile boolean stacked;

  /** The slot below this one on the idle stack; written only while this worker is not on it. */
  volatile int nextIdle;

  /** Whether this worker counts in {@link WorkerRoster#searching}; thread-confined. */
  boolean searching;

  /** Index in the roster; set once by {@link WorkerRoster#register}. */
  int slot;

  /** Set (under the roster lock) once its executed count moved to the pool's departed counter. */
  volatile boolean departed;

  /** Runs finished by this worker; written by its thread only (opaque), read by stats. */
  @SuppressWarnings("unused") // through EXECUTED
  private long executed;

  volatile Thread thread;

  Worker(WorkerPool pool, WorkerRoster roster, Worklist worklist, PoolThreads threads,
      String name) {
    this.threads = threads;
    this.pool = pool;
    this.roster = roster;
    this.bench = roster.bench;
    this.worklist = worklist;
    this.name = name;
    this.slack = bench.hasRescuer ? 1 : 0;
  }

  /** Claims the right to account for this worker's slot; true exactly once. */
  boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  long executed() {
    return (long) EXECUTED.getOpaque(this);
  }

  /** A waker's claim on a sleeping worker; false if it is not idle (it retired meanwhile). */
  boolean wake() {
    if (PHASE.compareAndSet(this, IDLE, ACTIVE)) {
      LockSupport.unpark(thread);
      return true;
    }
    return false;
  }

  @Override
  public void run() {
    if (!claim()) {
      return; // the spawn was already counted as failed; this body must not run
    }
    thread = Thread.currentThread();
    threads.prepare(thread);
    roster.register(this);
    boolean clean = false;
    try {
      loop();
      clean = true;
    } finally {
      threads.workerExited(this, clean);
    }
  }

  /** Takes and runs works until the pool stops or this worker retires (its slot is then given back). */
  private void loop() {
    for (; ; ) {
      long c = roster.ctl;
      // Beyond a lowered maximum, enough workers sit out (benched) to bring the rest within it;
      // the rest take work as usual. Comparing live alone would spin this worker until the
      // benched ones had retired. The benched count is read only past the cheap first test, so
      // the common case (within the maximum) costs no extra shared read per work.
      int max = pool.maxWorkers();
      if (ControlWord.live(c) > max - slack && bench.mustSitOut(c, max)) {
        if (!sitOut()) {
          return;
        }
        continue;
      }
      Work work = worklist.take(bench);
      if (work != null && searching) {
        searching = false;
        roster.searching.decrementAndGet(); // then look for more (below): see WorkerRoster
      }
      if (work == null) {
        c = roster.ctl;
        if ((c & ControlWord.NOW) != 0 || ((c & ControlWord.STOP) != 0 && worklist.isEmpty())) {
          leaveStopping();
          return;
        }
        if ((c & ControlWord.FROZEN) == 0 && !worklist.isEmpty()) {
          continue;
        }
        if (!idle()) {
          return;
        }
        continue;
      }
      if (!worklist.isEmpty()) {
        roster.signal(); // more is waiting: wake one more worker (ForkJoinPool's cascade)
      }
      pool.runner.run(this, work);
      EXECUTED.setOpaque(this, (long) EXECUTED.getOpaque(this) + 1);
    }
  }

  private void stopSearching() {
    if (searching) {
      searching = false;
      roster.searching.decrementAndGet();
    }
  }

  /** The pool stops: give the slot back; the last one out marks the pool done. */
  private void leaveStopping() {
    stopSearching();
    phase = GONE;
    roster.leave();
    if (!worklist.isEmpty()) {
      roster.signal(); // queued by a requeue after this worker looked: a thread must take it
    }
    threads.tryTerminate();
  }

  /**
   * Sleeps until woken, the pool stops, or the idle timeout passes.
   *
   * @return false if this worker retired and its thread must end
   */
  private boolean idle() {
    if (!searching) {
      searching = true;
      roster.searching.incrementAndGet();
    }
    for (int i = 0; i < LOOKS_BEFORE_SLEEP; i++) {
      long c = roster.ctl;
      if ((c & (ControlWord.STOP | ControlWord.FROZEN)) != 0) {
        break;
      }
      if (!worklist.isEmpty()) {
        return true;
      }
      Thread.yield();
    }
    stopSearching();
    long c = roster.pushIdle(this);
    // The re-check of the idle protocol (see WorkerRoster): a work queued before the push is seen
    // here; one queued after it sees this worker on the stack.
    if ((c & ControlWord.STOP) != 0) {
      roster.wakeAll();
    } else if (!worklist.isEmpty()) {
      roster.signal();
    }
    long idleSince = System.nanoTime();
    long timeout = pool.idleTimeoutNanos();
    // A worker at or below the minimum can never retire: it parks without a timeout from the
    // start instead of after one idle timeout. Its wake-up would only find that out, and with a
    // clock that does not move (Lincheck's model checker returns a constant nanoTime) the timeout
    // never expires and the timed park becomes a spin.
    boolean mayRetire = ControlWord.live(roster.ctl) > pool.minWorkers();
    while (phase == IDLE) {
      if (mayRetire) {
        LockSupport.parkNanos(pool, Math.max(idleSince + timeout - System.nanoTime(), 1L));
      } else {
        LockSupport.park(pool); // at the minimum: nothing to time out for; woken like any idler
      }
      Thread.interrupted(); // an interrupt meant for a finished work must not spin this park
      if (phase != IDLE) {
        break;
      }
      long now = System.nanoTime();
      if (now - (idleSince + timeout) >= 0) {
        if (roster.retireIdle(pool.minWorkers())) {
          if ((int) PHASE.getAndSet(this, GONE) == ACTIVE) {
            roster.signal(); // a waker won this worker just before it retired: pass the wake on
          }
          threads.retired(this);
          bench.wakeAdmittedBenched(); // its place may admit a worker sitting out
          return false;
        }
        // At or below the minimum (or stopping): this worker stays; it does not wake again
        // every idle timeout (a tiny timeout would make that a spin).
        mayRetire = ControlWord.live(roster.ctl) > pool.minWorkers();
        idleSince = now;
      }
    }
    return true;
  }

  /**
   * Sits out while the pool has more workers than its maximum allows; returns false if this worker
   * retired instead.
   */
  private boolean sitOut() {
    stopSearching();
    int max = pool.maxWorkers();
    int lent = bench.lent();
    for (; ; ) {
      int b = bench.benched.get();
      if (ControlWord.live(roster.ctl) - b + lent <= max) {
        return true; // enough others sit out already
      }
      if (bench.benched.compareAndSet(b, b + 1)) {
        break;
      }
    }
    phase = BENCHED;
    if (!worklist.isEmpty()) {
      roster.signal(); // this worker will not take the work it may have been woken for
    }
    long grace = pool.idleTimeoutNanos();
    long deadline = System.nanoTime() + grace;
    int looks = 0;
    try {
      for (; ; ) {
        long c = roster.ctl;
        lent = bench.lent();
        if ((c & ControlWord.NOW) != 0 || ((c & ControlWord.STOP) != 0 && lent == 0)
            || ControlWord.live(c) - (bench.benched.get() - 1) + lent <= pool.maxWorkers()) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          if (roster.retireSurplus(pool.maxWorkers())) {
            phase = GONE;
            bench.benched.decrementAndGet();
            threads.retired(this);
            return false;
          }
          deadline = System.nanoTime() + grace;
          continue;
        }
        if (looks < LOOKS_BEFORE_SLEEP) {
          looks++;
          Thread.yield();
          continue;
        }
        LockSupport.parkNanos(pool, left);
        Thread.interrupted();
      }
    } finally {
      if (phase == BENCHED) {
        phase = ACTIVE;
        bench.benched.decrementAndGet();
      }
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
