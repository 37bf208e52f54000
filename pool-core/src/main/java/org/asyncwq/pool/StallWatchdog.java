package org.asyncwq.pool;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The one JVM-wide thread that looks for stalled pools (the kernel's workqueue watchdog, which
 * prints "BUG: workqueue lockup"). It starts with the first pool watched and is a daemon.
 *
 * <p>Every pool of the JVM shares this thread, so it must never wait for any of them: a look
 * reads a pool's counters (its leaf lock, never held across user code, is the most it takes) and
 * its busy threads' stacks, and logs; it never runs, cancels or queues a work, and a look that
 * throws is logged and skipped. Nor does a pool ever wake it: building or ending a pool only adds
 * it to or removes it from a concurrent set, so no pool thread (or model checker exploring one)
 * touches the checker thread. It looks every quarter of the shortest stall timeout watched, between
 * 5 ms and 1 s (1 s when nothing is watched), so a stall is reported at most about a quarter of its
 * timeout, plus up to a second for a new pool's first look, late.
 */
final class StallWatchdog implements Runnable {
  private static final Logger log = LogManager.getLogger(WorkerPool.class);
  private static final long MIN_PERIOD = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long MAX_PERIOD = TimeUnit.SECONDS.toNanos(1);
  private static final StallWatchdog SHARED = new StallWatchdog();

  private final Set<PoolMonitor> watched = ConcurrentHashMap.newKeySet();
  private volatile Thread thread;

  private StallWatchdog() {}

  static void watch(PoolMonitor pool) {
    SHARED.watched.add(pool);
    SHARED.thread(); // never unparked: its next look, within a second, finds the pool
  }

  private static long periodFor(long stallNanos) {
    return Math.max(MIN_PERIOD, Math.min(MAX_PERIOD, stallNanos / 4));
  }

  static void unwatch(PoolMonitor pool) {
    SHARED.watched.remove(pool);
  }

  /** The checker thread, started on first use; the caller only builds a pool, never a submitter. */
  private Thread thread() {
    Thread t = thread;
    if (t == null) {
      synchronized (this) {
        t = thread;
        if (t == null) {
          // No inherited thread locals and no context loader: a shared JVM-wide thread must not
          // pin whatever the first pool's builder happened to carry.
          t = new Thread(null, this, "asyncwq-stall-watchdog", 0, false);
          t.setDaemon(true);
          t.setContextClassLoader(null);
          t.start();
          thread = t;
        }
      }
    }
    return t;
  }

  @Override
  public void run() {
    for (; ; ) {
      Thread.interrupted(); // an interrupt would turn every park into a spin
      long shortest = Long.MAX_VALUE;
      long now = System.nanoTime();
      for (PoolMonitor pool : watched) {
        try {
          pool.check(now);
        } catch (Throwable t) {
          log.error("stall watchdog: a look at a pool failed; it goes on with the others", t);
        }
        shortest = Math.min(shortest, pool.stallNanos);
      }
      LockSupport.parkNanos(this, periodFor(shortest));
    }
  }
}
