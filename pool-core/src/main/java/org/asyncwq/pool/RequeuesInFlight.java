package org.asyncwq.pool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The requeues of one {@link WorkerPool} in flight: works that called {@link
 * WorkerPool#requeue(Work)} from inside a run that has not returned yet, and runners pushing such a
 * work now. They make {@code stopNow()}'s count exact: a requeued work is not in the worklist while
 * its run is on the stack, so the sweep of a {@code stopNow()} could miss it, and the runner would
 * cancel it behind that call's back.
 *
 * <p>One word, changed by CAS: bit 62 {@code CLOSED}, set once by the {@code stopNow()} that set
 * NOW; bits 0-30 the requeues accepted whose run has not returned; bits 31-61 the runners pushing
 * such a work now. A requeue is accepted only before {@code CLOSED}; a returning run pushes its work
 * only before {@code CLOSED}, and {@link #close()} waits for every push it let begin (a few
 * instructions, no user code) before {@code stopNow()} drains. So each accepted requeue is either in
 * the worklist when {@code stopNow()} drains it, or counted by {@code stopNow()} at {@code CLOSED}
 * and cancelled by its runner as the run returns; either way {@code stopNow()}'s count includes it.
 * Only requeues pay for this (one CAS to accept, two around the push); {@code queue()} and a
 * worker's take never touch it.
 */
final class RequeuesInFlight {
  private static final long CLOSED = 1L << 62;
  private static final long ONE_PUSHING = 1L << 31;
  private static final long ACCEPTED_MASK = ONE_PUSHING - 1;
  private static final long PUSHING_MASK = ACCEPTED_MASK << 31;

  private final AtomicLong word = new AtomicLong();

  /** {@link WorkerPool#requeue(Work)} accepts a requeue; false once stopNow() closed them. */
  boolean admit() {
    for (; ; ) {
      long r = word.get();
      if ((r & CLOSED) != 0) {
        return false;
      }
      if (word.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /**
   * A run that asked for a requeue returned: true if its work may be pushed now (then call {@link
   * #pushed()} right after the push); false if stopNow() counted it, and the caller cancels
   * it with {@link Disposal#cancelCountedRequeue}.
   */
  boolean beginPush() {
    for (; ; ) {
      long r = word.get();
      if ((r & CLOSED) != 0) {
        return false;
      }
      if (word.compareAndSet(r, r - 1 + ONE_PUSHING)) {
        return true;
      }
    }
  }

  void pushed() {
    word.addAndGet(-ONE_PUSHING);
  }

  /**
   * stopNow() after it set NOW: refuses further requeues and waits (a few instructions: no user
   * code runs there) until every push of a returning run that began before has landed, so that
   * its drain takes them. Returns the requeues accepted whose run has not returned: they are
   * cancelled by their runners, and count as cancelled by the stopNow() that closed. 0 for any
   * later call.
   */
  int close() {
    long r;
    do {
      r = word.get();
      if ((r & CLOSED) != 0) {
        return 0;
      }
    } while (!word.compareAndSet(r, r | CLOSED));
    for (int spins = 0; (word.get() & PUSHING_MASK) != 0; spins++) {
      if (spins < 32) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    return (int) (r & ACCEPTED_MASK);
  }
}
