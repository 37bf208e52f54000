package org.asyncwq.pool;

import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The rescuer thread of a {@link WorkerPool} built with {@link WorkerPool.Builder#rescuer(boolean)}:
 * the kernel workqueue's {@code WQ_MEM_RECLAIM} guarantee. It is created by {@code build()}, so it
 * exists before memory runs short, and it runs queued works one at a time when the pool needs a
 * thread it cannot get: a start is in flight (or no worker is alive at all) and no work has left
 * the worklist for {@code maydayTimeout} (the kernel's mayday).
 *
 * <p>It sleeps until {@link #poke()}d (a thread start was asked for, a start failed, the pool was
 * thawed or stopped), then looks every {@code maydayTimeout} for as long as work waits for a thread.
 * Progress is the worklist's taken count: unchanged over one whole timeout means nobody took work.
 *
 * <p>A work it runs counts against {@code maxWorkers}, as a work the kernel's rescuer runs counts
 * in its workqueue's {@code max_active}: it stands in for the worker that could not be had. It
 * takes a work only while the workers that may run leave a place for it, and a worker that
 * arrives while it runs sits out until that work returns if it would exceed the maximum (see
 * {@link Bench#rescuing}).
 */
final class Rescuer implements Runnable {
  private static final Logger log = LogManager.getLogger(WorkerPool.class);

  private final WorkerPool pool;
  private final WorkerRoster roster;
  private final Worklist worklist;
  private final PoolThreads threads;
  private final long maydayNanos;

  volatile Thread thread;

  /** Works this rescuer ran; written by its thread only, read by stats. */
  volatile long rescued;

  Rescuer(WorkerPool pool, WorkerRoster roster, Worklist worklist, PoolThreads threads,
      long maydayNanos) {
    this.threads = threads;
    this.pool = pool;
    this.roster = roster;
    this.worklist = worklist;
    this.maydayNanos = maydayNanos;
  }

  void poke() {
    LockSupport.unpark(thread);
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    threads.prepare(thread);
    threads.started(thread);
    try {
      loop();
    } finally {
      threads.rescuerExited();
    }
  }

  private boolean needed(long c) {
    return !worklist.isEmpty()
        && (c & (ControlWord.FROZEN | ControlWord.NOW)) == 0
        && (ControlWord.starting(c) > 0 || ControlWord.live(c) == 0);
  }

  private void loop() {
    long seen = -1;
    for (; ; ) {
      long c = roster.ctl;
      if ((c & (ControlWord.NOW | ControlWord.DONE)) != 0
          || ((c & ControlWord.STOP) != 0 && worklist.isEmpty())) {
        return; // stopping with nothing queued; while works wait it stays, as the guarantee
      }
      if (!needed(c)) {
        seen = -1;
        LockSupport.park(this);
        Thread.interrupted(); // shutdownNow() interrupts it; it goes on until the pool stops
        continue;
      }
      long taken = worklist.taken();
      if (seen != taken) {
        seen = taken; // progress since the last look, or the first look: wait one more timeout
        LockSupport.parkNanos(this, maydayNanos);
        Thread.interrupted();
        continue;
      }
      Work work = worklist.takeForRescue(roster.bench);
      seen = -1;
      if (work != null) {
        log.trace("pool {}: rescuer runs a work no thread took for {} µs", pool.name(),
            maydayNanos / 1000);
        rescued = rescued + 1; // single writer
        try {
          pool.runner.run(null, work);
        } finally {
          roster.bench.rescueEnds();
        }
      }
    }
  }
}
