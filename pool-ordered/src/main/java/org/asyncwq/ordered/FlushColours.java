package org.asyncwq.ordered;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The works of one {@link OrderedWorkQueue} still in flight: one exact count for {@code drain()}
 * and {@code close()}, and the same works counted by colour, so that {@code flush()} waits for the
 * works queued before it and not for those queued after (the kernel workqueue's flush colours).
 *
 * <p><b>Exact count.</b> {@link #inFlight} is one atomic counter, raised when a work is accepted
 * and lowered when its release step returned. A work queued from another work's step is counted
 * before that step returns, so the count never reads zero while either is in flight. (A sum of the
 * sixteen colour slots read one at a time could: it may read slot 0 before a child counts there
 * and slot 15 after its parent left it.)
 *
 * <p><b>Colours.</b> Time is cut into epochs; epoch {@code e} counts in slot {@code e mod
 * COLOURS}. A flush reads the current epoch {@code t}, <em>closes</em> it (new works count in
 * {@code t + 1}) and waits until every epoch up to {@code t} has drained. A producer that keeps
 * queueing fills later epochs only, so it cannot keep a flush waiting. A slot is reused sixteen
 * epochs later, so an epoch may be opened only once the one that used its slot before has drained;
 * a burst of more than fifteen flushes waits for that, which it has to anyway. Counting races with
 * closing: a producer increments the slot of the epoch it read and then reads the epoch again; if
 * a flush closed it meanwhile, the producer gives the count back and retries in the new epoch. The
 * flush stores the new epoch before it reads the counts, the producer increments before it
 * re-reads the epoch, all volatile: either the flush sees the count or the producer sees the new
 * epoch. Completions signal waiters only when a count reaches zero and someone waits ({@link
 * #waiters}, the same store-then-load pairing).
 *
 * <p>Every wait is interruptible and may be bounded, as the JDK's blocking methods are.
 */
final class FlushColours {
  private static final int COLOURS = 16;
  private static final int MASK = COLOURS - 1;

  /** No time limit, for {@link #flush(long)} and {@link #awaitEmpty(long)}. */
  static final long FOREVER = Long.MAX_VALUE;

  private final AtomicLongArray counts = new AtomicLongArray(COLOURS);

  /** Works accepted whose release step has not returned: the one count drain and close trust. */
  private final AtomicLong inFlight = new AtomicLong();

  /** The open epoch; only ever increased, under {@link #lock}. */
  private volatile long epoch;

  /** Every epoch up to this one has drained. */
  @GuardedBy("lock")
  private long drained = -1;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /** Threads in a flush or drain wait; written under {@link #lock}, read by completions. */
  private volatile int waiters;

  /** Counts a new work in the open epoch; returns the colour to give back to {@link #exit}. */
  int enter() {
    inFlight.incrementAndGet();
    for (; ; ) {
      long e = epoch;
      int colour = (int) (e & MASK);
      counts.incrementAndGet(colour);
      if (epoch == e) {
        return colour;
      }
      // a flush closed e under us: count in the new epoch instead
      if (counts.decrementAndGet(colour) == 0 && waiters > 0) {
        signal();
      }
    }
  }

  /** A work counted in {@code colour} is finished, release step included. */
  void exit(int colour) {
    boolean colourEmpty = counts.decrementAndGet(colour) == 0;
    boolean allEmpty = inFlight.decrementAndGet() == 0;
    if ((colourEmpty || allEmpty) && waiters > 0) {
      signal();
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Works counted and not finished yet, exactly. */
  long inFlight() {
    return inFlight.get();
  }

  /**
   * Waits until every work counted before the call has finished.
   *
   * @param nanos the most to wait; {@link #FOREVER} waits without limit
   * @return whether they all finished in time
   * @throws InterruptedException if the thread was interrupted before or while waiting
   */
  boolean flush(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + Math.min(nanos, FOREVER >> 1);
    lock.lockInterruptibly();
    try {
      waiters = waiters + 1;
      try {
        long target = epoch;
        while (epoch == target && drained < target - MASK) {
          // the slot epoch target + 1 would take still holds epoch target - 15
          if (!advanceDrained(target - MASK) && !await(nanos, deadline)) {
            return false;
          }
        }
        if (epoch == target) {
          epoch = target + 1;
        }
        while (!advanceDrained(target)) {
          if (!await(nanos, deadline)) {
            return false;
          }
        }
        return true;
      } finally {
        waiters = waiters - 1;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits until no work is in flight at all; same contract as {@link #flush(long)}. */
  boolean awaitEmpty(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + Math.min(nanos, FOREVER >> 1);
    lock.lockInterruptibly();
    try {
      waiters = waiters + 1;
      try {
        while (inFlight.get() != 0) {
          if (!await(nanos, deadline)) {
            return false;
          }
        }
        return true;
      } finally {
        waiters = waiters - 1;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Moves the drained mark over closed epochs that are empty; true once it reached {@code e}. */
  @GuardedBy("lock")
  private boolean advanceDrained(long e) {
    while (drained < e && drained + 1 < epoch && counts.get((int) ((drained + 1) & MASK)) == 0) {
      drained++;
    }
    return drained >= e;
  }

  /** One wait for a signal; false once the deadline has passed. */
  @GuardedBy("lock")
  private boolean await(long nanos, long deadline) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (nanos == FOREVER) {
      changed.await();
      return true;
    }
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return false;
    }
    changed.awaitNanos(left);
    return true;
  }
}
