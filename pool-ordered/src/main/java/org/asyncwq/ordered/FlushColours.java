package org.asyncwq.ordered;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The works of one {@link OrderedWorkQueue} still in flight, counted by flush colour, so that
 * {@code flush()} waits for the works queued before it and not for those queued after (the kernel
 * workqueue's flush colours), and exactly in all, for {@code drain()} and {@code close()}.
 *
 * <p><b>Two monotonic counters per colour.</b> Producers add to {@code entered[c]} when a work is
 * accepted; the thread that finishes a work adds to {@code exited[c]} once its release step
 * returned. Each side writes only its own padded slot, so a producer and the thread retiring
 * works do not pass a cache line back and forth for every work, and each side pays one atomic
 * add per work. Neither counter ever goes down, and a work exits only after it entered, so {@code
 * exited[c] <= entered[c]} at every instant. A reader that reads {@code exited[c]} first and
 * {@code entered[c]} after, and finds them equal, has seen an instant (its first read) at which
 * colour {@code c} was empty. The same holds for all colours at once: read every {@code exited}
 * slot, then every {@code entered} slot; equal sums mean that at the instant between the two
 * passes nothing was in flight. That is the exact count drain and close need. (A sum of
 * up-and-down counts read one at a time could miss a child counted in colour 0 before its parent
 * leaves colour 15.) A work queued from another work's step enters before that step returns, so
 * the count never reads zero while either is in flight.
 *
 * <p><b>Colours.</b> Time is cut into epochs; epoch {@code e} counts in slot {@code e mod
 * COLOURS}. A flush reads the current epoch {@code t}, <em>closes</em> it (new works count in
 * {@code t + 1}) and waits until every epoch up to {@code t} has drained. A producer that keeps
 * queueing fills later epochs only, so it cannot keep a flush waiting. A slot is reused sixteen
 * epochs later, so an epoch may be opened only once the one that used its slot before has drained;
 * a burst of more than fifteen flushes waits for that, which it has to anyway. Counting races with
 * closing: a producer adds to the slot of the epoch it read and then reads the epoch again; if a
 * flush closed it meanwhile, the producer gives the count back (an exit that finished no work,
 * counted in {@link #givenBack}) and retries in the new epoch. The flush stores the new epoch
 * before it reads the counts, the producer adds before it re-reads the epoch, all volatile: either
 * the flush sees the count or the producer sees the new epoch. Completions signal waiters only
 * when someone waits ({@link #waiters}, the same store-then-load pairing) and then only if their
 * colour, or the whole queue, is empty.
 *
 * <p>Every wait is interruptible and may be bounded, as the JDK's blocking methods are.
 */
final class FlushColours {
  private static final int COLOURS = 16;
  private static final int MASK = COLOURS - 1;

  /** Longs between two slots: 128 bytes, so no two slots share a cache line or its neighbour. */
  private static final int STRIDE = 16;

  /** No time limit, for {@link #flush(long)} and {@link #awaitEmpty(long)}. */
  static final long FOREVER = Long.MAX_VALUE;

  /** {@code entered[c]} at {@code (2c + 1) * STRIDE}, {@code exited[c]} at {@code (2c + 2) * STRIDE}. */
  private final AtomicLongArray counts = new AtomicLongArray((2 * COLOURS + 2) * STRIDE);

  /** Exits that finished no work: a producer's count given back, or a work refused after all. */
  private final AtomicLong givenBack = new AtomicLong();

  /** The open epoch; only ever increased, under {@link #lock}. */
  private volatile long epoch;

  /** Every epoch up to this one has drained. */
  @GuardedBy("lock")
  private long drained = -1;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /** Threads in a flush or drain wait; written under {@link #lock}, read by completions. */
  private volatile int waiters;

  private static int entered(int colour) {
    return (2 * colour + 1) * STRIDE;
  }

  private static int exited(int colour) {
    return (2 * colour + 2) * STRIDE;
  }

  /** Counts a new work in the open epoch; returns the colour to give back to {@link #exit}. */
  int enter() {
    for (; ; ) {
      long e = epoch;
      int colour = (int) (e & MASK);
      counts.getAndIncrement(entered(colour));
      if (epoch == e) {
        return colour;
      }
      giveBack(colour); // a flush closed e under us: count in the new epoch instead
    }
  }

  /** A work counted in {@code colour} is finished, release step included. */
  void exit(int colour) {
    long exits = counts.incrementAndGet(exited(colour));
    if (waiters > 0 && (counts.get(entered(colour)) == exits || isEmpty())) {
      signal();
    }
  }

  /** Takes back a count that finished no work: a work refused after it was counted. */
  void giveBack(int colour) {
    givenBack.incrementAndGet();
    exit(colour);
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Whether no work was in flight at one instant during the call (see the class comment). */
  private boolean isEmpty() {
    long exits = 0;
    for (int c = 0; c < COLOURS; c++) {
      exits += counts.get(exited(c));
    }
    long entries = 0;
    for (int c = 0; c < COLOURS; c++) {
      entries += counts.get(entered(c));
    }
    return entries == exits;
  }

  /**
   * Works counted and not finished yet: never zero while a work is in flight throughout the call,
   * zero if none was at one instant during it.
   */
  long inFlight() {
    long exits = 0;
    for (int c = 0; c < COLOURS; c++) {
      exits += counts.get(exited(c));
    }
    long entries = 0;
    for (int c = 0; c < COLOURS; c++) {
      entries += counts.get(entered(c));
    }
    return entries - exits;
  }

  /** Works finished, release step included, since the queue was created. */
  long finished() {
    long exits = 0;
    for (int c = 0; c < COLOURS; c++) {
      exits += counts.get(exited(c));
    }
    return exits - givenBack.get();
  }

  /** Works accepted since the queue was created. */
  long accepted() {
    long entries = 0;
    for (int c = 0; c < COLOURS; c++) {
      entries += counts.get(entered(c));
    }
    return entries - givenBack.get();
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
        while (!isEmpty()) {
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
    while (drained < e && drained + 1 < epoch && colourIsEmpty((int) ((drained + 1) & MASK))) {
      drained++;
    }
    return drained >= e;
  }

  /** Whether colour {@code c} was empty at one instant during the call: exits read first. */
  private boolean colourIsEmpty(int c) {
    long exits = counts.get(exited(c));
    return counts.get(entered(c)) == exits;
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
