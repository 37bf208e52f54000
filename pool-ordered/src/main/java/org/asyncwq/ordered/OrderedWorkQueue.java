package org.asyncwq.ordered;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.ordered.spi.QueueHooks;
import org.asyncwq.pool.WorkerPool;
import org.asyncwq.pool.spi.JmxBeans;

/**
 * A queue whose works run concurrently and take their ordered step strictly in queue order: btrfs'
 * {@code btrfs_workqueue} with {@code ordered_func}/{@code ordered_free}, on a {@link WorkerPool}
 * of its own or a shared one.
 *
 * <p><b>Order.</b> {@link OrderedWork#ordered()} of a work starts only after its own {@code work()}
 * returned and after {@code ordered()} of every work queued before it on this queue returned; its
 * {@code release()} follows. Works that do not override {@code ordered()} skip the ordered list and
 * never hold it up. No thread is set aside for the ordered steps: the thread whose work completes
 * the head of the list runs every step that is due (see {@code OrderedList}). Every step of a work
 * starts with the thread's interrupt status cleared, except the {@code work()} the pool started:
 * an interrupt meant for one work never reaches another's step.
 *
 * <p><b>Hashes.</b> Works queued with {@link #queue(OrderedWork, long)} and equal hashes never run
 * {@code work()} at the same time and start in queue order; different hashes run in parallel, and
 * no thread is tied to a hash, so one blocked hash holds up nobody else (see {@code HashChains}).
 * When a hashed work finishes and its successor waits, the successor runs next on the same thread
 * (a bounded number in a row, then it goes back to the pool); so the ordered and release steps
 * that thread runs in between must not wait for a later work of the same hash. {@link
 * #serial(String)} puts every work on one hash of a one-thread pool: one work at a time, first in,
 * first out (the kernel's {@code alloc_ordered_workqueue}).
 *
 * <p><b>Flush, drain, close.</b> {@link #flush()} returns once every work queued before the call
 * has finished, release step included; work queued meanwhile does not make it wait longer (flush
 * colours, see {@code FlushColours}). {@link #drain()} refuses work from outside while it waits
 * until the queue is empty (one exact count of the works in flight), but accepts work queued by
 * this queue's own works (from any of their steps), which may chain. {@link #close()} refuses work
 * from outside from its call on, drains, then refuses all work and stops the pool if the queue
 * owns it; a shared pool is left running. None of them may be called from this queue's own works,
 * which would wait for themselves: that throws {@link IllegalStateException} and changes nothing.
 * As the JDK's blocking methods do, each waits interruptibly ({@link InterruptedException}) and
 * has a timed form that returns {@code false} when the time is up.
 *
 * <p><b>Disposition.</b> Every accepted work gets {@code work()} or {@code cancelled()} once, then
 * {@code ordered()} (if it ran) and {@code release()} once, in order; see {@link OrderedWork}.
 */
public final class OrderedWorkQueue implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(OrderedWorkQueue.class);

  /** The hash every work of a {@link #serial(String)} queue shares. */
  private static final long SERIAL_HASH = 0L;

  static {
    QueueHooks.install(new HookAccess());
  }

  private final String name;
  private final WorkerPool pool;
  private final boolean ownsPool;
  private final boolean serial;
  private final WorkSteps steps;

  /** Threads in drain(); while positive only this queue's own works may queue. */
  private final AtomicInteger drainers = new AtomicInteger();

  /** close() was called: only this queue's own works may queue, until closed. */
  private volatile boolean closing;

  /** close() saw the queue empty: no work is accepted any more. */
  private volatile boolean closed;

  private final AtomicBoolean destroyed = new AtomicBoolean();

  /** The queue's JMX bean while it lives, if enabled; closed with the queue. */
  private volatile JmxBeans.Registration bean;

  private OrderedWorkQueue(String name, WorkerPool pool, boolean ownsPool, boolean serial,
      QueueHooks.Observer observer) {
    this.name = name;
    this.pool = pool;
    this.ownsPool = ownsPool;
    this.serial = serial;
    this.steps = new WorkSteps(this, pool, observer);
    log.info("ordered queue {} created: pool={} ({}), maxActive={}, serial={}",
        name, pool.name(), ownsPool ? "owned" : "shared", pool.maxWorkers(), serial);
  }

  /** A builder for a queue named {@code name}; the name appears in its log lines and errors. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * A queue that runs one work at a time, in the order queued, on a one-thread pool of its own (the
   * kernel's {@code alloc_ordered_workqueue}). A hash given to {@link #queue(OrderedWork, long)} is
   * ignored: every work shares one.
   */
  public static OrderedWorkQueue serial(String name) {
    checkName(name);
    WorkerPool pool = ownPool(name).maxWorkers(1).build();
    return new OrderedWorkQueue(name, pool, true, true, null).withBean(false);
  }

  private OrderedWorkQueue withBean(boolean jmx) {
    if (JmxBeans.enabled(jmx)) {
      bean = JmxBeans.register("OrderedWorkQueue", name, new OrderedQueueBean(this));
    }
    return this;
  }

  /** This queue's name. */
  public String name() {
    return name;
  }

  /**
   * Queues a work; its {@code work()} may run in parallel with any other work of this queue.
   *
   * @return {@code false} if the work is in a queue already (its {@code release()} has not been
   *     called yet), else {@code true}
   * @throws RejectedExecutionException if the queue is closed, or draining or closing and the
   *     caller is not one of its works, or its pool is stopped
   */
  public boolean queue(OrderedWork work) {
    return enqueue(work, serial, SERIAL_HASH);
  }

  /**
   * Queues a work with a hash: works with equal hashes never run {@code work()} at the same time and
   * start in queue order; different hashes run in parallel. Otherwise as {@link #queue(OrderedWork)}.
   */
  public boolean queue(OrderedWork work, long hash) {
    return enqueue(work, true, serial ? SERIAL_HASH : hash);
  }

  private boolean enqueue(OrderedWork work, boolean hashed, long hash) {
    checkNotNull(work, "work");
    if (!work.claim()) {
      checkAccepting(); // a refusal takes precedence over "in a queue already"
      return false;
    }
    // The refusal is checked once, below, after the work is counted: a refused work is given
    // back, so nothing of it stays behind, and an accepted one pays for one check, not two.
    work.steps = steps;
    work.resetFailure();
    work.wasCancelled = false;
    work.hashed = hashed;
    work.hash = hash;
    work.colour = steps.colours.enter();
    // Counted first, checked again after: drain() and close() raise their flags and then read the
    // count, so either they see this work or this check sees their flag.
    RejectedExecutionException refused = refusal();
    if (refused != null) {
      steps.colours.giveBack(work.colour);
      work.unclaim();
      throw refused;
    }
    work.inOrderedList = work.hasOrderedStep();
    if (work.inOrderedList) {
      steps.ordered.append(work);
    } else {
      steps.unlisted.increment();
    }
    if (!hashed || steps.hashes.enter(work)) {
      steps.submit(work);
    }
    return true;
  }

  private void checkAccepting() {
    RejectedExecutionException refused = refusal();
    if (refused != null) {
      throw refused;
    }
  }

  /** Why the queue refuses work from the caller now, or null if it accepts it. */
  private RejectedExecutionException refusal() {
    if (closed) {
      return new RejectedExecutionException(
          "ordered queue '" + name + "' is closed and accepts no work");
    }
    if ((closing || drainers.get() > 0) && WorkSteps.current() != this) {
      return new RejectedExecutionException("ordered queue '" + name + "' is "
          + (closing ? "closing" : "draining")
          + ": it accepts work only from its own works until it is empty");
    }
    if (pool.isStopped()) {
      return new RejectedExecutionException(
          "ordered queue '" + name + "': its pool '" + pool.name() + "' is stopped");
    }
    return null;
  }

  /**
   * Waits until every work queued before this call has finished, its {@code release()} included.
   * Works queued meanwhile do not extend the wait.
   *
   * @throws InterruptedException if the thread was interrupted before or while waiting
   * @throws IllegalStateException if called from one of this queue's works
   */
  public void flush() throws InterruptedException {
    checkNotOwnThread("flush");
    steps.colours.flush(FlushColours.FOREVER);
  }

  /**
   * Like {@link #flush()}, at most {@code timeout}.
   *
   * @return whether every work queued before the call finished in time
   * @throws InterruptedException if the thread was interrupted before or while waiting
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    checkNotOwnThread("flush");
    return steps.colours.flush(QueueWaits.nanos(timeout));
  }

  /**
   * Waits until the queue is empty, refusing work from outside meanwhile ({@link
   * RejectedExecutionException}) while accepting work queued by this queue's own works, which may
   * chain. Afterwards the queue accepts work again (unless it is closing).
   *
   * @throws InterruptedException if the thread was interrupted before or while waiting
   * @throws IllegalStateException if called from one of this queue's works
   */
  public void drain() throws InterruptedException {
    drainNanos(FlushColours.FOREVER);
  }

  /**
   * Like {@link #drain()}, at most {@code timeout}.
   *
   * @return whether the queue became empty in time
   * @throws InterruptedException if the thread was interrupted before or while waiting
   */
  public boolean drain(Duration timeout) throws InterruptedException {
    return drainNanos(QueueWaits.nanos(timeout));
  }

  private boolean drainNanos(long nanos) throws InterruptedException {
    checkNotOwnThread("drain");
    drainers.incrementAndGet();
    try {
      return steps.colours.awaitEmpty(nanos);
    } finally {
      drainers.decrementAndGet();
    }
  }

  /**
   * Refuses work from outside from now on, waits until the queue is empty (its own works may still
   * chain work meanwhile), then refuses every work, and stops and awaits the pool if the queue
   * created it; a shared pool is left running. If the wait ends early the queue stays closing:
   * it refuses outside work, and a later call finishes the close. Idempotent.
   *
   * @throws InterruptedException if the thread was interrupted before or while waiting
   * @throws IllegalStateException if called from one of this queue's works; nothing changes then
   */
  @Override
  public void close() throws InterruptedException {
    closeNanos(FlushColours.FOREVER);
  }

  /**
   * Like {@link #close()}, at most {@code timeout}.
   *
   * @return whether the queue closed in time (and its own pool, if any, terminated)
   * @throws InterruptedException if the thread was interrupted before or while waiting
   */
  public boolean close(Duration timeout) throws InterruptedException {
    return closeNanos(QueueWaits.nanos(timeout));
  }

  private boolean closeNanos(long nanos) throws InterruptedException {
    checkNotOwnThread("close");
    long deadline = System.nanoTime() + Math.min(nanos, FlushColours.FOREVER >> 1);
    closing = true;
    if (!steps.colours.awaitEmpty(nanos)) {
      return false;
    }
    closed = true; // still closing: no outsider got in between
    if (ownsPool) {
      pool.stop();
      long left = nanos == FlushColours.FOREVER ? nanos : deadline - System.nanoTime();
      if (!QueueWaits.awaitPool(pool, left)) {
        return false;
      }
    }
    if (destroyed.compareAndSet(false, true)) {
      JmxBeans.Registration b = bean;
      if (b != null) {
        b.close();
      }
      log.info("ordered queue {} destroyed: {}", name, stats());
    }
    return true;
  }

  /** The pool the works run on (tests reach it to clean up after a failure). */
  WorkerPool pool() {
    return pool;
  }

  /** Whether {@link #close()} saw the queue empty and it refuses all work. */
  public boolean isClosed() {
    return closed;
  }

  /** A snapshot of this queue's counters and of its pool's. */
  public OrderedQueueStats stats() {
    return new OrderedQueueStats(name, steps.colours.accepted(), steps.colours.finished(),
        steps.colours.inFlight(), steps.orderedWaiting(), steps.failures.sum(),
        steps.cancelled.sum(), steps.hashes.waiting(), pool.stats());
  }

  @Override
  public String toString() {
    return "OrderedWorkQueue[" + name + (closed ? ", closed" : closing ? ", closing" : "")
        + ", pool=" + pool.name() + "]";
  }

  private void checkNotOwnThread(String what) {
    if (WorkSteps.current() == this) {
      throw new IllegalStateException(what + "() called from a work of ordered queue '" + name
          + "': it would wait for itself");
    }
  }

  /**
   * A pool of the queue's own: a default one, since every pool is work-conserving (a work blocked
   * in {@code work()} or an {@code ordered()} waiting for a work it queued strands nobody).
   */
  private static WorkerPool.Builder ownPool(String name) {
    return WorkerPool.builder(name);
  }

  static void logMisuse(OrderedWork work) {
    log.error("{} was handed to a pool without an OrderedWorkQueue, or twice; ignored. Queue an"
        + " OrderedWork only through OrderedWorkQueue.queue()", work);
  }

  private static String checkName(String name) {
    checkNotNull(name, "name");
    checkArgument(!name.isBlank(), "a queue needs a non-blank name");
    return name;
  }

  /** Builds an {@link OrderedWorkQueue}: on a shared pool, or on a pool of its own. */
  public static final class Builder {
    private final String name;
    private WorkerPool pool;
    private int maxActive;
    private boolean jmx;

    private Builder(String name) {
      this.name = checkName(name);
    }

    /**
     * Runs the works on {@code pool}, which the queue neither stops nor closes. Any pool will do,
     * a default one included: no work waits behind a blocked one while a thread of the pool is
     * idle.
     */
    public Builder pool(WorkerPool pool) {
      this.pool = checkNotNull(pool, "pool");
      return this;
    }

    /**
     * Runs the works on a pool of the queue's own with at most {@code maxActive} threads, stopped
     * by {@link OrderedWorkQueue#close()}. Without {@code pool()} or {@code maxActive()} the queue
     * gets its own pool with {@link WorkerPool}'s default maximum.
     */
    public Builder maxActive(int maxActive) {
      checkArgument(maxActive >= 1, "maxActive must be at least 1, was %s", maxActive);
      this.maxActive = maxActive;
      return this;
    }

    /**
     * Registers the queue's {@link OrderedWorkQueueMXBean} under {@code
     * org.asyncwq:type=OrderedWorkQueue,name=<name>} until it closes, and its own pool's bean if it
     * has one; default off, or on for every queue and pool with {@code -Dasyncwq.jmx=true}. Names
     * are quoted and duplicates suffixed as for {@code WorkerPool.Builder#jmx}.
     */
    public Builder jmx(boolean jmx) {
      this.jmx = jmx;
      return this;
    }

    /**
     * Creates the queue.
     *
     * @throws IllegalStateException if both {@code pool()} and {@code maxActive()} were given
     * @throws IllegalArgumentException if the shared pool is stopped already
     */
    public OrderedWorkQueue build() {
      return build(null);
    }

    OrderedWorkQueue build(QueueHooks.Observer observer) {
      if (pool != null) {
        if (maxActive != 0) {
          throw new IllegalStateException("ordered queue '" + name
              + "': give either pool() (shared) or maxActive() (own pool), not both");
        }
        checkArgument(!pool.isStopped(), "pool '%s' is already stopped", pool.name());
        return new OrderedWorkQueue(name, pool, false, false, observer).withBean(jmx);
      }
      WorkerPool.Builder own = ownPool(name).jmx(jmx);
      if (maxActive != 0) {
        own.maxWorkers(maxActive);
      }
      return new OrderedWorkQueue(name, own.build(), true, false, observer).withBean(jmx);
    }
  }
}
