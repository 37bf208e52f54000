package org.asyncwq.pool;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs one work on a thread of a {@link WorkerPool} (a worker, or the rescuer) and honours a
 * {@link WorkerPool#requeue(Work)} made from inside its {@code run()}: the work goes to the tail
 * of the worklist only once {@code run()} has returned, so two runs of one work never overlap. A
 * requeue that meets a stopping pool is handed to {@link Disposal#afterStop}, which makes sure a
 * thread still runs it or stopNow()'s sweep takes it; one that a stopNow() counted while the run
 * was on the stack is cancelled here ({@link RequeuesInFlight}).
 */
final class WorkRunner {
  private static final Logger log = LogManager.getLogger(WorkerPool.class);

  private final WorkerPool pool;
  private final WorkerRoster roster;
  private final Worklist worklist;
  private final Disposal disposal;

  WorkRunner(WorkerPool pool, WorkerRoster roster, Worklist worklist, Disposal disposal) {
    this.pool = pool;
    this.roster = roster;
    this.worklist = worklist;
    this.disposal = disposal;
  }

  /** Runs one work on a pool thread; {@code worker} is null for the rescuer. */
  void run(Worker worker, Work work) {
    if (work.runOnce(pool, log) && !worklistTakesRequeue(worker, work)) {
      disposal.afterStop(work, true, roster);
    }
  }

  /**
   * Queues a work that asked for a requeue during its run; false if the pool is stopping. A
   * stopNow() that came while the run was on the stack counted the work already ({@link
   * RequeuesInFlight}): it is cancelled here, on this thread, instead.
   */
  private boolean worklistTakesRequeue(Worker worker, Work work) {
    if (!disposal.requeues.beginPush()) {
      disposal.cancelCountedRequeue(work);
      return true;
    }
    worklist.push(work);
    disposal.requeues.pushed();
    if ((roster.ctl & ControlWord.STOP) != 0) {
      return false;
    }
    if (worker == null) {
      roster.signal(); // the rescuer requeued: a worker must look
    }
    return true;
  }
}
