package org.asyncwq.pool;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A pool of worker threads that grows on demand, retires idle threads and never hangs for want of
 * a thread: the Java form of the kernel's concurrency-managed workqueue pools, with the fixes of
 * seeds 000, 002, 003 and 004 built in.
 *
 * <p><b>Work-conserving.</b> All works of a pool wait in one shared FIFO. A queued work never waits
 * while a thread of the pool is idle: queueing wakes an idle worker, or starts a thread when none is
 * idle or on its way and the pool is below {@code maxWorkers}; a worker that takes a work while more
 * wait wakes one more. A work therefore never waits behind a blocked work while another thread
 * could run it (btrfs' per-worker lists of seed 002 could strand it; seed 003 replaced them by the
 * kernel's shared worklists). Queueing takes no lock and allocates nothing.
 *
 * <p><b>Threads.</b> Threads are never created on the thread that queues work (seed 000): with the
 * platform spawner on a starter the JVM shares, with a user's {@linkplain Builder#spawner spawner}
 * (which may block) on a starter of the pool's own, or on the {@linkplain Builder#starter starter}
 * given. A retryable creation failure is retried with backoff; when the pool has no thread at all
 * and a creation fails for good, its waiting works are {@linkplain Work#cancelled(Throwable)
 * cancelled} instead of waiting forever (seed 004). A {@linkplain Builder#rescuer(boolean) rescuer}
 * pool keeps one thread from its creation on that runs waiting work when no new thread came within
 * {@code maydayTimeout}. Workers above {@code minWorkers} retire after {@code idleTimeout} idle.
 * Worker threads inherit no {@code InheritableThreadLocal}s from whoever made them (with the
 * platform spawner) and get the context class loader of the thread that built the pool.
 *
 * <p><b>Disposition.</b> Every work accepted by {@code queue} or {@code requeue} runs once or is
 * cancelled once, whatever races with it; no user callback runs on a thread other pools share.
 *
 * <p><b>Watching.</b> A pool with work pending that finishes none for its {@linkplain
 * Builder#stallTimeout stall timeout} (30 s) logs one WARN with its counters and its busy threads'
 * stacks, once per stall. With {@linkplain Builder#jmx jmx} its {@link WorkerPoolMXBean} is
 * registered until the pool terminates.
 *
 * <p><b>Life.</b> {@link #stop()} refuses new work and lets the queued work run; {@link #stopNow()}
 * cancels the waiting work; {@link #awaitTermination(Duration)} waits until every thread has ended.
 * A pool is not restartable.
 */
/*
 * Implementation overview.
 *
 * Parts (each its own package-private class): Worklist, the shared lock-free FIFO; WorkerRoster,
 * the control word's transitions (idle stack, slot accounting, run state) and the signalling;
 * ControlWord, that word's bit layout; Bench, the workers sitting out beyond the maximum and the
 * rescuer's place in it; Worker, one thread's loop; WorkRunner, one run and the requeue after it;
 * RequeuesInFlight, requeues whose run is still on the stack; WorkerStarter, thread creation off
 * the submitter (SpawnRetryTimer times retries); Rescuer, the mayday thread; Disposal, every
 * cancellation and every work taken back; PoolThreads, thread exits, termination and its waits;
 * PoolControl, the control transitions below; StatsSnapshot, stats(); PoolMonitor, the JMX bean and
 * the stall watchdog; PoolSettings, the builder's fields; PoolExecutorService, the ExecutorService
 * view. A work's walk: queue -> Worklist.push -> WorkerRoster.signal -> Worker.loop ->
 * WorkRunner.run -> Work.runOnce.
 *
 * Control state: the bits STOP, NOW, DONE, FROZEN of WorkerRoster.ctl (ControlWord), plus
 * PoolThreads.terminated.
 *   RUNNING -> STOPPING       stop() sets STOP; wakes every idle worker and the rescuer
 *   any -> STOPPING_NOW       the first stopNow() sets STOP|NOW, closes RequeuesInFlight (counting
 *                             requeues of runs in progress, waiting for pushes under way), drains
 *                             the worklist, marks Disposal.swept, cancels what it took; a later
 *                             stopNow() only drains and cancels
 *   STOPPING* -> DONE         the last worker to leave (or stop()/a failed start) finds no slot in
 *                             use and, unless NOW, nothing queued: WorkerRoster.tryDone()
 *   DONE -> TERMINATED        PoolThreads.tryTerminate(): DONE, rescuer gone, no cancel running
 *   FROZEN set/cleared        freeze()/thaw(); orthogonal; workers take nothing while set
 * Queueing checks STOP before and after its push. STOP after it: the producer accepts its work with
 * a CAS on ctl that fails once NOW or DONE is set (WorkerRoster.acceptWhileStopping, so tryDone's
 * CAS cannot pass it by); failing, its work is late, and it waits for stopNow()'s sweep, drains and
 * rejects its own work, setting aside other producers' late works for them (Disposal.afterStop).
 *
 * Lock order: `lock` (WorkerRoster.lock: slot assignment, PoolThreads' thread set and counters,
 * Disposal's batches and disposers, termination) is a leaf: nothing else is locked under it and it
 * is never held across a run, a callback, a park or a spawn. The worklist's take token is a leaf
 * too. A WorkerStarter's monitor is held while it spawns (and, on a pool's own starter, while
 * startFailed runs cancelled()); under it PoolThreads.startFailed takes `lock` and the token:
 * starter monitor first, never the reverse. Disposal.late is held only around a late producer's
 * drain: `late` before the token. Spin-waits, none across user code: stopNow() for requeue pushes
 * under way (RequeuesInFlight), a late producer for the sweep of the stopNow() that set NOW.
 *
 * Read without a lock: ctl (CAS word); maxWorkers (volatile; a stale read costs one start or one
 * sit-out, corrected on the next look); the worklist's tail (the idle protocol's second half);
 * WorkerRoster.slots (volatile array, copied under `lock` on growth); a worker's phase (CAS),
 * stacked and nextIdle (idle-stack links, written before the CAS that publishes them); Bench's
 * benched count and rescuing flag (the take gate reads them under the token); RequeuesInFlight's
 * word (CAS); Disposal.swept (volatile, set once); thread references (volatile, set by the thread
 * itself); and the stats counters (opaque: a snapshot of a busy pool need not add up).
 */
public final class WorkerPool implements java.util.concurrent.Executor, AutoCloseable {
  private static final Logger log = LogManager.getLogger(WorkerPool.class);

  private final String name;
  private final int minWorkers;
  private final long idleTimeoutNanos;
  private final Worklist worklist = new Worklist();
  private final WorkerRoster roster;
  private final Disposal disposal;
  private final WorkerStarter starter;
  private final Rescuer rescuer;
  private final PoolThreads threads;
  private final PoolControl control;
  private final StatsSnapshot stats;
  private final PoolExecutorService executorService = new PoolExecutorService(this);
  final PoolMonitor monitor;
  final WorkRunner runner;

  private volatile int maxWorkers;

  private WorkerPool(Builder b) {
    this.name = b.name;
    this.minWorkers = b.minWorkers;
    this.maxWorkers = b.maxWorkers;
    this.idleTimeoutNanos = b.idleTimeout.toNanos();
    this.roster = new WorkerRoster(this, worklist, b.rescuer);
    this.disposal = new Disposal(this, roster.lock, worklist);
    this.runner = new WorkRunner(this, roster, worklist, disposal);
    this.threads = new PoolThreads(this, roster, worklist, disposal);
    this.rescuer = b.rescuer ? new Rescuer(this, roster, worklist, threads,
        b.maydayTimeout.toNanos()) : null;
    this.starter = WorkerStarter.forPool(this, threads, b);
    threads.init(starter, rescuer);
    this.control = new PoolControl(this, roster, worklist, disposal, threads, rescuer);
    this.stats = new StatsSnapshot(name, roster, worklist, disposal, threads, starter, rescuer);
    this.monitor = new PoolMonitor(this, b.jmx, b.stallTimeout);
  }

  /** A builder for a pool named {@code name}; the name prefixes its threads and its log lines. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * A one-thread helper pool that creates other pools' threads (seed 000's {@code
   * atomic_worker_start}). Pass it to {@link Builder#starter(WorkerPool)} of any number of pools;
   * its thread never retires. Close it after the pools that use it.
   */
  public static WorkerPool starter(String name) {
    return builder(name).minWorkers(1).maxWorkers(1).startsOnCaller().build();
  }

  /** This pool's name. */
  public String name() {
    return name;
  }

  // ---------------------------------------------------------------------------------------------
  // Queueing

  /**
   * Queues a work at the tail of the pool's worklist.
   *
   * @return {@code false} if the work is pending already (it will still run once), else {@code true}
   * @throws RejectedExecutionException once {@link #stop()} or {@link #stopNow()} was called
   */
  public boolean queue(Work work) {
    checkNotNull(work, "work");
    if (!work.markPending()) {
      return false;
    }
    queueClaimed(work);
    return true;
  }

  /**
   * {@link #queue(Work)} for a work whose pending mark the caller holds already: pool-ordered's
   * claim takes the mark with its own in one CAS ({@code WorkClaims}), so the work's line is
   * written by one atomic instruction per queueing instead of two.
   */
  void queueClaimed(Work work) {
    if ((roster.ctl & ControlWord.STOP) != 0) {
      work.clearPending();
      throw rejected();
    }
    worklist.push(work);
    if ((roster.ctl & ControlWord.STOP) == 0) {
      roster.signal();
    } else if (disposal.afterStop(work, false, roster)) {
      throw rejected(); // stop() came between the two checks and the work could be taken back
    }
  }

  /**
   * Queues a work again, for a long work that gives others a turn (btrfs' {@code
   * btrfs_requeue_work}). Called from inside the work's own {@code run()}, the work goes to the tail
   * of the worklist once {@code run()} has returned, so two runs never overlap; it is accepted while
   * the pool drains after {@link #stop()}, so a work in progress can finish in steps. Anywhere else
   * it is {@link #queue(Work)}.
   *
   * @return {@code false} if the work is pending already
   * @throws RejectedExecutionException after {@link #stopNow()}
   */
  public boolean requeue(Work work) {
    checkNotNull(work, "work");
    if (work.runningIn != this || work.runner != Thread.currentThread()) {
      return queue(work);
    }
    if (!work.markPending()) {
      return false;
    }
    if (!disposal.requeues.admit()) { // stopNow() closed requeues: see RequeuesInFlight
      work.clearPending();
      throw rejected();
    }
    work.requeueAfterRun = true;
    return true;
  }

  /** Runs {@code command} on the pool; allocates one small adapter per call. */
  @Override
  public void execute(Runnable command) {
    queue(new RunnableWork(checkNotNull(command, "command")));
  }

  RejectedExecutionException rejected() {
    long c = roster.ctl;
    return new RejectedExecutionException("pool '" + name + "' is "
        + ((c & ControlWord.DONE) != 0 ? "stopped" : "stopping") + " and accepts no new work");
  }

  PoolThreads threads() {
    return threads;
  }

  int minWorkers() {
    return minWorkers;
  }

  long idleTimeoutNanos() {
    return idleTimeoutNanos;
  }

  boolean acceptsStarts() {
    return (roster.ctl & (ControlWord.NOW | ControlWord.DONE)) == 0;
  }

  /** Called by {@link WorkerRoster#signal()} for a slot it claimed. */
  void startThread() {
    starter.start();
    if (rescuer != null) {
      rescuer.poke();
    }
  }

  Throwable stopNowCause() {
    return new CancellationException("pool '" + name + "' was stopped with stopNow()");
  }

  // ---------------------------------------------------------------------------------------------
  // Control

  /**
   * Changes the maximum number of workers, at any time. Raising it starts threads for work waiting
   * in the worklist and lets workers sitting out beyond the old maximum take work again. Lowering it
   * caps concurrency at once: workers beyond the new maximum take no new work once their current
   * one returns, and retire after the idle timeout, as idle workers do, so that a maximum that
   * comes back up within it (pool-priority's thresholds move it every few works) reuses them
   * rather than starting threads. Raising it wakes only as many of them as it admits.
   *
   * @throws IllegalArgumentException if {@code max} is below 1 or below {@code minWorkers}, or above
   *     32767
   */
  public void setMaxWorkers(int max) {
    PoolSettings.checkMaxWorkers(max);
    checkArgument(max >= minWorkers, "maxWorkers %s is below minWorkers %s", max, minWorkers);
    int old = maxWorkers;
    maxWorkers = max;
    if (max > old) {
      control.maxRaised();
    }
  }

  /** The current maximum number of workers. */
  public int maxWorkers() {
    return maxWorkers;
  }

  /**
   * Stops works from starting (the kernel freezer). Works already running finish; everything
   * queued, before or during the freeze, waits until {@link #thaw()}. Queueing still works.
   */
  public void freeze() {
    control.freeze();
  }

  /** Lets works start again after {@link #freeze()}. */
  public void thaw() {
    control.thaw();
  }

  public boolean isFrozen() {
    return (roster.ctl & ControlWord.FROZEN) != 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Life

  /**
   * Refuses new work from now on; every work already accepted still runs (after a thaw, if the
   * pool is frozen), then the threads end. Idempotent.
   */
  public void stop() {
    control.stop();
  }

  /**
   * Refuses new work and cancels every work that has not started, through {@link
   * Work#cancelled(Throwable)} with a {@link CancellationException}. Works already running finish;
   * then the threads end. A work that {@linkplain #requeue(Work) requeued} itself from a run still in
   * progress has not started its next run: it is cancelled as that run returns, on its thread.
   *
   * @return how many works this call cancelled: those waiting, plus those requeued from runs still
   *     in progress. Every {@code CancellationException} the pool gives a work is counted by the one
   *     stopNow() that caused it; a work queued as the pool stopped is either counted so or rejected
   *     by its own {@code queue()}.
   */
  public int stopNow() {
    return stopNow(null);
  }

  int stopNow(Consumer<Work> observer) {
    return control.stopNow(observer);
  }

  /** Whether {@link #stop()} or {@link #stopNow()} was called. */
  public boolean isStopped() {
    return (roster.ctl & ControlWord.STOP) != 0;
  }

  /** Whether the pool stopped and every one of its threads has ended. */
  public boolean isTerminated() {
    return threads.isTerminated();
  }

  /**
   * Waits until the pool has stopped and every one of its threads has ended (joined, not merely
   * signalled). If the calling thread is interrupted it returns {@code false} with the interrupt
   * status set again.
   *
   * @return whether the pool terminated within {@code timeout}
   * @throws IllegalStateException if called from one of this pool's own threads, or from a {@code
   *     cancelled()} the pool is running, which would wait for itself
   */
  public boolean awaitTermination(Duration timeout) {
    return threads.awaitTermination(checkNotNull(timeout, "timeout"));
  }

  /**
   * {@link #stop()}, then waits for termination. Called from one of the pool's own threads, or from
   * a {@code cancelled()} the pool runs, it only stops, since waiting would wait for itself. If
   * interrupted while waiting it calls {@link #stopNow()}, keeps waiting, and restores the interrupt
   * status.
   */
  @Override
  public void close() {
    stop();
    threads.awaitClose();
  }

  /** A snapshot of the pool's gauges and counters. */
  public PoolStats stats() {
    return stats.take();
  }

  /**
   * This pool as an {@link ExecutorService} that honours the whole {@code java.util.concurrent}
   * contract. {@code shutdown} is {@link #stop()}; {@code shutdownNow} is {@link #stopNow()}, also
   * interrupts running tasks, and returns the {@code Runnable}s that never started.
   */
  public ExecutorService asExecutorService() {
    return executorService;
  }

  @Override
  public String toString() {
    long c = roster.ctl;
    return "WorkerPool[" + name + ", " + ControlWord.stateName(c) + ", workers="
        + ControlWord.live(c) + "/" + maxWorkers + "]";
  }

  /**
   * Builds a {@link WorkerPool}. Every setter checks its argument at once; {@link #build()} checks
   * that the settings fit together. The setters are documented on {@link PoolSettings}.
   */
  public static final class Builder extends PoolSettings<Builder> {
    private Builder(String name) {
      super(name);
    }

    /**
     * Creates the pool and starts its {@code minWorkers} threads (and its rescuer) before
     * returning.
     *
     * @throws IllegalArgumentException if {@code minWorkers > maxWorkers}
     * @throws IllegalStateException if those threads could not be started
     */
    public WorkerPool build() {
      checkArgument(minWorkers <= maxWorkers,
          "pool '%s': minWorkers %s is above maxWorkers %s", name, minWorkers, maxWorkers);
      if (starter != null) {
        checkArgument(!starter.isStopped(), "starter pool '%s' is already stopped", starter.name);
      }
      WorkerPool pool = new WorkerPool(this);
      log.info("pool {} created: minWorkers={}, maxWorkers={}, idleTimeout={}, starter={},"
              + " rescuer={}, maydayTimeout={}",
          name, minWorkers, maxWorkers, idleTimeout, pool.starter.describe(), rescuer,
          maydayTimeout);
      pool.threads.startAtBuild(minWorkers);
      pool.monitor.start();
      return pool;
    }
  }
}
