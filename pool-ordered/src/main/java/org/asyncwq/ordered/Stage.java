package org.asyncwq.ordered;

/**
 * Where an {@link OrderedWork} is in its life on an {@link OrderedWorkQueue}. Held in {@code
 * OrderedWork.stage}, changed by CAS or by the one party that owns the work at that moment.
 */
enum Stage {
  /** In no queue: may be queued. Also the stage from the moment {@code release()} is called. */
  IDLE,
  /** Accepted by a queue: waiting in the pool, or behind an equal hash on its chain. */
  QUEUED,
  /**
   * {@code work()} (or the pool's cancellation of it) is in progress, or over and the work waits
   * for its turn in the ordered list (then {@code OrderedWork.turn} tells which).
   */
  RUNNING
}
