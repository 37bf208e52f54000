package org.asyncwq.pool;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;

/**
 * The settings of a {@link WorkerPool}, set through {@link WorkerPool.Builder}, which inherits every
 * setter below. Kept apart from the pool so that the pool's file holds its behaviour.
 *
 * @param <B> the builder type the setters return
 */
abstract class PoolSettings<B extends PoolSettings<B>> {
  final String name;
  int maxWorkers = Math.min(Runtime.getRuntime().availableProcessors() + 2, 8);
  int minWorkers = 0;
  Duration idleTimeout = Duration.ofSeconds(5);
  ThreadSpawner spawner = ThreadSpawner.platform();
  WorkerPool starter;
  boolean rescuer;
  boolean startsOnCaller;
  Duration maydayTimeout = Duration.ofMillis(10);
  int spawnAttempts = 4;
  Duration spawnBackoff = Duration.ofMillis(1);
  boolean jmx;
  Duration stallTimeout = PoolMonitor.DEFAULT_STALL_TIMEOUT;

  PoolSettings(String name) {
    checkNotNull(name, "name");
    checkArgument(!name.isBlank(), "a pool needs a non-blank name");
    this.name = name;
  }

  /** Most worker threads at once, at most 32767; default min(cores + 2, 8). */
  public B maxWorkers(int max) {
    checkMaxWorkers(max);
    this.maxWorkers = max;
    return self();
  }

  /** The checks every maximum passes, here and in {@link WorkerPool#setMaxWorkers(int)}. */
  static void checkMaxWorkers(int max) {
    checkArgument(max >= 1, "maxWorkers must be at least 1, was %s", max);
    checkArgument(max <= ControlWord.MAX_CAP, "maxWorkers must be at most %s, was %s",
        ControlWord.MAX_CAP, max);
  }

  /** Threads started by {@code build()} that never retire; default 0. */
  public B minWorkers(int min) {
    checkArgument(min >= 0, "minWorkers must not be negative, was %s", min);
    this.minWorkers = min;
    return self();
  }

  /**
   * Does nothing. Works no longer go to per-worker lists: every pool keeps one shared worklist
   * and never lets a work wait while one of its threads is idle, so there is no threshold to set.
   * The argument is still checked (at least 1) so that old callers keep their behaviour.
   *
   * @deprecated placement is gone; remove the call
   */
  @Deprecated
  public B boredThreshold(int threshold) {
    checkArgument(threshold >= 1, "boredThreshold must be at least 1, was %s", threshold);
    return self();
  }

  /**
   * Does nothing. Every pool is now work-conserving: any idle thread takes the oldest queued work,
   * which is what this option used to approximate.
   *
   * @deprecated every pool behaves as a work-stealing one did; remove the call
   */
  @Deprecated
  public B workStealing(boolean stealing) {
    return self();
  }

  /** How long a worker above {@code minWorkers} waits idle before it retires; default 5 s. */
  public B idleTimeout(Duration timeout) {
    checkNotNull(timeout, "idleTimeout");
    checkArgument(!timeout.isNegative() && !timeout.isZero(),
        "idleTimeout must be positive, was %s", timeout);
    this.idleTimeout = timeout;
    return self();
  }

  /**
   * Creates the pool's threads; default {@link ThreadSpawner#platform()}. A spawner other than
   * the platform ones may block, so without a {@link #starter} the pool gets a starter thread of
   * its own to call it on.
   */
  public B spawner(ThreadSpawner spawner) {
    this.spawner = checkNotNull(spawner, "spawner");
    return self();
  }

  /**
   * A helper pool, normally from {@link WorkerPool#starter(String)}, whose thread creates this
   * pool's threads. Without one, threads are still never created on the submitting thread: the
   * platform spawner runs on a starter the JVM shares, any other spawner on one of the pool's own.
   */
  public B starter(WorkerPool starter) {
    checkNotNull(starter, "starter");
    checkArgument(!starter.name().equals(name), "pool '%s' cannot be its own starter", name);
    this.starter = starter;
    return self();
  }

  /**
   * Tests only: threads are created on the thread that asks for them, the naive shape of seed
   * 000 (and how a starter pool makes its own thread).
   */
  B startsOnCaller() {
    this.startsOnCaller = true;
    return self();
  }

  /**
   * Keeps one thread, created by {@code build()}, that runs waiting work when no new thread could
   * be had for {@code maydayTimeout} (the kernel's {@code WQ_MEM_RECLAIM} rescuer).
   */
  public B rescuer(boolean rescuer) {
    this.rescuer = rescuer;
    return self();
  }

  /** How long work may wait for a thread before the rescuer runs it; default 10 ms. */
  public B maydayTimeout(Duration timeout) {
    checkNotNull(timeout, "maydayTimeout");
    checkArgument(!timeout.isNegative() && !timeout.isZero(),
        "maydayTimeout must be positive, was %s", timeout);
    this.maydayTimeout = timeout;
    return self();
  }

  /** Attempts per thread start for retryable failures, the first included; default 4. */
  public B spawnAttempts(int attempts) {
    checkArgument(attempts >= 1, "spawnAttempts must be at least 1, was %s", attempts);
    this.spawnAttempts = attempts;
    return self();
  }

  /** The wait before the first retry of a thread start; it doubles per retry. Default 1 ms. */
  public B spawnBackoff(Duration backoff) {
    checkNotNull(backoff, "spawnBackoff");
    checkArgument(!backoff.isNegative(), "spawnBackoff must not be negative, was %s", backoff);
    this.spawnBackoff = backoff;
    return self();
  }

  /**
   * Registers the pool's {@link WorkerPoolMXBean} under {@code
   * org.asyncwq:type=WorkerPool,name=<name>} while it lives; default off, or on for every pool with
   * the system property {@code asyncwq.jmx=true}. A second live pool of the same name registers as
   * {@code <name>#2} (then {@code #3}...); a failed registration is logged and never fails the pool.
   */
  public B jmx(boolean jmx) {
    this.jmx = jmx;
    return self();
  }

  /**
   * How long the pool may have work pending and complete none before the stall watchdog logs one
   * WARN naming the pool, its counters and its busy workers' stacks; default 30 s. {@link
   * Duration#ZERO} turns the watchdog off for this pool.
   */
  public B stallTimeout(Duration timeout) {
    checkNotNull(timeout, "stallTimeout");
    checkArgument(!timeout.isNegative(), "stallTimeout must not be negative, was %s", timeout);
    this.stallTimeout = timeout;
    return self();
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
