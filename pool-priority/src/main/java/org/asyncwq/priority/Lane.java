package org.asyncwq.priority;

import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.ordered.OrderedWorkQueue;
import org.asyncwq.pool.ThreadSpawner;
import org.asyncwq.pool.WorkerPool;

/**
 * One lane of a {@link WorkQueue}: btrfs' {@code __btrfs_workqueue}. A lane owns its pool, its
 * ordered queue and its threshold; two lanes share nothing, so a high-priority lane keeps running
 * when every thread of the normal lane is blocked.
 *
 * <p>Its pool uses a bored threshold of 1 and work stealing: a worker running a work is busy, so the
 * pool starts another thread (up to the active limit) rather than stacking works behind a running
 * one, and when the limit rises, new threads take the works already waiting. The pool's maximum is
 * the lane's active limit, moved by {@link Threshold}; so the limit is real concurrency, as the
 * kernel's max_active is, not a number.
 */
final class Lane implements AutoCloseable {
  /** The hash every work of a strictly ordered lane shares (one at a time, first in first out). */
  private static final long SERIAL_HASH = 0L;

  final WorkerPool pool;
  final OrderedWorkQueue queue;
  final Threshold threshold;
  private final boolean serial;

  Lane(String name, WorkQueue.Builder b, int threadPriority, boolean serial) {
    this.serial = serial;
    int limit = b.limitActive;
    this.threshold = new Threshold(b.threshold, limit, this::applyActive);
    WorkerPool.Builder pb =
        WorkerPool.builder(name)
            .maxWorkers(threshold.current())
            .boredThreshold(1)
            .workStealing(true)
            .idleTimeout(b.idleTimeout)
            .spawner(ThreadSpawner.platform(threadPriority))
            .rescuer(b.rescuer);
    if (b.starter != null) {
      pb.starter(b.starter);
    }
    if (b.maydayTimeout != null) {
      pb.maydayTimeout(b.maydayTimeout);
    }
    this.pool = pb.build();
    this.queue = OrderedWorkQueue.builder(name).pool(pool).onStart(threshold::started).build();
  }

  private void applyActive(int active) {
    pool.setMaxWorkers(active);
  }

  boolean queue(OrderedWork work) {
    threshold.queued();
    boolean accepted = false;
    try {
      accepted = serial ? queue.queue(work, SERIAL_HASH) : queue.queue(work);
      return accepted;
    } finally {
      if (!accepted) {
        threshold.unqueued();
      }
    }
  }

  void setLimit(int limit) {
    threshold.setLimit(limit);
  }

  LaneStats stats() {
    return new LaneStats(
        threshold.threshold(),
        threshold.current(),
        threshold.limit(),
        threshold.pending(),
        queue.stats(),
        pool.stats());
  }

  /** Drains the lane's queue, then stops its pool and waits for its threads. */
  @Override
  public void close() {
    try {
      queue.close();
    } finally {
      pool.close();
    }
  }
}
