package org.asyncwq.pool;

import static org.asyncwq.pool.ControlWord.NOW;
import static org.asyncwq.pool.ControlWord.FROZEN;
import static org.asyncwq.pool.ControlWord.STOP;
import static org.asyncwq.pool.ControlWord.live;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The workers of one {@link WorkerPool} that may not take work although they are alive: those
 * that sit out ({@link Worker#BENCHED}) beyond a lowered maximum, and the place a work the {@link
 * Rescuer} runs holds in the maximum. It answers whether a worker or the rescuer may take a work
 * now, and wakes benched workers when places open (a raised maximum, a retirement, the rescuer's
 * work returning).
 */
final class Bench {
  private final WorkerPool pool;
  private final WorkerRoster roster;
  private final Worklist worklist;

  /**
   * Workers that sit out (see {@link Worker}): beyond a lowered maximum, or waiting for the place
   * the rescuer holds.
   */
  final AtomicInteger benched = new AtomicInteger();

  /** Whether the pool has a rescuer; fixed when the pool is built. */
  final boolean hasRescuer;

  /**
   * 1 while the rescuer runs a work. Such a work counts against {@code maxWorkers} as one run by a
   * worker (the kernel counts a work its rescuer runs in its workqueue's {@code max_active}): set
   * under the take token when the rescuer takes it, read there by workers ({@link #mayTake}), so a
   * worker that arrives while it runs takes nothing that would exceed the maximum; cleared when it
   * returns ({@link #rescueEnds}), which wakes the workers that sat out for it.
   */
  volatile int rescuing;

  Bench(WorkerPool pool, WorkerRoster roster, Worklist worklist, boolean hasRescuer) {
    this.pool = pool;
    this.roster = roster;
    this.worklist = worklist;
    this.hasRescuer = hasRescuer;
  }

  /**
   * Read by a worker under the worklist's take token: whether it may take a work now. Not while
   * frozen or stopping now, nor while the rescuer runs a work in the place of the worker that would
   * push the pool past its maximum (see {@link #rescuing}).
   */
  boolean mayTake() {
    long c = roster.ctl;
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
    long c = roster.ctl;
    return (c & (NOW | FROZEN)) == 0 && live(c) - benched.get() < pool.maxWorkers();
  }

  /**
   * Whether a worker about to take a work must sit out: the pool has more live workers than the
   * maximum allows once those sitting out and a work the rescuer runs are counted (a lowered
   * maximum, or the rescuer's place). Stopping, only the rescuer's place still counts: the
   * workers beyond a lowered maximum help the pool drain.
   */
  boolean mustSitOut(long c, int max) {
    int lent = lent();
    if ((c & NOW) != 0 || ((c & STOP) != 0 && lent == 0)) {
      return false;
    }
    return live(c) - benched.get() + lent > max;
  }

  /** The place a work the rescuer runs holds in the maximum now: 0 or 1. */
  int lent() {
    return hasRescuer ? rescuing : 0;
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
      roster.signal();
    }
  }

  /** Lets every worker sitting out beyond a lowered maximum look again (stop, the rescuer's end). */
  void wakeBenched() {
    wakeBenched(Integer.MAX_VALUE);
  }

  /**
   * The maximum rose: wakes only as many benched workers as it now admits ({@code max - (live -
   * benched) - lent}), not all of them. A thresholded lane raises its maximum one step at a time,
   * so waking every benched worker woke all but one of them only to park again (three wake-ups and
   * re-parks per burst at limitActive 4). A worker between its count in {@link #benched} and its
   * {@code BENCHED} phase is not seen here, but reads the raised maximum before it parks. Also
   * called when an idle worker retires: its place may admit a benched one (a count of live
   * workers read here just before such a retirement would otherwise leave it asleep).
   */
  void wakeAdmittedBenched() {
    int b = benched.get();
    if (b == 0) {
      return;
    }
    int admitted = pool.maxWorkers() - (live(roster.ctl) - b) - lent();
    if (admitted > 0) {
      wakeBenched(admitted);
    }
  }

  private void wakeBenched(int n) {
    if (benched.get() == 0) {
      return;
    }
    for (Worker w : roster.workers()) {
      if (n == 0) {
        return;
      }
      if (w != null && w.phase == Worker.BENCHED) {
        LockSupport.unpark(w.thread);
        n--;
      }
    }
  }
}
