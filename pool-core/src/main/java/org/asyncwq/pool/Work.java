package org.asyncwq.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.asyncwq.pool.spi.WorkHooks;

/**
 * A unit of work for a {@link WorkerPool}: the Java form of btrfs' {@code struct btrfs_work}.
 *
 * <p><b>Exactly-once disposition.</b> Every work that {@link WorkerPool#queue(Work)} accepted either
 * has {@link #run()} called once, or {@link #cancelled(Throwable)} called once: never both, never
 * neither, whatever races with it (stop, stopNow, freeze, spawn failure, requeue, idle retirement).
 *
 * <p><b>Pending mark.</b> A work is <em>pending</em> from the moment a pool accepts it until its
 * disposition begins. Queueing a pending work again returns {@code false} and has no effect, so it
 * still runs once. The mark is cleared just before {@code run()} (or {@code cancelled()}) is called,
 * so a work may queue itself again from inside {@code run()}; if it does so with
 * {@link WorkerPool#queue(Work)} the next run may start on another thread while this one is still
 * returning, whereas {@link WorkerPool#requeue(Work)} queues it at the tail only once {@code run()}
 * has returned, so two runs of one work never overlap.
 *
 * <p><b>No allocation.</b> The pools link works through a field of the work itself, so queueing
 * allocates nothing. The price is that a work is in at most one queue at a time, which the pending
 * mark already guarantees.
 */
public abstract class Work {
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Work.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int IDLE = 0;
  private static final int PENDING = 1;

  /** {@link #IDLE} or {@link #PENDING}; set by CAS when a pool accepts the work. */
  private volatile int state;

  /**
   * Link in the one {@link Worklist} (or {@link WorkBatch}) holding this work; accessed through the
   * worklist's VarHandle with release/acquire ordering.
   */
  Work next;

  /**
   * The thread running this work's {@code run()} now, and the pool it runs for; written by that
   * thread around {@code run()}, read by {@link WorkerPool#requeue(Work)} on the same thread.
   */
  Thread runner;

  WorkerPool runningIn;

  /**
   * Set by {@link WorkerPool#requeue(Work)} from inside {@code run()}: queue this work again once
   * {@code run()} has returned. Thread-confined to the runner.
   */
  boolean requeueAfterRun;

  /**
   * Runs this work once on a thread of {@code pool}: the only place {@code run()} is called.
   * Returns whether it asked for a requeue from inside {@code run()} (then it is pending again and
   * the caller queues it at the tail, now that {@code run()} has returned).
   */
  final boolean runOnce(WorkerPool pool, org.apache.logging.log4j.Logger log) {
    Thread me = Thread.currentThread();
    clearPending();
    runner = me;
    runningIn = pool;
    try {
      run();
    } catch (Throwable t) {
      log.warn("pool {}: work {} threw; the pool goes on", pool.name(), this, t);
    }
    if (runner == me) {
      runner = null;
      runningIn = null;
    }
    Thread.interrupted(); // an interrupt aimed at this work must not reach the next one
    boolean requeue = requeueAfterRun;
    requeueAfterRun = false;
    return requeue;
  }

  /** Creates a work that is not pending. */
  protected Work() {}

  /** The work itself. Runs on a pool thread; an exception it throws is logged and the pool goes on. */
  protected abstract void run();

  /**
   * Called instead of {@link #run()} when this work can never run: the pool was stopped with
   * {@link WorkerPool#stopNow()}, or it could create no thread at all. The default does nothing.
   *
   * @param cause why the work will not run; never {@code null}
   */
  protected void cancelled(Throwable cause) {}

  /**
   * How a pool disposes of this work when it can never run: {@link #cancelled(Throwable)}, unless
   * the work's kind installed an abandoner through {@link WorkHooks} (pool-ordered's {@code
   * OrderedWork} does, so that a cancelled work still takes its turn in the ordered list instead
   * of stalling it). Package-private: not a hook for user subclasses.
   *
   * @param cause why the work will not run; never {@code null}
   */
  final void abandon(Throwable cause) {
    WorkHooks.Abandoner kind = WorkHooks.abandonerOf(this);
    if (kind != null) {
      kind.abandon(this, cause);
    } else {
      cancelled(cause);
    }
  }

  /** Whether a pool holds this work and has neither started nor cancelled it yet. */
  public final boolean isPending() {
    return state == PENDING;
  }

  /** Claims the pending mark; {@code false} when the work is pending already. */
  final boolean markPending() {
    return STATE.compareAndSet(this, IDLE, PENDING);
  }

  /** Gives the pending mark back; only the one party that removed the work from its queue calls it. */
  final void clearPending() {
    state = IDLE;
  }
}
