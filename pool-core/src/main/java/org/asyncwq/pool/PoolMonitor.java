package org.asyncwq.pool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.pool.spi.JmxBeans;

/**
 * What operators see of one {@link WorkerPool}: its JMX bean, when enabled, and its stall watch,
 * unless the stall timeout is zero. Both begin when {@code build()} returns and end when the pool
 * terminates, before {@code close()} and {@code awaitTermination} return.
 *
 * <p>The stall state below is read and written by the {@link StallWatchdog} thread only. A pool
 * is stalled when, on every look for {@code stallNanos}, it had work pending and its count of
 * finished works (run or cancelled) had not moved; the watchdog then logs one WARN and stays
 * quiet until the pool finishes a work or has nothing pending, which re-arms it. A frozen pool
 * is meant to make no progress and is never reported.
 */
final class PoolMonitor {
  static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LogManager.getLogger(WorkerPool.class);

  private final WorkerPool pool;
  private final boolean jmx;
  final long stallNanos;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile JmxBeans.Registration bean;

  // Watchdog thread only.
  private long lastFinished = -1;
  private long quietSince;
  private boolean warned;

  /** Looks the watchdog has taken at this pool; written by its thread only (tests await it). */
  volatile long looks;

  PoolMonitor(WorkerPool pool, boolean jmx, Duration stallTimeout) {
    this.pool = pool;
    this.jmx = jmx;
    this.stallNanos = saturatedNanos(stallTimeout);
  }

  /** The pool was built: register its bean and watch it. */
  void start() {
    if (jmx || Boolean.getBoolean(JmxBeans.PROPERTY)) { // JmxBeans (and JMX) load only when used
      bean = JmxBeans.register("WorkerPool", pool.name(), new PoolBean(pool));
    }
    if (stallNanos > 0) {
      StallWatchdog.watch(this);
    }
    if (stopped.get()) { // terminated meanwhile (cannot happen before build returns; cheap to be sure)
      stop();
    }
  }

  /** The pool terminated: unregister its bean and stop watching it. Idempotent. */
  void stop() {
    stopped.set(true);
    JmxBeans.Registration b = bean;
    if (b != null) {
      b.close();
    }
    StallWatchdog.unwatch(this);
  }

  /** The bean's name, or null when none is registered (tests). */
  javax.management.ObjectName objectName() {
    JmxBeans.Registration b = bean;
    return b == null ? null : b.objectName();
  }

  /** One look by the watchdog at {@code now}: reads counters, logs at most one line. */
  void check(long now) {
    looks++;
    PoolStats s = pool.stats();
    long finished = s.executed() + s.cancelled();
    if (finished != lastFinished || s.pending() == 0 || pool.isFrozen()) {
      if (warned) {
        log.info("pool {} is no longer stalled: {} works pending, {} finished so far", pool.name(),
            s.pending(), finished);
      }
      warned = false;
      lastFinished = finished;
      quietSince = now;
      return;
    }
    long quiet = now - quietSince;
    if (!warned && quiet >= stallNanos) {
      warned = true;
      log.warn("pool {} stalled: {} works pending and none finished for {} ms (stallTimeout {})."
              + " workers {} (idle {}, starting {}, max {}), queued {}, executed {}, cancelled {},"
              + " spawnFailures {}. Busy threads:{}", pool.name(), s.pending(), quiet / 1_000_000,
          Duration.ofNanos(stallNanos), s.workers(), s.idle(), s.starting(), pool.maxWorkers(),
          s.queued(), s.executed(), s.cancelled(), s.spawnFailures(),
          stacks(pool.threads().busyThreads()));
    }
  }

  private static String stacks(List<Thread> threads) {
    if (threads.isEmpty()) {
      return " none";
    }
    StringBuilder b = new StringBuilder();
    for (Thread t : threads) {
      b.append(System.lineSeparator()).append('"').append(t.getName()).append("\" ")
          .append(t.getState());
      for (StackTraceElement e : t.getStackTrace()) {
        b.append(System.lineSeparator()).append("\tat ").append(e);
      }
    }
    return b.toString();
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
