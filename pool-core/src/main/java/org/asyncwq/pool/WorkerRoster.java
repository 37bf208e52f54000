package org.asyncwq.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The workers of one {@link WorkerPool}: who is alive, who sleeps, how many threads are on their
 * way, and the decision that follows every queued work: wake a sleeping worker, start a thread, or
 * do nothing because every thread is busy or about to look.
 *
 * <p><b>The control word.</b> One {@code long}, {@link #ctl}, changed only by CAS, holds everything
 * that decision needs, so it costs one volatile read when every worker is already awake:
 *
 * <pre>
 *   bits  0-14  top     slot of the most recently idle worker (the idle stack's top), 0 = none
 *   bits 15-29  total   live workers + threads starting: the slots in use, never above maxWorkers
 *                       when a start is decided (seed 000's num_workers_starting is part of it)
 *   bits 30-44  starting threads asked for that have not registered yet
 *   bit  45     STOP    stop() or stopNow() was called: no new work
 *   bit  46     NOW     stopNow() was called: no work is taken any more
 *   bit  47     DONE    stopping, no slot in use and nothing queued: no thread will ever run again
 *   bit  48     FROZEN  freeze(): no work is taken until thaw()
 *   bits 49-63  version bumped by every push onto the idle stack, so a pop that read a stale
 *                       successor fails its CAS (the ABA of a Treiber stack of reused nodes)
 * </pre>
 *
 * <p><b>Signalling (ForkJoinPool's rule).</b> After a work is queued, {@link #signal()} wakes the
 * idle worker on top of the stack if there is one; otherwise it starts a thread if none is starting
 * already and a slot is free; otherwise it does nothing, since every live worker is either running a
 * work or about to look at the worklist, and a thread on its way will look too. A worker that takes a
 * work while more are queued calls {@code signal()} once more, so a burst wakes the pool one worker
 * at a time and a blocked worker never holds back the rest: a queued work never waits while a worker
 * of the pool is idle. A worker spins a little before it parks, so that a producer that only just
 * fell behind does not pay a wake-up per work.
 *
 * <p><b>Going idle (the lost wake-up).</b> A worker pushes itself on the idle stack with a CAS on
 * {@code ctl} and then reads the worklist's tail; a producer swaps the tail and then reads {@code
 * ctl}. Both are volatile accesses, so in the Java memory model's synchronization order one of them
 * sees the other: either the producer sees the idle worker and wakes it, or the worker sees the work
 * and wakes the top of the stack (possibly itself) before it parks.
 *
 * <p><b>Leaving.</b> An idle worker above {@code minWorkers} retires after its idle timeout
 * wherever it is in the stack: it gives its slot back in {@code ctl} first and then marks itself
 * {@link Worker#GONE}; a waker that pops a gone worker drops it and pops again, and a waker that
 * had already won the worker (its phase CAS came first) is answered by the leaving worker with a
 * fresh {@code signal()}. A slot index is reused only once its worker is gone and off the stack.
 *
 * <p>Lock order: {@link #lock} (the pool's only lock) is never held while a work runs, a user
 * callback runs, or a CAS loop on {@code ctl} waits for another thread.
 */
final class WorkerRoster {
  private static final class LogHolder {
    static final org.apache.logging.log4j.Logger log =
        org.apache.logging.log4j.LogManager.getLogger(WorkerPool.class);
  }

  static final int MAX_CAP = 0x7fff;
  private static final int TOTAL_SHIFT = 15;
  private static final int STARTING_SHIFT = 30;
  private static final int VERSION_SHIFT = 49;
  private static final long TOP_MASK = MAX_CAP;
  private static final long ONE_TOTAL = 1L << TOTAL_SHIFT;
  private static final long ONE_STARTING = 1L << STARTING_SHIFT;
  private static final long ONE_VERSION = 1L << VERSION_SHIFT;
  static final long STOP = 1L << 45;
  static final long NOW = 1L << 46;
  static final long DONE = 1L << 47;
  static final long FROZEN = 1L << 48;

  private static final VarHandle CTL;

  static {
    try {
      CTL = MethodHandles.lookup().findVarHandle(WorkerRoster.class, "ctl", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final WorkerPool pool;
  private final Worklist worklist;

  /** See the class comment. */
  volatile long ctl;

  /** Workers by slot (index 0 unused); copied on growth under {@link #lock}, read without it. */
  private volatile Worker[] slots = new Worker[8];

  /**
   * Workers that sit out (see {@link Worker}): beyond a lowered maximum, or waiting for the place
   * the rescuer holds.
   */
  final AtomicInteger benched = new AtomicInteger();

  /**
   * Whether the pool has a rescuer; set by the pool's constructor before any of its threads
   * starts, never changed after.
   */
  boolean hasRescuer;

  /**
   * 1 while the rescuer runs a work. Such a work counts against {@code maxWorkers} as one run by a
   * worker (the kernel counts a work its rescuer runs in its workqueue's {@code max_active}): set
   * under the take token when the rescuer takes it, read there by workers ({@link #mayTake}), so a
   * worker that arrives while it runs takes nothing that would exceed the maximum; cleared when it
   * returns ({@link #rescueEnds}), which wakes the workers that sat out for it.
   */
  volatile int rescuing;

  /**
   * Workers looking for work without running one: just registered, or spinning before they park
   * (ForkJoinPool's "scanning" workers). While one is, {@link #signal()} neither wakes nor starts
   * anyone: that worker will see the work. Changed only when a worker runs dry or finds work after
   * running dry, never per work while works keep coming.
   */
  final AtomicInteger searching = new AtomicInteger();

  /** The pool's lock: slot assignment, the thread set, termination. */
  final Object lock = new Object();

  WorkerRoster(WorkerPool pool, Worklist worklist) {
    this.pool = pool;
    this.worklist = worklist;
  }

  static int top(long c) {
    return (int) (c & TOP_MASK);
  }

  static int total(long c) {
    return (int) ((c >>> TOTAL_SHIFT) & MAX_CAP);
  }

  static int starting(long c) {
    return (int) ((c >>> STARTING_SHIFT) & MAX_CAP);
  }

  static int live(long c) {
    return total(c) - starting(c);
  }

  private boolean cas(long expect, long update) {
    return CTL.compareAndSet(this, expect, update);
  }

  /**
   * Read by a worker under the worklist's take token: whether it may take a work now. Not while
   * frozen or stopping now, nor while the rescuer runs a work in the place of the worker that would
   * push the pool past its maximum (see {@link #rescuing}).
   */
  boolean mayTake() {
    long c = ctl;
    if ((c & (NOW | FROZEN)) != 0) {
      return false;
    }
    return !hasRescuer || rescuing == 0 || live(c) - benched.get() < pool.maxWorkers();
  }

  /**
   * Read by the rescuer under the take token: whether it may take a work in the place of a worker
   * that is not there, keeping workers that may run plus itself within the maximum.
   */
  boolean mayRescue() {
    long c = ctl;
    return (c & (NOW | FROZEN)) == 0 && live(c) - benched.get() < pool.maxWorkers();
  }

  /**
   * Whether a worker about to take a work must sit out: the pool has more live workers than the
   * maximum allows once those sitting out and a work the rescuer runs are counted (a lowered
   * maximum, or the rescuer's place). Stopping, only the rescuer's place still counts: the
   * workers beyond a lowered maximum help the pool drain.
   */
  boolean mustSitOut(long c, int max) {
    int lent = hasRescuer ? rescuing : 0;
    if ((c & NOW) != 0 || ((c & STOP) != 0 && lent == 0)) {
      return false;
    }
    return live(c) - benched.get() + lent > max;
  }

  /** The rescuer took a work under the take token: it holds a worker's place until it returns. */
  void rescueBegins() {
    rescuing = 1;
  }

  /** The rescuer's work returned: workers waiting for its place may take work again. */
  void rescueEnds() {
    rescuing = 0;
    wakeBenched();
    if (!worklist.isEmpty()) {
      signal();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Signalling

  /**
   * Makes sure some thread will look at the worklist: wakes the top idle worker, or starts a thread
   * when none is idle, none is starting and a slot is free. One volatile read when all are awake.
   */
  void signal() {
    for (; ; ) {
      long c = ctl;
      if ((c & (FROZEN | NOW | DONE)) != 0) {
        return; // thaw() signals again; after stopNow() nothing is taken
      }
      if (searching.get() > 0) {
        return; // a worker about to look sees the work (it re-checks after its last look)
      }
      int top = top(c);
      if (top != 0) {
        Worker w = slots[top];
        long next = (c & ~TOP_MASK) | w.nextIdle;
        if (cas(c, next)) {
          w.stacked = false;
          if (w.wake()) {
            return;
          }
        }
        continue; // lost a race, or w retired in place: look again
      }
      if (starting(c) != 0 || total(c) >= pool.maxWorkers()) {
        return;
      }
      if (cas(c, c + ONE_TOTAL + ONE_STARTING)) {
        pool.startThread();
        return;
      }
    }
  }

  /** Pushes {@code w} on the idle stack; it is then woken by {@link #signal()} or a wake-all. */
  long pushIdle(Worker w) {
    w.phase = Worker.IDLE;
    for (; ; ) {
      long c = ctl;
      w.nextIdle = top(c);
      w.stacked = true;
      long next = ((c & ~TOP_MASK) | w.slot) + ONE_VERSION;
      if (cas(c, next)) {
        return next;
      }
    }
  }

  /** Takes every worker off the idle stack and wakes it (stop, thaw, a raised maximum). */
  void wakeAll() {
    long c;
    do {
      c = ctl;
      if (top(c) == 0) {
        break;
      }
    } while (!cas(c, c & ~TOP_MASK));
    Worker[] ws = slots;
    for (int i = c == 0 ? 0 : top(c); i != 0; ) {
      Worker w = ws[i];
      i = w.nextIdle; // read before w may run and push itself again
      w.stacked = false;
      w.wake();
    }
    wakeBenched();
  }

  /** Lets workers sitting out beyond a lowered maximum look again (the maximum rose, or stop). */
  void wakeBenched() {
    if (benched.get() == 0) {
      return;
    }
    for (Worker w : slots) {
      if (w != null && w.phase == Worker.BENCHED) {
        LockSupport.unpark(w.thread);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Slot accounting

  /**
   * Claims a slot for a thread start outside {@link #signal()}: build()'s minimum workers and
   * replacements. Returns false when no slot is free or the pool is done.
   */
  boolean reserveStart(boolean ignoreMax) {
    for (; ; ) {
      long c = ctl;
      if ((c & (NOW | DONE)) != 0 || (!ignoreMax && total(c) >= pool.maxWorkers())) {
        return false;
      }
      if (cas(c, c + ONE_TOTAL + ONE_STARTING)) {
        return true;
      }
    }
  }

  /** A started thread registers: it gets a slot index and stops counting as starting. */
  void register(Worker w) {
    synchronized (lock) {
      Worker[] ws = slots;
      int free = 0;
      for (int i = 1; i < ws.length; i++) {
        Worker o = ws[i];
        if (o == null || (o.departed && !o.stacked)) {
          free = i;
          break;
        }
      }
      if (free == 0) {
        free = ws.length;
        ws = Arrays.copyOf(ws, Math.min(ws.length * 2, MAX_CAP + 1));
      }
      w.slot = free;
      ws[free] = w;
      slots = ws;
      w.threads.started(Thread.currentThread());
    }
    w.searching = true;
    searching.incrementAndGet(); // before it stops counting as starting: always about to look
    long c;
    do {
      c = ctl;
    } while (!cas(c, c - ONE_STARTING));
    LogHolder.log.debug("pool {}: worker {} started", pool.name(), w);
    w.threads.registered(); // build() waits for its minimum workers
  }

  /** A start failed for good: its slot is free again. Returns the control word after. */
  long startFailed() {
    long c;
    long next;
    do {
      c = ctl;
      next = c - ONE_STARTING - ONE_TOTAL;
    } while (!cas(c, next));
    return next;
  }

  /** A worker leaves (stop, retirement, death): its slot is free. Returns the word after. */
  long leave() {
    long c;
    long next;
    do {
      c = ctl;
      next = c - ONE_TOTAL;
    } while (!cas(c, next));
    return next;
  }

  /**
   * An idle worker whose timeout passed gives its slot back, unless that would take the pool below
   * {@code min} live workers or the pool is stopping (then stop's wake-all handles it).
   */
  boolean retireIdle(int min) {
    for (; ; ) {
      long c = ctl;
      if ((c & STOP) != 0 || live(c) <= min) {
        return false;
      }
      if (cas(c, c - ONE_TOTAL)) {
        return true;
      }
    }
  }

  /** A benched worker gives its slot back if the pool still has more than {@code max}. */
  boolean retireSurplus(int max) {
    for (; ; ) {
      long c = ctl;
      if ((c & STOP) != 0 || live(c) <= max) {
        return false;
      }
      if (cas(c, c - ONE_TOTAL)) {
        return true;
      }
    }
  }

  /** Sets a state bit; returns whether this call set it. */
  boolean setBit(long bit) {
    for (; ; ) {
      long c = ctl;
      if ((c & bit) != 0) {
        return false;
      }
      if (cas(c, c | bit)) {
        return true;
      }
    }
  }

  void clearBit(long bit) {
    for (; ; ) {
      long c = ctl;
      if ((c & bit) == 0 || cas(c, c & ~bit)) {
        return;
      }
    }
  }

  /**
   * Marks the pool DONE if it is stopping, has no slot in use and nothing queued. The worklist is
   * read before the CAS and the CAS fails if a start took a slot meanwhile; a producer that queued
   * after the read sees STOP in its own check after queueing and takes its work back out (see
   * {@link WorkerPool#queue}).
   */
  boolean tryDone() {
    for (; ; ) {
      long c = ctl;
      if ((c & STOP) == 0 || (c & DONE) != 0 || total(c) != 0) {
        return false;
      }
      if ((c & NOW) == 0 && !worklist.isEmpty()) {
        return false;
      }
      if (cas(c, c | DONE)) {
        return true;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Views

  /** Live workers' threads (for interrupting and stats); holes and gone workers skipped. */
  Worker[] workers() {
    return slots;
  }

  int idleCount() {
    int n = 0;
    for (Worker w : slots) {
      if (w != null && w.phase == Worker.IDLE) {
        n++;
      }
    }
    return n;
  }

  long executedByLive() {
    long n = 0;
    for (Worker w : slots) {
      if (w != null && !w.departed) {
        n += w.executed();
      }
    }
    return n;
  }
}
