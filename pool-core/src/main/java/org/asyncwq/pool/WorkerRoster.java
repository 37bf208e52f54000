package org.asyncwq.pool;

import static org.asyncwq.pool.ControlWord.DONE;
import static org.asyncwq.pool.ControlWord.FROZEN;
import static org.asyncwq.pool.ControlWord.MAX_CAP;
import static org.asyncwq.pool.ControlWord.NOW;
import static org.asyncwq.pool.ControlWord.ONE_STARTING;
import static org.asyncwq.pool.ControlWord.ONE_TOTAL;
import static org.asyncwq.pool.ControlWord.ONE_VERSION;
import static org.asyncwq.pool.ControlWord.STOP;
import static org.asyncwq.pool.ControlWord.TOP_MASK;
import static org.asyncwq.pool.ControlWord.live;
import static org.asyncwq.pool.ControlWord.starting;
import static org.asyncwq.pool.ControlWord.top;
import static org.asyncwq.pool.ControlWord.total;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workers of one {@link WorkerPool}: who is alive, who sleeps, how many threads are on their
 * way, and the decision that follows every queued work: wake a sleeping worker, start a thread, or
 * do nothing because every thread is busy or about to look. It owns the pool's control word,
 * {@link #ctl} (laid out in {@link ControlWord}), and every transition of it; the workers that
 * may not take work although alive are counted by its {@link Bench}.
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
 * <p>Lock order: {@link #lock} (the pool's bookkeeping lock, a leaf) is never held while a work runs,
 * a user callback runs, or a CAS loop on {@code ctl} waits for another thread.
 */
final class WorkerRoster {
  private static final class LogHolder {
    static final org.apache.logging.log4j.Logger log =
        org.apache.logging.log4j.LogManager.getLogger(WorkerPool.class);
  }

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

  /** Workers sitting out and the rescuer's place (see {@link Bench}). */
  final Bench bench;

  /**
   * Workers looking for work without running one: just registered, or spinning before they park
   * (ForkJoinPool's "scanning" workers). While one is, {@link #signal()} neither wakes nor starts
   * anyone: that worker will see the work. Changed only when a worker runs dry or finds work after
   * running dry, never per work while works keep coming.
   */
  final AtomicInteger searching = new AtomicInteger();

  /** The pool's lock: slot assignment, the thread set, termination. */
  final Object lock = new Object();

  WorkerRoster(WorkerPool pool, Worklist worklist, boolean hasRescuer) {
    this.pool = pool;
    this.worklist = worklist;
    this.bench = new Bench(pool, this, worklist, hasRescuer);
  }

  private boolean cas(long expect, long update) {
    return CTL.compareAndSet(this, expect, update);
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
    bench.wakeBenched();
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

  /**
   * A producer that pushed a work and then saw STOP accepts it, unless NOW or DONE is set: a CAS
   * that changes only the version bits, so that a {@link #tryDone()} which read the worklist before
   * that push fails its CAS and looks again (see {@link Disposal#afterStop}). Returns whether the
   * work is accepted.
   */
  boolean acceptWhileStopping() {
    for (; ; ) {
      long c = ctl;
      if ((c & (NOW | DONE)) != 0) {
        return false;
      }
      if (cas(c, c + ONE_VERSION)) {
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
   * after the read sees STOP in its own check after queueing and either accepts its work with a CAS
   * on this word (then this CAS fails and the next look sees the work) or finds DONE and takes its
   * work back out ({@link #acceptWhileStopping()}, {@link Disposal#afterStop}).
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
