package org.asyncwq.pool;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Creates the threads of one {@link WorkerPool}, off the thread that queued the work.
 *
 * <p>Seed 000: creating a thread may block until the pool's own work has run (the kernel throttles
 * {@code kthreadd} on writeback that only the pool's threads finish), so a creation must never run
 * on a thread whose progress it may be waiting for. A start is therefore only a slot claimed in the
 * pool's control word and an owed count here; the creation runs on a starter pool's thread:
 *
 * <ul>
 *   <li>the pool given to {@link WorkerPool.Builder#starter(WorkerPool)}, if any;
 *   <li>else, for the platform spawner (whose creations never wait for a pool), one starter shared
 *       by the whole JVM ({@link #sharedStarter()});
 *   <li>else, for a user's spawner, which may block, a starter of the pool's own, so that a blocking
 *       spawner stalls nobody else.
 * </ul>
 *
 * <p>Seed 004: a retryable failure is tried again with doubling backoff, at most {@code attempts}
 * times in all. The wait is kept by {@link SpawnRetryTimer}, whose thread only queues this pool's
 * request again; no creation and no user callback ever runs on it. Each owed start is resolved
 * exactly once, here, under this object's lock: by a thread that registers, or by {@link
 * PoolThreads#startFailed}, which gives the slot back; a timer that fires twice, or a request queued
 * twice, finds nothing owed and does nothing (the double give-back of issue 8's defect 2 cannot
 * happen). A failure of any kind, {@code Error}s included, resolves the start.
 */
final class WorkerStarter {
  private static final Logger log = LogManager.getLogger(WorkerPool.class);
  private static final long MAX_BACKOFF_NANOS = 1_000_000_000L;

  private final WorkerPool pool;
  private final PoolThreads threads;
  private final ThreadSpawner spawner;
  private final int attempts;
  private final long backoffNanos;

  /** Where creations run; {@code null} for a starter pool itself, which creates on the caller. */
  private final WorkerPool helper;

  /** Whether {@link #helper} belongs to this pool alone (it then runs this pool's callbacks). */
  final boolean ownHelper;

  final AtomicLong spawned = new AtomicLong();
  final AtomicLong failures = new AtomicLong();

  /** Starts whose slot is claimed and that no attempt has resolved yet. */
  private final AtomicInteger owed = new AtomicInteger();

  @GuardedBy("this")
  private int attempt = 1;

  @GuardedBy("this")
  private long notBefore;

  /**
   * The one work this pool queues on its starter. Queueing it while pending is a no-op and its run
   * resolves every owed start that is due, so requests coalesce without allocating.
   */
  private final Work request =
      new Work() {
        @Override
        protected void run() {
          resolveOwed();
        }

        @Override
        protected void cancelled(Throwable cause) {
          failOwed(cause);
        }
      };

  private static final class Shared {
    static final WorkerPool STARTER =
        WorkerPool.builder("asyncwq-starter").minWorkers(1).maxWorkers(1).startsOnCaller().build();
  }

  /** The JVM-wide starter for pools that use the platform spawner and name no starter. */
  static WorkerPool sharedStarter() {
    return Shared.STARTER;
  }

  /**
   * The starter for a pool built from {@code settings}: the one given, else the JVM's shared one
   * for the platform spawner, else one of the pool's own (see the class comment).
   */
  static WorkerStarter forPool(WorkerPool pool, PoolThreads threads, PoolSettings<?> settings) {
    WorkerPool helper = settings.starter;
    boolean own = false;
    if (helper == null && !settings.startsOnCaller) {
      if (settings.spawner instanceof PlatformThreadSpawner) {
        helper = sharedStarter();
      } else {
        helper = WorkerPool.starter(pool.name() + "-starter");
        own = true;
      }
    }
    return new WorkerStarter(pool, threads, settings.spawner, helper, own,
        settings.spawnAttempts, settings.spawnBackoff.toNanos());
  }

  private WorkerStarter(WorkerPool pool, PoolThreads threads, ThreadSpawner spawner, WorkerPool helper, boolean ownHelper,
      int attempts, long backoffNanos) {
    this.pool = pool;
    this.threads = threads;
    this.spawner = spawner;
    this.helper = helper;
    this.ownHelper = ownHelper;
    this.attempts = attempts;
    this.backoffNanos = backoffNanos;
  }

  WorkerPool helper() {
    return helper;
  }

  /** Starts one worker for a slot the pool has already claimed. */
  void start() {
    owed.incrementAndGet();
    if (helper == null) {
      resolveOwed(); // a starter pool's own thread, or a test's naive shape: on the caller
    } else {
      queueRequest();
    }
  }

  private void queueRequest() {
    try {
      helper.queue(request);
    } catch (RejectedExecutionException e) {
      failOwed(e);
    }
  }

  /** Makes every owed start that is due; schedules the rest. */
  private void resolveOwed() {
    synchronized (this) {
      while (owed.get() > 0) {
        long wait = notBefore - System.nanoTime();
        if (notBefore != 0 && wait > 0) {
          if (helper == null) {
            LockSupport.parkNanos(wait); // on the caller: nobody else to wait for it
            continue;
          }
          try {
            SpawnRetryTimer.schedule(this::queueRequest, wait);
            return;
          } catch (Throwable timerFailure) { // even the timer's thread could not be had
            notBefore = 0;
            resolve(new SpawnException("no retry timer: " + timerFailure, false, timerFailure));
            continue;
          }
        }
        notBefore = 0;
        SpawnException failure = attemptOne();
        if (failure == null) {
          owed.decrementAndGet();
          attempt = 1;
        } else if (failure.isRetryable() && attempt < attempts && pool.acceptsStarts()) {
          long delay = backoff(attempt);
          log.warn("pool {}: could not start a worker (attempt {} of {}), retrying in {} µs: {}",
              pool.name(), attempt, attempts, delay / 1000, failure.getMessage());
          attempt++;
          notBefore = System.nanoTime() + delay;
          if (notBefore == 0) {
            notBefore = 1;
          }
        } else {
          resolve(failure);
        }
      }
    }
  }

  @GuardedBy("this")
  private void resolve(SpawnException failure) {
    log.warn("pool {}: gave up starting a worker after {} attempt(s): {}", pool.name(), attempt,
        failure.getMessage());
    owed.decrementAndGet();
    attempt = 1;
    threads.startFailed(failure);
  }

  /** The starter pool refused the request: every owed start failed for good. */
  private void failOwed(Throwable cause) {
    synchronized (this) {
      while (owed.get() > 0) {
        resolve(new SpawnException("starter pool '" + helper.name() + "' no longer runs thread"
            + " starts for '" + pool.name() + "'", false, cause));
      }
    }
  }

  /** One creation; {@code null} on success. Any throwable is a failure of this attempt. */
  private SpawnException attemptOne() {
    Worker worker = threads.newWorker();
    // Counted before the thread can run a work, so stats never show works run by threads that
    // were not counted yet; taken back below if the thread never runs.
    spawned.incrementAndGet();
    try {
      Thread thread = spawner.spawn(worker.name, worker);
      if (thread == null) {
        throw new SpawnException("spawner " + spawner + " returned no thread for " + worker, false);
      }
      if (thread.getState() == Thread.State.NEW) {
        thread.start(); // a spawner that forgot to start it
      }
      return null;
    } catch (Throwable t) {
      if (!worker.claim()) {
        // the body runs already: the spawner failed after starting it; the thread registers
        log.warn("pool {}: spawner reported a failure for {} after starting it", pool.name(),
            worker, t);
        return null;
      }
      spawned.decrementAndGet();
      failures.incrementAndGet();
      if (t instanceof SpawnException) {
        return (SpawnException) t;
      }
      boolean retryable = t instanceof OutOfMemoryError;
      return new SpawnException("could not start " + worker + ": " + t, retryable, t);
    }
  }

  /** The wait before retry number {@code attempt}: doubling from spawnBackoff, at most 1 s. */
  private long backoff(int attempt) {
    return Math.max(Math.min(backoffNanos << Math.min(attempt - 1, 20), MAX_BACKOFF_NANOS), 1L);
  }

  /**
   * Creates a thread on the calling thread, retrying retryable failures with backoff; for {@code
   * build()}, which may block and reports failure by throwing.
   */
  Thread startNow(String name, Runnable body) {
    Throwable last = null;
    for (int i = 1; i <= attempts; i++) {
      try {
        Thread thread = spawner.spawn(name, body);
        if (thread == null) {
          throw new SpawnException("spawner " + spawner + " returned no thread for " + name, false);
        }
        if (thread.getState() == Thread.State.NEW) {
          thread.start();
        }
        spawned.incrementAndGet();
        return thread;
      } catch (Throwable t) {
        failures.incrementAndGet();
        last = t;
        boolean retryable = t instanceof SpawnException
            ? ((SpawnException) t).isRetryable()
            : t instanceof OutOfMemoryError;
        if (!retryable) {
          break;
        }
        LockSupport.parkNanos(backoff(i));
      }
    }
    throw new IllegalStateException(
        "pool '" + pool.name() + "': could not start thread " + name + ": " + last.getMessage(),
        last);
  }

  String describe() {
    return helper == null ? "none" : helper.name();
  }
}
