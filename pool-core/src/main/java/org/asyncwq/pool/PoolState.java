package org.asyncwq.pool;

/** The life of a {@link WorkerPool}; it only ever moves forward. */
enum PoolState {
  /** Accepts work; threads are added on demand and retire when idle. */
  RUNNING,
  /** {@code stop()}: accepts no new work, still runs what it holds; threads leave as they run dry. */
  STOPPING,
  /** {@code stopNow()}: waiting work was cancelled; threads leave after the work they are running. */
  STOPPING_NOW,
  /** Every thread has left and no thread start is in flight. */
  TERMINATED;

  boolean atLeast(PoolState other) {
    return compareTo(other) >= 0;
  }
}
