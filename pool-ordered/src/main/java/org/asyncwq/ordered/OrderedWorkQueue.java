package org.asyncwq.ordered;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.pool.WorkerPool;

/**
 * A queue whose works run concurrently and take their ordered step strictly in queue order: btrfs'
 * {@code btrfs_workqueue} with {@code ordered_func}/{@code ordered_free}, on a {@link WorkerPool}
 * of its own or a shared one.
 *
 * <p><b>Order.</b> {@link OrderedWork#ordered()} of a work starts only after its own {@code work()}
 * returned and after {@code ordered()} of every work queued before it on this queue returned; its
 * {@code release()} follows. Works that do not override {@code ordered()} skip the ordered list and
 * never hold it up. No thread is set aside for the ordered steps: the thread whose work completes
 * the head of the list runs every step that is due (see {@code OrderedList}).
 *
 * <p><b>Hashes.</b> Works queued with {@link #queue(OrderedWork, long)} and equal hashes never run
 * {@code work()} at the same time and start in queue order; different hashes run in parallel, and
 * no thread is tied to a hash, so one blocked hash holds up nobody else (see {@code HashChains}).
 * {@link #serial(String)} puts every work on one hash of a one-thread pool: one work at a time,
 * first in, first out (the kernel's {@code alloc_ordered_workqueue}).
 *
 * <p><b>Flush, drain, close.</b> {@link #flush()} returns once every work queued before the call
 * has finished, release step included; work queued meanwhile does not make it wait longer (flush
 * colours, see {@code FlushColours}). {@link #drain()} refuses work from outside while it waits
 * until the queue is empty, but accepts work queued by this queue's own works (from any of their
 * steps), which may chain. {@link #close()} drains, refuses all work from then on, and stops the
 * pool if the queue owns it; a shared pool is left running. None of them may be called from this
 * queue's own works, which would wait for themselves: that throws {@link IllegalStateException}.
 *
 * <p><b>Disposition.</b> Every accepted work gets {@code work()} or {@code cancelled()} once, then
 * {@code ordered()} (if it ran) and {@code release()} once, in order; see {@link OrderedWork}.
 */
public final class OrderedWorkQueue implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(OrderedWorkQueue.class);

  /** The hash every work of a {@link #serial(String)} queue shares. */
  private static final long SERIAL_HASH = 0L;

  /**
   * The queue whose work (any step) the current thread is running, or null. Lets {@link #drain()}
   * tell chained work from outsiders and lets flush/drain/close refuse to wait for themselves.
   */
  private static final ThreadLocal<OrderedWorkQueue> CURRENT = new ThreadLocal<>();

  private final String name;
  private final WorkerPool pool;
  private final boolean ownsPool;
  private final boolean serial;
  private final OrderedList ordered = new OrderedList(this::orderedStep, this::releaseStep);
  private final HashChains hashes = new HashChains();
  private final FlushColours colours = new FlushColours();

  /** Threads in drain() or close(); while positive only this queue's own works may queue. */
  private final AtomicInteger drainers = new AtomicInteger();

  private volatile boolean closed;
  private final AtomicBoolean destroyed = new AtomicBoolean();

  private final LongAdder queued = new LongAdder();
  private final LongAdder completed = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder cancelled = new LongAdder();

  /** Runs as each work leaves the waiting state (starts or is cancelled); null for none. */
  private final Runnable onStart;

  private OrderedWorkQueue(
      String name, WorkerPool pool, boolean ownsPool, boolean serial, Runnable onStart) {
    this.name = name;
    this.pool = pool;
    this.ownsPool = ownsPool;
    this.serial = serial;
    this.onStart = onStart;
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
    return new OrderedWorkQueue(name, pool, true, true, null);
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
   * @throws RejectedExecutionException if the queue is closed, or draining and the caller is not
   *     one of its works, or its pool is stopped
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
    checkAccepting();
    if (!work.claim()) {
      return false;
    }
    work.queue = this;
    work.resetFailure();
    work.wasCancelled = false;
    work.hashed = hashed;
    work.hash = hash;
    work.colour = colours.enter();
    // Counted first, checked again after: drain() and close() raise their flags and then read the
    // count, so either they see this work or this check sees their flag.
    try {
      checkAccepting();
    } catch (RejectedExecutionException e) {
      colours.exit(work.colour);
      work.unclaim();
      throw e;
    }
    queued.increment();
    work.inOrderedList = work.hasOrderedStep();
    if (work.inOrderedList) {
      ordered.append(work);
    }
    if (!hashed || hashes.enter(work)) {
      submit(work);
    }
    return true;
  }

  private void checkAccepting() {
    if (closed) {
      throw new RejectedExecutionException(
          "ordered queue '" + name + "' is closed and accepts no work");
    }
    if (drainers.get() > 0 && CURRENT.get() != this) {
      throw new RejectedExecutionException("ordered queue '" + name
          + "' is draining: it accepts work only from its own works until the drain returns");
    }
    if (pool.isStopped()) {
      throw new RejectedExecutionException(
          "ordered queue '" + name + "': its pool '" + pool.name() + "' is stopped");
    }
  }

  /** Hands an accepted work to the pool; if the pool refuses it after all, cancels it. */
  private void submit(OrderedWork work) {
    try {
      pool.queue(work); // false only if someone queued it on the pool directly: it runs once
    } catch (RejectedExecutionException e) {
      // the pool stopped since checkAccepting(); the work was accepted, so it is disposed of
      work.abandon(e);
    }
  }

  /** A pool thread runs a work's {@code work()}; then its turn in the hash and ordered list. */
  void runWork(OrderedWork work) {
    OrderedWorkQueue outer = CURRENT.get();
    CURRENT.set(this);
    try {
      started();
      try {
        work.work();
      } catch (Throwable t) {
        work.recordFailure(t);
        failures.increment();
        log.warn("ordered queue {}: work() of {} threw; its ordered steps still run", name, work, t);
      }
      complete(work);
    } finally {
      CURRENT.set(outer);
    }
  }

  private void started() {
    if (onStart != null) {
      try {
        onStart.run();
      } catch (Throwable t) {
        log.warn("ordered queue {}: onStart hook threw; the work goes on", name, t);
      }
    }
  }

  /** The pool (or a refused submission) cancels a work: cancelled() replaces work() and ordered(). */
  void cancelWork(OrderedWork work, Throwable cause) {
    OrderedWorkQueue outer = CURRENT.get();
    CURRENT.set(this);
    try {
      started();
      cancelOne(work, cause);
      complete(work);
    } finally {
      CURRENT.set(outer);
    }
  }

  private void cancelOne(OrderedWork work, Throwable cause) {
    cancelled.increment();
    work.wasCancelled = true;
    try {
      work.cancelled(cause);
    } catch (Throwable t) {
      log.warn("ordered queue {}: cancelled() of {} threw", name, work, t);
    }
  }

  /**
   * The work phase of {@code work} is over. Its hash successor goes to the pool first (it must not
   * wait for this work's ordered step), then this work takes its turn. A successor the pool refuses
   * is cancelled here, and so on down the chain, iteratively.
   */
  private void complete(OrderedWork work) {
    for (OrderedWork w = work; w != null; ) {
      OrderedWork next = w.hashed ? hashes.leave(w) : null;
      if (next != null) {
        try {
          pool.queue(next);
          next = null; // the pool owns it now; maybe it runs already
        } catch (RejectedExecutionException e) {
          cancelOne(next, e);
        }
      }
      settle(w);
      w = next;
    }
  }

  /** Publishes DONE and runs what is due, or releases at once a work with no ordered step. */
  private void settle(OrderedWork work) {
    if (work.inOrderedList) {
      work.markDone(); // from here another thread may release it: do not touch it again
      ordered.runReady();
    } else {
      releaseStep(work);
    }
  }

  private void orderedStep(OrderedWork work) {
    if (work.wasCancelled) {
      return;
    }
    try {
      work.ordered();
    } catch (Throwable t) {
      log.warn("ordered queue {}: ordered() of {} threw; the next work goes on", name, work, t);
    }
  }

  private void releaseStep(OrderedWork work) {
    int colour = work.colour;
    work.markIdle(); // free for re-queueing, even from its own release(): never touched again
    try {
      work.release();
    } catch (Throwable t) {
      log.warn("ordered queue {}: release() threw", name, t);
    }
    completed.increment();
    colours.exit(colour);
  }

  /**
   * Waits until every work queued before this call has finished, its {@code release()} included.
   * Works queued meanwhile do not extend the wait. Waits without limit; an interrupt does not end
   * the wait but stays set.
   *
   * @throws IllegalStateException if called from one of this queue's works
   */
  public void flush() {
    checkNotOwnThread("flush");
    try {
      colours.flush(Long.MAX_VALUE);
    } catch (InterruptedException e) {
      throw new AssertionError(e); // the unlimited wait does not throw it
    }
  }

  /**
   * Like {@link #flush()}, at most {@code timeout}.
   *
   * @return whether every work queued before the call finished in time; {@code false} also if the
   *     thread was interrupted, whose interrupt status is then set again
   */
  public boolean flush(Duration timeout) {
    checkNotOwnThread("flush");
    try {
      return colours.flush(nanos(timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Waits until the queue is empty, refusing work from outside meanwhile ({@link
   * RejectedExecutionException}) while accepting work queued by this queue's own works, which may
   * chain. Afterwards the queue accepts work again. Waits without limit; an interrupt stays set.
   *
   * @throws IllegalStateException if called from one of this queue's works
   */
  public void drain() {
    drain(null);
  }

  /**
   * Like {@link #drain()}, at most {@code timeout}.
   *
   * @return whether the queue became empty in time; {@code false} also if interrupted (the
   *     interrupt status is then set again)
   */
  public boolean drain(Duration timeout) {
    checkNotOwnThread("drain");
    long nanos = timeout == null ? Long.MAX_VALUE : nanos(timeout);
    drainers.incrementAndGet();
    try {
      return colours.awaitEmpty(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      drainers.decrementAndGet();
    }
  }

  /**
   * Drains the queue, refuses every work from then on, and stops and awaits the pool if the queue
   * created it; a shared pool is left running. Idempotent.
   *
   * @throws IllegalStateException if called from one of this queue's works
   */
  @Override
  public void close() {
    checkNotOwnThread("close");
    drainers.incrementAndGet();
    try {
      colours.awaitEmpty(Long.MAX_VALUE);
      closed = true; // still draining: no outsider got in between
    } catch (InterruptedException e) {
      throw new AssertionError(e); // the unlimited wait does not throw it
    } finally {
      drainers.decrementAndGet();
    }
    if (destroyed.compareAndSet(false, true)) {
      if (ownsPool) {
        pool.close();
      }
      log.info("ordered queue {} destroyed: {}", name, stats());
    }
  }

  /** The pool the works run on (tests reach it to clean up after a failure). */
  WorkerPool pool() {
    return pool;
  }

  /** Whether {@link #close()} was called and the queue refuses all work. */
  public boolean isClosed() {
    return closed;
  }

  /** A snapshot of this queue's counters and of its pool's. */
  public OrderedQueueStats stats() {
    return new OrderedQueueStats(name, queued.sum(), completed.sum(), colours.inFlight(),
        ordered.length(), failures.sum(), cancelled.sum(), hashes.waiting(), pool.stats());
  }

  @Override
  public String toString() {
    return "OrderedWorkQueue[" + name + (closed ? ", closed" : "") + ", pool=" + pool.name() + "]";
  }

  private void checkNotOwnThread(String what) {
    if (CURRENT.get() == this) {
      throw new IllegalStateException(what + "() called from a work of ordered queue '" + name
          + "': it would wait for itself");
    }
  }

  private static long nanos(Duration timeout) {
    checkNotNull(timeout, "timeout");
    try {
      return Math.min(timeout.toNanos(), Long.MAX_VALUE - 1);
    } catch (ArithmeticException e) {
      return timeout.isNegative() ? 0 : Long.MAX_VALUE - 1;
    }
  }

  /**
   * An own pool is work-conserving: a busy worker takes no new work while another thread is idle
   * or may be started, and a worker that runs dry steals what waits behind a busy one. Without
   * that a work blocked in {@code work()} (a hot hash) or an {@code ordered()} waiting for a work
   * it queued would strand the works placed behind it on the same thread.
   */
  private static WorkerPool.Builder ownPool(String name) {
    return WorkerPool.builder(name).boredThreshold(1).workStealing(true);
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
    private Runnable onStart;

    private Builder(String name) {
      this.name = checkName(name);
    }

    /**
     * Runs the works on {@code pool}, which the queue neither stops nor closes. If its works block
     * or wait for each other, build that pool with {@code boredThreshold(1)} and {@code
     * workStealing(true)}, as the queue does for a pool of its own: otherwise a work may wait
     * behind a blocked one on the same thread while others idle.
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
     * A hook run on the pool thread each time a work of this queue leaves the waiting state: just
     * before its {@code work()} starts, or when it is cancelled instead. pool-priority's thresholds
     * count pending works with it. It must be quick and must not block; what it throws is logged.
     */
    public Builder onStart(Runnable hook) {
      this.onStart = checkNotNull(hook, "hook");
      return this;
    }

    /**
     * Creates the queue.
     *
     * @throws IllegalStateException if both {@code pool()} and {@code maxActive()} were given
     * @throws IllegalArgumentException if the shared pool is stopped already
     */
    public OrderedWorkQueue build() {
      if (pool != null) {
        if (maxActive != 0) {
          throw new IllegalStateException("ordered queue '" + name
              + "': give either pool() (shared) or maxActive() (own pool), not both");
        }
        checkArgument(!pool.isStopped(), "pool '%s' is already stopped", pool.name());
        return new OrderedWorkQueue(name, pool, false, false, onStart);
      }
      WorkerPool.Builder own = ownPool(name);
      if (maxActive != 0) {
        own.maxWorkers(maxActive);
      }
      return new OrderedWorkQueue(name, own.build(), true, false, onStart);
    }
  }
}
