package org.asyncwq.pool;

import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The control transitions of one {@link WorkerPool} behind its public methods: a raised maximum,
 * freeze and thaw, stop and stopNow. Each sets or clears bits of {@link WorkerRoster#ctl} and then
 * wakes whoever must look again (idle or benched workers, the rescuer, a new thread); the states
 * and triggers are listed in {@code WorkerPool}'s implementation overview.
 */
final class PoolControl {
  private static final Logger log = LogManager.getLogger(WorkerPool.class);

  private final WorkerPool pool;
  private final WorkerRoster roster;
  private final Worklist worklist;
  private final Disposal disposal;
  private final PoolThreads threads;
  private final Rescuer rescuer;

  PoolControl(WorkerPool pool, WorkerRoster roster, Worklist worklist, Disposal disposal,
      PoolThreads threads, Rescuer rescuer) {
    this.pool = pool;
    this.roster = roster;
    this.worklist = worklist;
    this.disposal = disposal;
    this.threads = threads;
    this.rescuer = rescuer;
  }

  /** The maximum went up: benched workers take work again and waiting work gets threads. */
  void maxRaised() {
    roster.bench.wakeAdmittedBenched();
    if (!worklist.isEmpty()) {
      // One thread for each waiting work up to the new maximum, even with a start in flight:
      // that start may be the one held up (it is what a raised limit is usually for).
      int waiting = worklist.size();
      for (int i = 0; i < waiting && roster.reserveStart(false); i++) {
        pool.startThread();
      }
      roster.signal();
    }
  }

  void freeze() {
    roster.setBit(ControlWord.FROZEN);
    worklist.barrier(); // a worker that read the gate before the bit was set has taken its work
    log.info("pool {} frozen", pool.name());
  }

  void thaw() {
    roster.clearBit(ControlWord.FROZEN);
    if (!worklist.isEmpty()) {
      roster.signal();
    }
    pokeRescuer();
    log.info("pool {} thawed", pool.name());
  }

  void stop() {
    if (roster.setBit(ControlWord.STOP)) {
      log.info("pool {} stopping", pool.name());
    }
    roster.wakeAll();
    pokeRescuer();
    threads.tryTerminate();
  }

  int stopNow(Consumer<Work> observer) {
    WorkBatch doomed = new WorkBatch();
    disposal.begin();
    int n;
    int inRun = 0;
    boolean first = false;
    try {
      roster.setBit(ControlWord.STOP);
      first = roster.setBit(ControlWord.NOW);
      if (first) {
        log.info("pool {} stopping now", pool.name());
        // Requeues asked for by runs still on the stack are this call's to count (their runners
        // cancel them); the pushes of runs that returned land before the drain below.
        inRun = disposal.requeues.close();
      }
      worklist.drainTo(doomed); // through the take token: no worker takes a work after this
      if (first) {
        disposal.sweepDone();
        first = false;
      }
      roster.wakeAll();
      pokeRescuer();
      n = disposal.cancelAll(doomed, pool.stopNowCause(), observer, null) + inRun;
    } finally {
      if (first) {
        disposal.sweepDone(); // never leave late producers waiting
      }
      disposal.end();
    }
    if (n > 0) {
      log.info("pool {}: stopNow cancelled {} waiting works", pool.name(), n);
    }
    return n;
  }

  private void pokeRescuer() {
    if (rescuer != null) {
      rescuer.poke();
    }
  }
}
