package org.asyncwq.priority;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.pool.WorkerPool;
import org.asyncwq.pool.spi.JmxBeans;

/**
 * An ordered work queue with an optional, independent high-priority lane and active concurrency
 * that follows its backlog: btrfs' {@code btrfs_workqueue} complete (seed 003).
 *
 * <p><b>Lanes.</b> {@link #queue(OrderedWork)} goes to the normal lane. With {@link
 * Builder#highPriority(boolean)}, {@link #queueHigh(OrderedWork)} goes to a second lane that is
 * "completely independent from the normal workqueue": its own pool of higher-priority threads, its
 * own ordered list, its own threshold. A high-priority work runs and completes its ordered step even
 * when every normal thread is blocked and thousands of normal works wait. Without a high lane,
 * {@code queueHigh} queues on the normal lane. Ordered semantics ({@link OrderedWork}) hold within
 * each lane; the two lanes are not ordered with respect to each other.
 *
 * <p><b>Thresholds.</b> {@code threshold(0)} (the default) means 32; a threshold of 32 or more
 * makes a lane start at one active thread and move between 1 and {@code limitActive} with its
 * backlog (see {@link Threshold}): up while more than the threshold wait, down while fewer than half
 * of it do, evaluated every threshold/4 starts, one step at a time; and, asyncwq's addition to
 * btrfs' algorithm, back to 1 as soon as the lane has no pending and no running work, so the next
 * burst starts from one thread. {@link #pending()} counts every accepted work until it starts or
 * is cancelled, so it returns to 0 whatever ended the works. A threshold below 32 fixes the lane
 * at {@code limitActive}. {@link #setLimitActive(int)} changes the ceiling of both kinds at any time, unlike
 * btrfs, which never applied it to a fixed queue. Thread priorities only take effect where the JVM
 * honours them (on Linux, HotSpot needs {@code -XX:ThreadPriorityPolicy=1} and privileges); the
 * lane's independence does not depend on them.
 *
 * <p><b>Waiting.</b> {@link #flush()} and {@link #close()} wait interruptibly and have timed forms
 * that return {@code false} when the time is up; from one of this queue's works they throw {@link
 * IllegalStateException} and change nothing (a lane's pool is never stopped under accepted work).
 */
public final class WorkQueue implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(WorkQueue.class);

  private final String name;
  private final Lane normal;
  private final Lane high;
  private volatile boolean destroyed;
  private final JmxBeans.Registration bean;

  private WorkQueue(Builder b, boolean serial) {
    this.name = b.name;
    this.normal = new Lane(b.name, b, Thread.NORM_PRIORITY, serial);
    Lane h = null;
    if (b.highPriority) {
      try {
        h = new Lane(b.name + "-high", b, Thread.MAX_PRIORITY, serial);
      } catch (RuntimeException e) {
        try {
          normal.close();
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          e.addSuppressed(ie);
        }
        throw e;
      }
    }
    this.high = h;
    this.bean = JmxBeans.enabled(b.jmx)
        ? JmxBeans.register("WorkQueue", name, new WorkQueueBean(name, normal, high)) : null;
    log.info("work queue {} created: limitActive={}, threshold={}, highPriority={}",
        name, b.limitActive, normal.threshold.threshold(), high != null);
  }

  /** A builder for a queue named {@code name}; its lanes' pools and threads carry the name. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * A queue that runs one work at a time, in queue order, with no threshold (btrfs' {@code
   * btrfs_alloc_ordered_workqueue}).
   */
  public static WorkQueue ordered(String name) {
    Builder b = builder(name).limitActive(1).threshold(Threshold.DEFAULT - 1);
    return new WorkQueue(b, true);
  }

  public String name() {
    return name;
  }

  /**
   * Queues a work on the normal lane.
   *
   * @return {@code false} if the work is in a queue already
   * @throws java.util.concurrent.RejectedExecutionException once the queue is closed
   */
  public boolean queue(OrderedWork work) {
    return normal.queue(checkNotNull(work, "work"));
  }

  /** Queues a work on the high-priority lane, or on the normal one if this queue has none. */
  public boolean queueHigh(OrderedWork work) {
    return (high != null ? high : normal).queue(checkNotNull(work, "work"));
  }

  /** Whether this queue has a high-priority lane. */
  public boolean hasHighPriority() {
    return high != null;
  }

  /**
   * Sets the most works each lane may run at once, on dynamic and fixed lanes alike. A dynamic lane
   * above the new limit comes down to it at once.
   *
   * @throws IllegalArgumentException if {@code limit} is below 1
   */
  public void setLimitActive(int limit) {
    checkArgument(limit >= 1, "limitActive must be at least 1, was %s", limit);
    normal.setLimit(limit);
    if (high != null) {
      high.setLimit(limit);
    }
    log.debug("work queue {}: limitActive set to {}", name, limit);
  }

  /** The normal lane's current active limit. */
  public int currentActive() {
    return normal.threshold.current();
  }

  /** The normal lane's ceiling. */
  public int limitActive() {
    return normal.threshold.limit();
  }

  /** Works queued on the normal lane and not started yet. */
  public int pending() {
    return normal.threshold.pending();
  }

  /**
   * Whether the normal lane is congested: more than twice its threshold waiting (always false for a
   * lane without threshold), as btrfs' {@code btrfs_workqueue_normal_congested}.
   */
  public boolean isCongested() {
    return normal.threshold.congested();
  }

  /**
   * Returns once every work queued on either lane before the call has finished.
   *
   * @throws InterruptedException if the thread was interrupted before or while waiting
   * @throws IllegalStateException if called from one of this queue's works
   */
  public void flush() throws InterruptedException {
    checkNotOwnThread("flush");
    normal.queue.flush();
    if (high != null) {
      high.queue.flush();
    }
  }

  /**
   * Like {@link #flush()}, at most {@code timeout} in all.
   *
   * @return whether every work queued before the call finished in time
   * @throws InterruptedException if the thread was interrupted before or while waiting
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    checkNotOwnThread("flush");
    long deadline = System.nanoTime() + nanos(timeout);
    if (!normal.queue.flush(timeout)) {
      return false;
    }
    return high == null
        || high.queue.flush(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)));
  }

  /**
   * Refuses work from outside on both lanes, drains them (their own works may still chain work),
   * then stops their pools and waits for their threads. If the wait ends early (interrupt, or
   * the timed form's limit) the lanes stay closing and a later call finishes the close.
   * Idempotent.
   *
   * @throws InterruptedException if the thread was interrupted before or while waiting
   * @throws IllegalStateException if called from one of this queue's works; nothing changes then
   */
  @Override
  public void close() throws InterruptedException {
    closeNanos(Long.MAX_VALUE);
  }

  /**
   * Like {@link #close()}, at most {@code timeout} in all.
   *
   * @return whether both lanes closed and their threads ended in time
   * @throws InterruptedException if the thread was interrupted before or while waiting
   */
  public boolean close(Duration timeout) throws InterruptedException {
    return closeNanos(nanos(timeout));
  }

  private boolean closeNanos(long nanos) throws InterruptedException {
    checkNotOwnThread("close");
    long deadline = System.nanoTime() + Math.min(nanos, Long.MAX_VALUE >> 1);
    if (high != null && !high.close(nanos)) {
      return false;
    }
    long left = nanos == Long.MAX_VALUE ? nanos : Math.max(deadline - System.nanoTime(), 0);
    if (!normal.close(left)) {
      return false;
    }
    if (!destroyed) {
      destroyed = true;
      if (bean != null) {
        bean.close();
      }
      log.info("work queue {} destroyed", name);
    }
    return true;
  }

  private void checkNotOwnThread(String what) {
    if (normal.isOwnThread() || (high != null && high.isOwnThread())) {
      throw new IllegalStateException(what + "() called from a work of work queue '" + name
          + "': it would wait for itself");
    }
  }

  private static long nanos(Duration timeout) {
    checkNotNull(timeout, "timeout");
    try {
      return Math.max(0, Math.min(timeout.toNanos(), Long.MAX_VALUE - 1));
    } catch (ArithmeticException e) {
      return timeout.isNegative() ? 0 : Long.MAX_VALUE - 1;
    }
  }

  /** The normal lane (tests reach its pool to stop it under the queue). */
  Lane normalLane() {
    return normal;
  }

  /** Both lanes' figures. */
  public WorkQueueStats stats() {
    return new WorkQueueStats(name, normal.stats(), high == null ? null : high.stats());
  }

  @Override
  public String toString() {
    return "WorkQueue[" + name + ", active=" + currentActive() + "/" + limitActive()
        + (high != null ? ", high lane" : "") + "]";
  }

  /** Builds a {@link WorkQueue}; every setter checks its argument at once. */
  public static final class Builder {
    final String name;
    int limitActive = Math.min(Runtime.getRuntime().availableProcessors() + 2, 8);
    int threshold = 0;
    boolean highPriority;
    WorkerPool starter;
    boolean rescuer;
    Duration maydayTimeout;
    Duration idleTimeout = Duration.ofSeconds(5);
    boolean jmx;

    private Builder(String name) {
      checkNotNull(name, "name");
      checkArgument(!name.isBlank(), "a work queue needs a non-blank name");
      this.name = name;
    }

    /** The most works each lane runs at once; default min(cores + 2, 8). */
    public Builder limitActive(int limit) {
      checkArgument(limit >= 1, "limitActive must be at least 1, was %s", limit);
      this.limitActive = limit;
      return this;
    }

    /**
     * 0 (the default) means 32; below 32 fixes concurrency at limitActive; 32 and above makes it
     * follow the backlog, starting at 1.
     */
    public Builder threshold(int threshold) {
      checkArgument(threshold >= 0, "threshold must not be negative, was %s", threshold);
      this.threshold = threshold;
      return this;
    }

    /** Adds the independent high-priority lane, with its own pool of higher-priority threads. */
    public Builder highPriority(boolean highPriority) {
      this.highPriority = highPriority;
      return this;
    }

    /** A starter pool that creates both lanes' threads (see {@code WorkerPool.Builder#starter}). */
    public Builder starter(WorkerPool starter) {
      this.starter = checkNotNull(starter, "starter");
      return this;
    }

    /**
     * Gives each lane's pool a rescuer thread (see {@code WorkerPool.Builder#rescuer}). It runs a
     * lane's waiting work when the thread that work needs cannot be created; like the kernel's, it
     * leaves work that waits because the lane is at its active limit.
     */
    public Builder rescuer(boolean rescuer) {
      this.rescuer = rescuer;
      return this;
    }

    /** The lanes' rescuer mayday timeout (see {@code WorkerPool.Builder#maydayTimeout}). */
    public Builder maydayTimeout(Duration timeout) {
      this.maydayTimeout = checkNotNull(timeout, "maydayTimeout");
      return this;
    }

    /** How long an idle lane thread lives; default 5 s. */
    public Builder idleTimeout(Duration timeout) {
      checkNotNull(timeout, "idleTimeout");
      checkArgument(!timeout.isNegative() && !timeout.isZero(),
          "idleTimeout must be positive, was %s", timeout);
      this.idleTimeout = timeout;
      return this;
    }

    /**
     * Registers the queue's {@link WorkQueueMXBean} under {@code
     * org.asyncwq:type=WorkQueue,name=<name>} until it closes, and its lanes' pools' beans
     * (type WorkerPool, named {@code <name>} and {@code <name>-high}); default off, or on for
     * every queue and pool with {@code -Dasyncwq.jmx=true}. Names are quoted and duplicates
     * suffixed as for {@code WorkerPool.Builder#jmx}.
     */
    public Builder jmx(boolean jmx) {
      this.jmx = jmx;
      return this;
    }

    public WorkQueue build() {
      return new WorkQueue(this, false);
    }
  }
}
