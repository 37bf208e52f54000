package org.asyncwq.pool;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Creates the threads of one {@link WorkerPool}, never on a thread that the creation could be
 * waiting for when the pool has a starter.
 *
 * <p>Seed 000: creating a thread may block until the pool's own work has run (the kernel throttles
 * {@code kthreadd} on writeback that only the pool's threads finish). Creating it on a pool thread,
 * or on the thread that is queueing the pool's work, can therefore wait on itself. With a starter,
 * a start is only a counter increment and a {@code queue()} of one preallocated work on the starter
 * pool, whose single thread does the creation; the caller returns at once. Without a starter the
 * first attempt runs on the caller, as btrfs did before that fix (the shape docs/HANGS.md shows
 * hanging).
 *
 * <p>Seed 004: a retryable failure is tried again from {@link SpawnRetryTimer} with doubling backoff,
 * at most {@code attempts} times in all, then given up; {@link WorkerPool#startFailed} decides
 * whether that is fatal to the waiting works (only when the pool has no thread at all).
 */
final class WorkerStarter {
  private static final Logger log = LogManager.getLogger(WorkerPool.class);
  private static final long MAX_BACKOFF_NANOS = 1_000_000_000L;

  private final WorkerPool pool;
  private final ThreadSpawner spawner;
  private final WorkerPool helper;
  private final int attempts;
  private final long backoffNanos;
  private final AtomicInteger threadSeq = new AtomicInteger();
  final AtomicLong spawned = new AtomicLong();
  final AtomicLong failures = new AtomicLong();

  /** Starts asked of the helper and not yet taken by it. */
  private final AtomicInteger owed = new AtomicInteger();

  /**
   * The one work this pool ever queues on its helper. Queueing it while it is pending is a no-op and
   * its loop takes every owed start, so concurrent requests coalesce without allocating.
   */
  private final Work request =
      new Work() {
        @Override
        protected void run() {
          while (claimOwed()) {
            attempt(1);
          }
        }

        @Override
        protected void cancelled(Throwable cause) {
          failOwed(cause);
        }
      };

  WorkerStarter(
      WorkerPool pool, ThreadSpawner spawner, WorkerPool helper, int attempts, long backoffNanos) {
    this.pool = pool;
    this.spawner = spawner;
    this.helper = helper;
    this.attempts = attempts;
    this.backoffNanos = backoffNanos;
  }

  /** Starts one worker for a slot the pool has already counted as starting. */
  void start() {
    if (helper == null) {
      attempt(1);
      return;
    }
    owed.incrementAndGet();
    try {
      helper.queue(request);
    } catch (RejectedExecutionException e) {
      failOwed(e);
    }
  }

  private boolean claimOwed() {
    for (; ; ) {
      int n = owed.get();
      if (n == 0) {
        return false;
      }
      if (owed.compareAndSet(n, n - 1)) {
        return true;
      }
    }
  }

  private void failOwed(Throwable cause) {
    while (claimOwed()) {
      failed(null, helperGone(cause), attempts);
    }
  }

  private SpawnException helperGone(Throwable cause) {
    return new SpawnException(
        "starter pool '" + helper.name() + "' no longer runs thread starts for '" + pool.name()
            + "'",
        false,
        cause);
  }

  /** One attempt to create a worker thread. */
  void attempt(int attempt) {
    Worker worker = new Worker(pool, pool.name() + "-" + threadSeq.incrementAndGet());
    try {
      spawn(worker.name, worker);
    } catch (SpawnException e) {
      failed(worker, e, attempt);
    } catch (OutOfMemoryError e) {
      failed(worker, new SpawnException("could not start " + worker + ": " + e, true, e), attempt);
    } catch (RuntimeException e) {
      failed(
          worker,
          new SpawnException("spawner " + spawner + " failed for " + worker + ": " + e, false, e),
          attempt);
    }
  }

  /** Asks the spawner for a started thread and counts it; the one place a thread is created. */
  private Thread spawn(String name, Runnable body) throws SpawnException {
    Thread thread = spawner.spawn(name, body);
    if (thread == null) {
      throw new SpawnException("spawner " + spawner + " returned no thread for " + name, false);
    }
    if (thread.getState() == Thread.State.NEW) {
      thread.start(); // a spawner that forgot to start it
    }
    spawned.incrementAndGet();
    return thread;
  }

  /** The wait before retry number {@code attempt}: doubling from spawnBackoff, at most 1 s. */
  private long backoff(int attempt) {
    return Math.min(backoffNanos << Math.min(attempt - 1, 20), MAX_BACKOFF_NANOS);
  }

  private void failed(Worker worker, SpawnException e, int attempt) {
    if (worker != null && !worker.claim()) {
      log.warn("pool {}: spawner reported a failure for {} after starting it", pool.name(), worker);
      return;
    }
    failures.incrementAndGet();
    if (e.isRetryable() && attempt < attempts && pool.acceptsStarts()) {
      long delay = backoff(attempt);
      log.warn(
          "pool {}: could not start a worker (attempt {} of {}), retrying in {} µs: {}",
          pool.name(),
          attempt,
          attempts,
          delay / 1000,
          e.getMessage());
      try {
        SpawnRetryTimer.schedule(() -> retry(attempt + 1), delay);
        return;
      } catch (RejectedExecutionException | OutOfMemoryError timerFailure) {
        e.addSuppressed(timerFailure);
      }
    }
    log.warn(
        "pool {}: gave up starting a worker after {} attempt(s): {}",
        pool.name(),
        attempt,
        e.getMessage());
    pool.startFailed(e);
  }

  private void retry(int attempt) {
    if (helper == null) {
      attempt(attempt);
      return;
    }
    Work retry =
        new Work() {
          @Override
          protected void run() {
            attempt(attempt);
          }

          @Override
          protected void cancelled(Throwable cause) {
            failed(null, helperGone(cause), attempts);
          }
        };
    try {
      helper.queue(retry);
    } catch (RejectedExecutionException e) {
      failed(null, helperGone(e), attempts);
    }
  }

  /**
   * Creates a thread on the calling thread, retrying retryable failures with backoff; for {@code
   * build()}, which may block and reports failure by throwing.
   */
  Thread startNow(String name, Runnable body) {
    SpawnException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        return spawn(name, body);
      } catch (SpawnException e) {
        failures.incrementAndGet();
        last = e;
        if (!e.isRetryable()) {
          break;
        }
        LockSupport.parkNanos(backoff(attempt));
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
