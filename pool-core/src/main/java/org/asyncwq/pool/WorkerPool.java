package org.asyncwq.pool;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A pool of worker threads that grows on demand, retires idle threads and never hangs for want of
 * a thread: the Java form of btrfs' {@code struct btrfs_workers}, with the fixes of seeds 000, 002,
 * 003 and 004 built in.
 *
 * <p><b>Placement.</b> Each worker has its own list of works. {@link #queue(Work)} hands a work to a
 * <em>bored</em> worker (fewer than {@code boredThreshold} works, counting the one it runs) without
 * taking any pool-wide lock, and wakes that worker's thread only if it sleeps. When no worker is
 * bored and the pool may still grow, the work waits in the pool's backlog while one more thread is
 * started; every worker also takes from the backlog, so the work runs on whichever thread is free
 * first. At {@code maxWorkers} the least-loaded worker gets it. Threads being started count against
 * the maximum (seed 000's {@code num_workers_starting}), so concurrent submitters never over-create.
 *
 * <p><b>Threads.</b> With a {@linkplain Builder#starter(WorkerPool) starter}, threads are created on
 * the starter's thread and the submitter never waits for a creation (seed 000). A retryable creation
 * failure is retried off the submitting thread with backoff; when the pool has no thread at all
 * and a creation fails for good, its waiting works are {@linkplain Work#cancelled(Throwable)
 * cancelled} instead of waiting forever (seed 004). A {@linkplain Builder#rescuer(boolean) rescuer}
 * pool keeps one thread from its creation on that runs waiting work when no new thread came within
 * {@code maydayTimeout}. Workers above {@code minWorkers} retire after {@code idleTimeout} idle.
 *
 * <p><b>Disposition.</b> Every work accepted by {@code queue} or {@code requeue} runs once or is
 * cancelled once, whatever races with it (see {@link Work}).
 *
 * <p><b>Life.</b> {@link #stop()} refuses new work and lets the queued work run; {@link #stopNow()}
 * cancels the waiting work; {@link #awaitTermination(Duration)} waits until every thread has ended.
 * A pool is not restartable.
 */
public final class WorkerPool implements java.util.concurrent.Executor, AutoCloseable {
  private static final Logger log = LogManager.getLogger(WorkerPool.class);

  private final String name;
  private final int minWorkers;
  private final int boredThreshold;
  private final long idleTimeoutNanos;
  private final long maydayNanos;
  private final boolean hasRescuer;
  private final boolean workStealing;
  private final WorkerStarter starter;
  private final PoolExecutorService executorService = new PoolExecutorService(this);

  private volatile int maxWorkers;
  private volatile PoolState state = PoolState.RUNNING;
  private volatile boolean frozen;

  /** Guards the backlog, the worker set, the slot counts and every state change. */
  private final ReentrantLock mainLock = new ReentrantLock();

  private final Condition termination = mainLock.newCondition();
  private final Condition registered = mainLock.newCondition();
  private final Condition rescuerWake = mainLock.newCondition();

  /** Works that wait for any thread: no worker was bored while a new one was being started. */
  @GuardedBy("mainLock")
  private final WorkList backlog = new WorkList();

  /** Mirror of {@code backlog.size()} so workers can look without the lock. */
  private volatile int backlogSize;

  /** When a backlog work was last taken, or the backlog last became non-empty (for the rescuer). */
  @GuardedBy("mainLock")
  private long backlogProgressAt;

  /**
   * The open workers, copied on write under {@code mainLock}; placement reads it without a lock,
   * and its length is the number of live workers.
   */
  private volatile Worker[] workers = new Worker[0];

  /**
   * Placement hint: the worker that last took a work from the scan. Stale values only cost a scan.
   * Volatile, not plain: a racy read could otherwise see a worker published without its {@code
   * thread} field, and a producer's wake-up would become {@code unpark(null)}, a lost wake-up.
   */
  private volatile Worker last;

  /** Thread starts counted against {@code maxWorkers} whose thread has not registered yet. */
  private volatile int starting;

  /** Thread bodies that have not returned yet, the rescuer's included. */
  @GuardedBy("mainLock")
  private int runningThreads;

  /**
   * Batches of works taken out of the pool under {@code mainLock} whose {@code cancelled()} calls
   * are still being made outside it; the pool is not terminated before they are done.
   */
  @GuardedBy("mainLock")
  private int cancelling;

  /** The rescuer's thread once it runs, so shutdownNow() can interrupt a task it runs. */
  @GuardedBy("mainLock")
  private Thread rescuerThread;

  /** Every thread the pool started that may still be alive; joined by awaitTermination. */
  @GuardedBy("mainLock")
  private final Set<Thread> threads = new HashSet<>();

  @GuardedBy("mainLock")
  private long departedAccepted;

  @GuardedBy("mainLock")
  private long departedExecuted;

  @GuardedBy("mainLock")
  private long backlogAccepted;

  @GuardedBy("mainLock")
  private long rescued;

  @GuardedBy("mainLock")
  private long retired;

  private final AtomicLong cancelled = new AtomicLong();

  private WorkerPool(Builder b) {
    this.name = b.name;
    this.minWorkers = b.minWorkers;
    this.maxWorkers = b.maxWorkers;
    this.boredThreshold = b.boredThreshold;
    this.idleTimeoutNanos = b.idleTimeout.toNanos();
    this.maydayNanos = b.maydayTimeout.toNanos();
    this.hasRescuer = b.rescuer;
    this.workStealing = b.workStealing;
    this.starter =
        new WorkerStarter(this, b.spawner, b.starter, b.spawnAttempts, b.spawnBackoff.toNanos());
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
    return builder(name).minWorkers(1).maxWorkers(1).boredThreshold(Integer.MAX_VALUE).build();
  }

  /** This pool's name. */
  public String name() {
    return name;
  }

  // ---------------------------------------------------------------------------------------------
  // Queueing

  /**
   * Queues a work.
   *
   * @return {@code false} if the work is pending already (it will still run once), else {@code true}
   * @throws RejectedExecutionException once {@link #stop()} or {@link #stopNow()} was called
   */
  public boolean queue(Work work) {
    checkNotNull(work, "work");
    if (!work.markPending()) {
      return false;
    }
    // Whether the pool still accepts work is checked where the work is placed, under the lock that
    // makes the answer exact (the worker's monitor in offer(), the main lock in placeSlow()).
    if (!placeFast(work)) {
      placeSlow(work);
    }
    return true;
  }

  /**
   * Queues a work again at the tail of the worker that is running it, for a long work that gives
   * others a turn (btrfs' {@code btrfs_requeue_work}). Call it from inside the work's {@code run()};
   * anywhere else it is {@link #queue(Work)}. It is accepted while the pool drains after {@link
   * #stop()}, so a work in progress can finish in steps.
   *
   * @return {@code false} if the work is pending already
   * @throws RejectedExecutionException after {@link #stopNow()}
   */
  public boolean requeue(Work work) {
    checkNotNull(work, "work");
    Worker owner = work.owner;
    if (owner == null || owner.pool != this || owner.thread != Thread.currentThread()) {
      return queue(work);
    }
    if (!work.markPending()) {
      return false;
    }
    if (!owner.offer(work, true)) {
      work.clearPending();
      return queue(work);
    }
    return true;
  }

  /** Runs {@code command} on the pool; allocates one small adapter per call. */
  @Override
  public void execute(Runnable command) {
    queue(new RunnableWork(checkNotNull(command, "command")));
  }

  /** Throws unless the pool still takes work; clears the pending mark it would have left behind. */
  void checkAccepting(Work work, boolean requeue) {
    PoolState s = state;
    if (s == PoolState.RUNNING || (requeue && s == PoolState.STOPPING)) {
      return;
    }
    work.clearPending();
    throw new RejectedExecutionException(
        "pool '" + name + "' is " + (s == PoolState.STOPPING ? "stopping" : "stopped")
            + " and accepts no new work");
  }

  /**
   * Lock-free placement: the hinted worker if it is bored, else the first bored worker; when none is
   * bored and the pool cannot grow, the least-loaded worker. Returns false to leave the decision to
   * {@link #placeSlow}, which starts a thread.
   *
   * <p>Two races are closed here. Producers that read the same bored worker at once must not push
   * it past the threshold together, so {@code offer} re-checks the load under the worker's monitor.
   * And while works wait in the backlog nobody counts as bored: each of them asked for a thread
   * start, and a worker that looks bored is about to take one of them, so a new work goes the slow
   * way rather than take the thread a backlog work waits for. The "cannot grow" read is racy: a
   * worker retiring at that moment can make one work land on a busy worker instead of waiting for a
   * new thread, which costs a little latency and never correctness.
   */
  private boolean placeFast(Work work) {
    if (backlogSize > 0) {
      return false;
    }
    Worker hint = last;
    if (hint != null && hint.load() < boredThreshold && hint.offer(work, false, boredThreshold)) {
      return true;
    }
    Worker least = null;
    int leastLoad = Integer.MAX_VALUE;
    Worker[] ws = workers;
    for (int i = 0, n = eligible(ws); i < n; i++) {
      Worker w = ws[i];
      int load = w.load();
      if (load < boredThreshold) {
        if (w.offer(work, false, boredThreshold)) {
          last = w;
          return true;
        }
      } else if (load < leastLoad && !w.isClosed()) {
        least = w;
        leastLoad = load;
      }
    }
    return least != null && liveWorkers() + starting >= maxWorkers && least.offer(work, false);
  }

  /** No bored worker: start a thread if the pool may grow, else pick the least-loaded worker. */
  private void placeSlow(Work work) {
    boolean start = false;
    mainLock.lock();
    try {
      for (; ; ) {
        checkAccepting(work, false);
        Worker bored = null;
        Worker least = null;
        int leastLoad = Integer.MAX_VALUE;
        boolean backlogged = !backlog.isEmpty(); // see placeFast: then nobody counts as bored
        Worker[] ws = workers;
        for (int i = 0, n = eligible(ws); i < n; i++) {
          Worker w = ws[i];
          int load = w.load();
          if (!backlogged && load < boredThreshold) {
            bored = w;
            break;
          }
          if (load < leastLoad) {
            least = w;
            leastLoad = load;
          }
        }
        if (bored != null) {
          if (bored.offer(work, false, boredThreshold)) {
            last = bored;
            break;
          }
          continue; // a lock-free producer filled it up meanwhile; look again
        }
        if (liveWorkers() + starting < maxWorkers) {
          starting++;
          start = true;
          addBacklog(work);
        } else if (least != null && least.offer(work, false)) {
          last = least;
        } else {
          addBacklog(work);
        }
        break;
      }
    } finally {
      mainLock.unlock();
    }
    if (start) {
      starter.start();
    }
  }

  @GuardedBy("mainLock")
  private void addBacklog(Work work) {
    if (backlog.isEmpty()) {
      backlogProgressAt = System.nanoTime();
      rescuerWake.signal();
    }
    backlog.addLast(work);
    backlogSize = backlog.size();
    backlogAccepted++;
    wakeOneIdle(null);
  }

  boolean hasBacklog() {
    return backlogSize > 0;
  }

  private int liveWorkers() {
    return workers.length;
  }

  /**
   * How many workers, from the front of {@code ws}, may take new work: at most {@code maxWorkers}.
   * After {@link #setMaxWorkers} lowered the maximum, the workers beyond it are surplus: they get
   * no new work, take nothing from the backlog or other workers, finish what they hold and retire
   * after their idle timeout, so that concurrency drops at once while a maximum raised again soon
   * finds them still there instead of starting threads (the kernel's max_active works this way).
   */
  private int eligible(Worker[] ws) {
    return Math.min(ws.length, maxWorkers);
  }

  /** Whether {@code w} is beyond the maximum (see {@link #eligible}). */
  private boolean isSurplus(Worker w) {
    Worker[] ws = workers;
    int n = eligible(ws);
    for (int i = 0; i < n; i++) {
      if (ws[i] == w) {
        return false;
      }
    }
    return true;
  }

  /**
   * Takes the oldest backlog work for {@code taker}, counting it in the taker's load before the
   * work leaves the backlog's lock, so that no producer sees a worker busy with a backlog work as
   * bored and stacks work behind it.
   */
  Work pollBacklog(Worker taker) {
    if (backlogSize == 0) {
      return null;
    }
    mainLock.lock();
    try {
      if (frozen) {
        return null; // see Worker.takeOwn: nothing is taken while frozen, under the drain's lock
      }
      if (isSurplus(taker)) {
        return null;
      }
      Work work = backlog.poll();
      if (work != null) {
        backlogSize = backlog.size();
        backlogProgressAt = System.nanoTime();
        taker.tookWork();
      }
      return work;
    } finally {
      mainLock.unlock();
    }
  }

  /**
   * In a {@linkplain Builder#workStealing(boolean) work-stealing} pool, a worker with nothing of
   * its own and an empty backlog takes the oldest waiting work of a worker that has more than the
   * one it runs; otherwise, and when there is none, {@code null}.
   */
  Work steal(Worker thief) {
    if (!workStealing || isSurplus(thief)) {
      return null;
    }
    for (Worker victim : workers) {
      if (victim != thief && victim.load() > 1) {
        Work work = victim.steal();
        if (work != null) {
          thief.tookWork();
          return work;
        }
      }
    }
    return null;
  }

  /** A work waits behind the one {@code busy} runs: wake one sleeping worker to steal it. */
  void wakeThief(Worker busy) {
    wakeOneIdle(busy);
  }

  /** Wakes one sleeping worker that may take work (not {@code except}, not surplus). */
  private void wakeOneIdle(Worker except) {
    Worker[] ws = workers;
    for (int i = 0, n = eligible(ws); i < n; i++) {
      Worker w = ws[i];
      if (w != except && w.isIdle() && w.wakeIfIdle()) {
        return;
      }
    }
  }

  boolean isWorkStealing() {
    return workStealing;
  }

  /** Whether a work-stealing pool has a worker with a work waiting behind the one it runs. */
  boolean hasStealable(Worker thief) {
    if (workStealing && !isSurplus(thief)) {
      for (Worker victim : workers) {
        if (victim != thief && victim.load() > 1) {
          return true;
        }
      }
    }
    return false;
  }

  /** Runs one work on the calling pool thread: the only place a work's {@code run()} is called. */
  void runWork(Work work) {
    work.clearPending();
    try {
      work.run();
    } catch (Throwable t) {
      log.warn("pool {}: work {} threw; the pool goes on", name, work, t);
    }
    Thread.interrupted(); // an interrupt aimed at this work must not reach the next one
  }

  /** Cancels one work: the only place a work's {@code abandon()}/{@code cancelled()} is called. */
  void cancelOne(Work work, Throwable cause) {
    work.clearPending();
    cancelled.incrementAndGet();
    try {
      work.abandon(cause);
    } catch (Throwable t) {
      log.warn("pool {}: cancelled() of {} threw", name, work, t);
    }
  }

  /**
   * Cancels the works of {@code doomed}, which the caller took out of the pool under {@code
   * mainLock} and, if it is non-empty, counted in {@link #cancelling} there; gives that count back
   * once every {@code cancelled()} was called, and only then may the pool terminate.
   */
  private int cancelAll(WorkList doomed, Throwable cause, Consumer<Work> observer) {
    if (doomed.isEmpty()) {
      return 0;
    }
    int n = 0;
    try {
      for (Work work = doomed.poll(); work != null; work = doomed.poll()) {
        if (observer != null) {
          observer.accept(work);
        }
        cancelOne(work, cause);
        n++;
      }
    } finally {
      mainLock.lock();
      try {
        cancelling--;
        tryTerminate();
      } finally {
        mainLock.unlock();
      }
    }
    return n;
  }

  Throwable stopNowCause() {
    return new CancellationException("pool '" + name + "' was stopped with stopNow()");
  }

  // ---------------------------------------------------------------------------------------------
  // Threads

  /**
   * How long a surplus worker (beyond a lowered maximum, see {@link #eligible}) stays idle before it
   * retires, at most: long enough to ride out the oscillations of pool-priority's thresholds, which
   * move the maximum every few works, short enough that lowering the maximum frees its threads
   * promptly.
   */
  static final long SURPLUS_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** How long {@code worker} may stay idle before it retires (if it is above the minimum). */
  long retireAfterNanos(Worker worker) {
    return idleTimeoutNanos > SURPLUS_GRACE_NANOS && isSurplus(worker)
        ? SURPLUS_GRACE_NANOS
        : idleTimeoutNanos;
  }

  boolean acceptsStarts() {
    return !state.atLeast(PoolState.STOPPING_NOW);
  }

  boolean isStoppingNow() {
    return state.atLeast(PoolState.STOPPING_NOW);
  }

  /** A cheap, lock-free guess whether an idle worker should ask {@link #leaveOrStay}. */
  boolean mayLeave(boolean timedOut) {
    int live = liveWorkers();
    return state.atLeast(PoolState.STOPPING) || (timedOut && live > minWorkers);
  }

  /** What an idle worker does next. */
  enum Idle {
    /** The worker closed and left the pool; its thread ends. */
    LEAVE,
    /** Nothing to do and no reason to leave; sleep another idle timeout. */
    STAY,
    /** Work arrived; go and take it. */
    WORK
  }

  Idle leaveOrStay(Worker worker, boolean timedOut) {
    mainLock.lock();
    try {
      if (!backlog.isEmpty() && !isSurplus(worker)) {
        worker.markAwake();
        return Idle.WORK;
      }
      boolean stopping = state.atLeast(PoolState.STOPPING);
      // Surplus workers (beyond a lowered maximum) retire like any idle worker above the
      // minimum: after their idle timeout. See eligible().
      boolean leave = stopping || (timedOut && liveWorkers() > minWorkers);
      if (!leave) {
        return Idle.STAY;
      }
      if (!worker.closeIfEmpty()) {
        return Idle.WORK;
      }
      depart(worker);
      if (!stopping) {
        retired++;
        log.debug("pool {}: worker {} retired, {} left", name, worker, liveWorkers());
      }
      return Idle.LEAVE;
    } finally {
      mainLock.unlock();
    }
  }

  @GuardedBy("mainLock")
  private void depart(Worker worker) {
    Worker[] ws = workers;
    Worker[] next = new Worker[ws.length - 1];
    int i = 0;
    for (Worker w : ws) {
      if (w != worker) {
        next[i++] = w;
      }
    }
    workers = next;
    departedAccepted += worker.accepted();
    departedExecuted += worker.executed();
  }

  void workerStarted(Worker worker) {
    mainLock.lock();
    try {
      starting--;
      runningThreads++;
      Worker[] ws = workers;
      Worker[] next = Arrays.copyOf(ws, ws.length + 1);
      next[ws.length] = worker;
      workers = next;
      threads.removeIf(t -> !t.isAlive());
      threads.add(Thread.currentThread());
      registered.signalAll();
      log.debug("pool {}: worker {} started, {} running", name, worker, liveWorkers());
    } finally {
      mainLock.unlock();
    }
  }

  void workerExited(Worker worker, boolean clean) {
    boolean restart = false;
    mainLock.lock();
    try {
      if (!clean && !worker.isClosed()) {
        // Something escaped the worker loop itself; hand its waiting works to the backlog so
        // nothing is stranded, and replace the thread if no other can take them.
        WorkList orphans = new WorkList();
        worker.closeAndDrainTo(orphans);
        depart(worker);
        int orphaned = orphans.size();
        backlog.splice(orphans);
        backlogSize = backlog.size();
        log.error("pool {}: worker {} died; {} waiting works moved to the backlog",
            name, worker, orphaned);
        if (!backlog.isEmpty() && liveWorkers() + starting < maxWorkers
            && acceptsStarts()) {
          starting++;
          restart = true;
        }
      }
      runningThreads--;
      tryTerminate();
    } finally {
      mainLock.unlock();
    }
    if (restart) {
      starter.start();
    }
  }

  /** A thread start failed for good. Fatal to the waiting works only if the pool has no thread. */
  void startFailed(SpawnException cause) {
    WorkList doomed = new WorkList();
    mainLock.lock();
    try {
      starting--;
      if (liveWorkers() == 0 && starting == 0 && !hasRescuer) {
        doomed.splice(backlog);
        backlogSize = 0;
        if (!doomed.isEmpty()) {
          cancelling++;
        }
      } else if (!backlog.isEmpty()) {
        wakeOneIdle(null);
      }
      tryTerminate();
    } finally {
      mainLock.unlock();
    }
    int n = cancelAll(doomed, cause, null);
    if (n > 0) {
      log.warn("pool {}: no thread could be started and none is running; cancelled {} waiting"
          + " works: {}", name, n, cause.getMessage());
    }
  }

  @GuardedBy("mainLock")
  private void tryTerminate() {
    if (state.atLeast(PoolState.STOPPING) && state != PoolState.TERMINATED
        && liveWorkers() == 0 && starting == 0 && runningThreads == 0 && backlog.isEmpty()
        && cancelling == 0) {
      state = PoolState.TERMINATED;
      termination.signalAll();
      log.info("pool {} destroyed: {}", name, statsLocked());
    }
  }

  /** The rescuer's loop: run backlog work that no thread has taken for {@code maydayTimeout}. */
  private void rescue() {
    mainLock.lock();
    try {
      threads.add(Thread.currentThread());
      rescuerThread = Thread.currentThread();
      for (; ; ) {
        if (state.atLeast(PoolState.STOPPING) && backlog.isEmpty()) {
          return;
        }
        long wait = Long.MAX_VALUE;
        if (!backlog.isEmpty() && !frozen) {
          long stalled = System.nanoTime() - backlogProgressAt;
          if (stalled >= maydayNanos) {
            Work work = backlog.poll();
            backlogSize = backlog.size();
            backlogProgressAt = System.nanoTime();
            rescued++;
            log.trace("pool {}: rescuer runs a work that waited {} µs", name, stalled / 1000);
            mainLock.unlock();
            try {
              work.owner = null;
              runWork(work);
            } finally {
              mainLock.lock();
            }
            continue;
          }
          wait = maydayNanos - stalled;
        }
        try {
          if (wait == Long.MAX_VALUE) {
            rescuerWake.await();
          } else {
            rescuerWake.awaitNanos(wait);
          }
        } catch (InterruptedException e) {
          // the rescuer has no one to report to; it goes on until the pool stops
        }
      }
    } finally {
      runningThreads--;
      tryTerminate();
      mainLock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Control

  /**
   * Changes the maximum number of workers, at any time. Raising it starts threads for work waiting
   * in the backlog, and in a {@linkplain Builder#workStealing(boolean) work-stealing} pool also for
   * work waiting behind busy workers, and lets surplus workers that have not retired yet take work
   * again. Lowering it caps concurrency at once: the workers beyond the new maximum get no new work,
   * finish what they hold and retire once idle for their idle timeout or one second, whichever is
   * shorter, so that a maximum that comes back up soon (pool-priority's thresholds move it every
   * few works) reuses them rather than starting threads.
   *
   * @throws IllegalArgumentException if {@code max} is below 1 or below {@code minWorkers}
   */
  public void setMaxWorkers(int max) {
    checkArgument(max >= 1, "maxWorkers must be at least 1, was %s", max);
    checkArgument(max >= minWorkers, "maxWorkers %s is below minWorkers %s", max, minWorkers);
    int starts = 0;
    mainLock.lock();
    try {
      int old = maxWorkers;
      maxWorkers = max;
      if (max > old && state == PoolState.RUNNING) {
        // Threads for the works that wait: in the backlog, and, in a stealing pool, behind busy
        // workers, where a new thread steals them. Without this a raised limit (pool-priority's
        // thresholds raise it all the time) would add no concurrency for works already queued.
        int waiting = backlog.size();
        if (workStealing) {
          for (Worker w : workers) {
            waiting += w.pending();
          }
        }
        while (liveWorkers() + starting < max && starting < waiting) {
          starting++;
          starts++;
        }
        wakeAll(); // surplus workers that are eligible again look for work
      } else if (max < old) {
        last = null; // the hint may point beyond the new maximum
        wakeAll(); // sleeping surplus workers take up their shorter grace
      }
    } finally {
      mainLock.unlock();
    }
    for (int i = 0; i < starts; i++) {
      starter.start();
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
    frozen = true;
    log.info("pool {} frozen", name);
  }

  /** Lets works start again after {@link #freeze()}. */
  public void thaw() {
    frozen = false;
    mainLock.lock();
    try {
      wakeAll();
      rescuerWake.signalAll();
    } finally {
      mainLock.unlock();
    }
    log.info("pool {} thawed", name);
  }

  public boolean isFrozen() {
    return frozen;
  }

  void awaitThaw() {
    while (frozen && !isStoppingNow()) {
      LockSupport.park(this);
      Thread.interrupted();
    }
  }

  @GuardedBy("mainLock")
  private void wakeAll() {
    for (Worker w : workers) {
      LockSupport.unpark(w.thread);
    }
  }

  void interruptThreads() {
    mainLock.lock();
    try {
      for (Worker w : workers) {
        w.thread.interrupt();
      }
      if (rescuerThread != null) {
        rescuerThread.interrupt(); // its loop shrugs off an interrupt that finds it waiting
      }
    } finally {
      mainLock.unlock();
    }
  }

  /**
   * Refuses new work from now on; every work already accepted still runs (after a thaw, if the
   * pool is frozen), then the threads end. Idempotent.
   */
  public void stop() {
    mainLock.lock();
    try {
      if (state == PoolState.RUNNING) {
        state = PoolState.STOPPING;
        log.info("pool {} stopping", name);
        wakeAll();
        rescuerWake.signalAll();
        tryTerminate();
      }
    } finally {
      mainLock.unlock();
    }
  }

  /**
   * Refuses new work and cancels every work that has not started, through {@link
   * Work#cancelled(Throwable)} with a {@link CancellationException}. Works already running finish;
   * then the threads end.
   *
   * @return how many works were cancelled by this call
   */
  public int stopNow() {
    return stopNow(null);
  }

  int stopNow(Consumer<Work> observer) {
    WorkList doomed = new WorkList();
    mainLock.lock();
    try {
      if (!state.atLeast(PoolState.STOPPING_NOW)) {
        state = PoolState.STOPPING_NOW;
        log.info("pool {} stopping now", name);
      }
      doomed.splice(backlog);
      backlogSize = 0;
      for (Worker w : workers) {
        w.drainTo(doomed);
      }
      if (!doomed.isEmpty()) {
        cancelling++;
      }
      wakeAll();
      rescuerWake.signalAll();
      tryTerminate();
    } finally {
      mainLock.unlock();
    }
    int n = cancelAll(doomed, stopNowCause(), observer);
    if (n > 0) {
      log.info("pool {}: stopNow cancelled {} waiting works", name, n);
    }
    return n;
  }

  /** Whether {@link #stop()} or {@link #stopNow()} was called. */
  public boolean isStopped() {
    return state.atLeast(PoolState.STOPPING);
  }

  /** Whether the pool stopped and every one of its threads has ended. */
  public boolean isTerminated() {
    if (state != PoolState.TERMINATED) {
      return false;
    }
    mainLock.lock();
    try {
      threads.removeIf(t -> !t.isAlive());
      return threads.isEmpty();
    } finally {
      mainLock.unlock();
    }
  }

  /**
   * Waits until the pool has stopped and every one of its threads has ended (joined, not merely
   * signalled). If the calling thread is interrupted it returns {@code false} with the interrupt
   * status set again.
   *
   * @return whether the pool terminated within {@code timeout}
   * @throws IllegalStateException if called from one of this pool's own threads, which would wait
   *     for itself
   */
  public boolean awaitTermination(Duration timeout) {
    checkNotNull(timeout, "timeout");
    try {
      return awaitTerminationNanos(saturatedNanos(timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  boolean awaitTerminationNanos(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    List<Thread> toJoin;
    mainLock.lock();
    try {
      if (threads.contains(Thread.currentThread())) {
        throw new IllegalStateException(
            "awaitTermination() called on a thread of pool '" + name + "': it would wait for"
                + " itself");
      }
      while (state != PoolState.TERMINATED) {
        if (nanos <= 0) {
          return false;
        }
        nanos = termination.awaitNanos(nanos);
      }
      toJoin = new ArrayList<>(threads);
    } finally {
      mainLock.unlock();
    }
    for (Thread t : toJoin) {
      TimeUnit.NANOSECONDS.timedJoin(t, Math.max(deadline - System.nanoTime(), 1L));
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /**
   * {@link #stop()}, then waits for termination. Called from one of the pool's own threads it only
   * stops, since waiting would wait for itself. If interrupted while waiting it calls {@link
   * #stopNow()}, keeps waiting, and restores the interrupt status.
   */
  @Override
  public void close() {
    stop();
    mainLock.lock();
    try {
      if (threads.contains(Thread.currentThread())) {
        return;
      }
    } finally {
      mainLock.unlock();
    }
    boolean interrupted = false;
    for (; ; ) {
      try {
        if (awaitTerminationNanos(Long.MAX_VALUE)) {
          break;
        }
      } catch (InterruptedException e) {
        if (!interrupted) {
          stopNow();
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A snapshot of the pool's gauges and counters. */
  public PoolStats stats() {
    mainLock.lock();
    try {
      return statsLocked();
    } finally {
      mainLock.unlock();
    }
  }

  @GuardedBy("mainLock")
  private PoolStats statsLocked() {
    int idle = 0;
    int pending = backlog.size();
    long queued = departedAccepted + backlogAccepted;
    long executed = departedExecuted + rescued;
    for (Worker w : workers) {
      if (w.isIdle()) {
        idle++;
      }
      pending += w.pending();
      queued += w.accepted();
      executed += w.executed();
    }
    return new PoolStats(name, liveWorkers(), starting, idle, pending, queued, executed,
        cancelled.get(), starter.spawned.get(), starter.failures.get(), retired, rescued);
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
    return "WorkerPool[" + name + ", " + state + ", workers=" + liveWorkers() + "/" + maxWorkers
        + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Creation

  private void start(int min) {
    log.info("pool {} created: minWorkers={}, maxWorkers={}, boredThreshold={}, idleTimeout={},"
            + " starter={}, rescuer={}, maydayTimeout={}, workStealing={}",
        name, minWorkers, maxWorkers, boredThreshold, Duration.ofNanos(idleTimeoutNanos),
        starter.describe(), hasRescuer, Duration.ofNanos(maydayNanos), workStealing);
    try {
      if (hasRescuer) {
        mainLock.lock();
        try {
          runningThreads++;
        } finally {
          mainLock.unlock();
        }
        try {
          starter.startNow(name + "-rescuer", this::rescue);
        } catch (IllegalStateException e) {
          mainLock.lock();
          try {
            runningThreads--;
          } finally {
            mainLock.unlock();
          }
          throw e;
        }
      }
      for (int i = 1; i <= min; i++) {
        Worker worker = new Worker(this, name + "-" + i);
        mainLock.lock();
        try {
          starting++;
        } finally {
          mainLock.unlock();
        }
        try {
          starter.startNow(worker.name, worker);
        } catch (IllegalStateException e) {
          if (worker.claim()) {
            mainLock.lock();
            try {
              starting--;
            } finally {
              mainLock.unlock();
            }
          }
          throw e;
        }
      }
      mainLock.lock();
      try {
        while (starting > 0) {
          registered.awaitUninterruptibly();
        }
      } finally {
        mainLock.unlock();
      }
    } catch (IllegalStateException e) {
      stopNow();
      throw e;
    }
  }

  /**
   * Builds a {@link WorkerPool}. Every setter checks its argument at once; {@link #build()} checks
   * that the settings fit together.
   */
  public static final class Builder {
    private final String name;
    private int maxWorkers = Math.min(Runtime.getRuntime().availableProcessors() + 2, 8);
    private int minWorkers = 0;
    private int boredThreshold = 32;
    private Duration idleTimeout = Duration.ofSeconds(5);
    private ThreadSpawner spawner = ThreadSpawner.platform();
    private WorkerPool starter;
    private boolean rescuer;
    private Duration maydayTimeout = Duration.ofMillis(10);
    private int spawnAttempts = 4;
    private Duration spawnBackoff = Duration.ofMillis(1);
    private boolean workStealing;

    private Builder(String name) {
      checkNotNull(name, "name");
      checkArgument(!name.isBlank(), "a pool needs a non-blank name");
      this.name = name;
    }

    /** Most worker threads at once; default min(cores + 2, 8). */
    public Builder maxWorkers(int max) {
      checkArgument(max >= 1, "maxWorkers must be at least 1, was %s", max);
      this.maxWorkers = max;
      return this;
    }

    /** Threads started by {@code build()} that never retire; default 0. */
    public Builder minWorkers(int min) {
      checkArgument(min >= 0, "minWorkers must not be negative, was %s", min);
      this.minWorkers = min;
      return this;
    }

    /** A worker with fewer works than this (its running one included) may take more; default 32. */
    public Builder boredThreshold(int threshold) {
      checkArgument(threshold >= 1, "boredThreshold must be at least 1, was %s", threshold);
      this.boredThreshold = threshold;
      return this;
    }

    /** How long a worker above {@code minWorkers} waits idle before it retires; default 5 s. */
    public Builder idleTimeout(Duration timeout) {
      checkNotNull(timeout, "idleTimeout");
      checkArgument(!timeout.isNegative() && !timeout.isZero(),
          "idleTimeout must be positive, was %s", timeout);
      this.idleTimeout = timeout;
      return this;
    }

    /** Creates the pool's threads; default {@link ThreadSpawner#platform()}. */
    public Builder spawner(ThreadSpawner spawner) {
      this.spawner = checkNotNull(spawner, "spawner");
      return this;
    }

    /**
     * A helper pool, normally from {@link WorkerPool#starter(String)}, whose thread creates this
     * pool's threads, so that no submitter and no worker of this pool ever waits for a thread
     * creation (seed 000). Without one, the thread that queues the work creates the thread.
     */
    public Builder starter(WorkerPool starter) {
      checkNotNull(starter, "starter");
      checkArgument(!starter.name.equals(name),
          "pool '%s' cannot be its own starter", name);
      this.starter = starter;
      return this;
    }

    /**
     * Keeps one thread, created by {@code build()}, that runs waiting work when no new thread could
     * be had for {@code maydayTimeout} (the kernel's {@code WQ_MEM_RECLAIM} rescuer).
     */
    public Builder rescuer(boolean rescuer) {
      this.rescuer = rescuer;
      return this;
    }

    /** How long work may wait for a thread before the rescuer runs it; default 10 ms. */
    public Builder maydayTimeout(Duration timeout) {
      checkNotNull(timeout, "maydayTimeout");
      checkArgument(!timeout.isNegative() && !timeout.isZero(),
          "maydayTimeout must be positive, was %s", timeout);
      this.maydayTimeout = timeout;
      return this;
    }

    /**
     * Lets a worker that runs dry take the oldest waiting work of another worker before it sleeps;
     * default false. Placement is unchanged, but a work placed behind a worker whose work blocks
     * runs as soon as any thread is free. With {@code boredThreshold(1)} (busy workers take no new
     * work while a thread is idle or may be started) the pool is then work-conserving: no work
     * waits while a thread of the pool has nothing to do. Pools whose works wait for each other
     * (pool-ordered's queues) need that.
     */
    public Builder workStealing(boolean stealing) {
      this.workStealing = stealing;
      return this;
    }

    /** Attempts per thread start for retryable failures, the first included; default 4. */
    public Builder spawnAttempts(int attempts) {
      checkArgument(attempts >= 1, "spawnAttempts must be at least 1, was %s", attempts);
      this.spawnAttempts = attempts;
      return this;
    }

    /** The wait before the first retry of a thread start; it doubles per retry. Default 1 ms. */
    public Builder spawnBackoff(Duration backoff) {
      checkNotNull(backoff, "spawnBackoff");
      checkArgument(!backoff.isNegative(), "spawnBackoff must not be negative, was %s", backoff);
      this.spawnBackoff = backoff;
      return this;
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
      pool.start(minWorkers);
      return pool;
    }
  }
}
