package org.asyncwq.priority;

import org.asyncwq.ordered.OrderedWork;
import java.time.Duration;
import org.asyncwq.ordered.OrderedWorkQueue;
import org.asyncwq.ordered.spi.QueueHooks;
import org.asyncwq.pool.ThreadSpawner;
import org.asyncwq.pool.WorkerPool;

/**
 * One lane of a {@link WorkQueue}: btrfs' {@code __btrfs_workqueue}. A lane owns its pool, its
 * ordered queue and its threshold; two lanes share nothing, so a high-priority lane keeps running
 * when every thread of the normal lane is blocked.
 *
 * <p>Its pool is work-conserving, as every pool is: a worker running a work is busy, so the pool
 * starts another thread (up to the active limit) rather than leaving works behind a running one,
 * and when the limit rises, new threads take the works already waiting. The pool's maximum is the
 * lane's active limit, moved by {@link Threshold}; so the limit is real concurrency, as the
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
            .idleTimeout(b.idleTimeout)
            .spawner(ThreadSpawner.platform(threadPriority))
            .rescuer(b.rescuer)
            .jmx(b.jmx);
    if (b.starter != null) {
      pb.starter(b.starter);
    }
    if (b.maydayTimeout != null) {
      pb.maydayTimeout(b.maydayTimeout);
    }
    this.pool = pb.build();
    this.queue = QueueHooks.build(OrderedWorkQueue.builder(name).pool(pool), threshold);
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

  /** Whether the calling thread runs a step of one of this lane's works. */
  boolean isOwnThread() {
    return QueueHooks.isRunningWorkOf(queue);
  }

  /**
   * Drains the lane's queue, then stops its pool and waits for its threads, at most {@code nanos}
   * ({@code Long.MAX_VALUE}: no limit). If the wait ends early the queue stays closing and a later
   * call finishes. Never stops the pool before the queue is closed: works accepted still run.
   */
  boolean close(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + Math.min(nanos, Long.MAX_VALUE >> 1);
    if (nanos == Long.MAX_VALUE) {
      queue.close();
    } else if (!queue.close(Duration.ofNanos(nanos))) {
      return false;
    }
    pool.stop();
    for (; ; ) {
      long left =
          nanos == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(deadline - System.nanoTime(), 0);
      if (pool.awaitTermination(Duration.ofNanos(left))) {
        return true;
      }
      if (Thread.interrupted()) { // awaitTermination returns false and sets it again
        throw new InterruptedException();
      }
      if (nanos != Long.MAX_VALUE) {
        return false;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    close(Long.MAX_VALUE);
  }
}
