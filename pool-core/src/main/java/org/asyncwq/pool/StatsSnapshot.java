package org.asyncwq.pool;

/**
 * Takes {@link WorkerPool#stats()}: reads each part's counters and gauges once, without a lock
 * (opaque counters, the control word), so a snapshot of a busy pool need not add up exactly; one
 * of a terminated pool does ({@code queued == executed + cancelled}).
 */
final class StatsSnapshot {
  private final String name;
  private final WorkerRoster roster;
  private final Worklist worklist;
  private final Disposal disposal;
  private final PoolThreads threads;
  private final WorkerStarter starter;
  private final Rescuer rescuer;

  StatsSnapshot(String name, WorkerRoster roster, Worklist worklist, Disposal disposal,
      PoolThreads threads, WorkerStarter starter, Rescuer rescuer) {
    this.name = name;
    this.roster = roster;
    this.worklist = worklist;
    this.disposal = disposal;
    this.threads = threads;
    this.starter = starter;
    this.rescuer = rescuer;
  }

  PoolStats take() {
    long c = roster.ctl;
    int pending = worklist.size();
    long taken = worklist.taken();
    long executed = threads.departedExecuted() + roster.executedByLive();
    long retiredNow = threads.retiredCount();
    long rescued = rescuer == null ? 0 : rescuer.rescued;
    // A revoked work was never accepted; a requeue cancelled on its runner never reached the list.
    long queued = taken + pending - disposal.revoked.get() + disposal.cancelledUnpushed.get();
    return new PoolStats(name, ControlWord.live(c), ControlWord.starting(c), roster.idleCount(),
        pending, queued, executed + rescued, disposal.cancelled.get(), starter.spawned.get(),
        starter.failures.get(), retiredNow, rescued);
  }
}
