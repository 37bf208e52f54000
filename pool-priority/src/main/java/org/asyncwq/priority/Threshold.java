package org.asyncwq.priority;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntConsumer;
import org.asyncwq.ordered.spi.QueueHooks;

/**
 * The active concurrency of one lane, following its backlog: btrfs' threshold workqueue (seed 003,
 * "Add threshold workqueue based on kernel workqueue").
 *
 * <p>{@link #queued()} raises {@code pending} when a work is queued and {@link #started()} lowers it
 * when the work starts. Every {@code threshold / 4} starts, the active limit moves by one: up while
 * more than {@code threshold} works wait, down while fewer than half of it do, always within
 * {@code [1, limitActive]}. The evaluation is rare on purpose: applying a limit is not free (the
 * kernel takes a mutex; here the pool wakes workers), and a light load should settle on few active
 * threads, which suits a sequential device better than many submitters.
 *
 * <p><b>asyncwq's addition: an idle lane starts again from one.</b> btrfs moves the limit only
 * when works start, so after a burst it rests wherever the last evaluation left it (2 of 4, say),
 * and the next burst begins with more threads than a light load wants. Here, once a lane has no
 * pending and no running work (the last running work finished, {@link #finished()}, or the count
 * of a work the queue refused was taken back, {@link #unqueued()}), the limit returns to 1 in one
 * step. While works run it still moves one step at a time as above.
 *
 * <p><b>Exact pending.</b> The queue reports every accepted work exactly once through {@link
 * #started()}, whether it runs or is cancelled (stop, close, a refused successor), and every such
 * report is followed by one {@link #finished()}; so {@code pending} and the running count return
 * to 0 whatever ended the works, and {@link #congested()} to false.
 *
 * <p>A threshold below {@link #DEFAULT} switches the mechanism off: the lane runs at a fixed {@code
 * limitActive}. {@link #setLimit} applies to both kinds; btrfs never applied a new limit to a fixed
 * queue, asyncwq does.
 *
 * <p>The new limit is computed under {@link #lock} but applied to the pool outside it, as btrfs does.
 * Two starts can then apply their results in the wrong order (A computes 3, B computes 4, B applies,
 * A applies 3 last); {@link #applyCurrent()} re-reads the latest value after applying and applies
 * again until they agree, so the pool always ends at the last computed limit.
 */
final class Threshold implements QueueHooks.Observer {
  /** btrfs' default threshold, and the smallest that turns dynamic concurrency on. */
  static final int DEFAULT = 32;

  /** No threshold: concurrency is fixed at limitActive. */
  static final int NONE = -1;

  /** The index of {@link #runningAndStarts}' word, and one start in it. */
  private static final int RUNNING = 8;

  private static final long ONE_START = 1L << 32;

  private final int threshold;
  private final int interval;
  private final IntConsumer apply;
  private final AtomicInteger pending = new AtomicInteger();

  /**
   * Two counters in one word, so a start costs one atomic add instead of two: the low 32 bits count
   * the works between started() and finished() (never negative: every finished() follows its
   * started()), the high 32 bits count starts (wrapping). Element {@link #RUNNING} of a padded
   * array: the producers write {@link #pending} for every work, and this word, written by the
   * workers only, keeps off its cache line.
   */
  private final AtomicLongArray runningAndStarts = new AtomicLongArray(2 * RUNNING + 1);

  private final Object lock = new Object();

  /** Hears each new limit under {@link #lock}, so in the order they were set (for tests). */
  @GuardedBy("lock")
  private IntConsumer changes = next -> {};

  @GuardedBy("lock")
  private int limit;

  /** The active limit; written under {@link #lock}, read freely. */
  private volatile int current;

  /**
   * @param requested the threshold a user asked for: 0 for the default, below {@link #DEFAULT} for
   *     none
   * @param limit the most threads the lane may run at once
   * @param apply sets the pool's maximum number of workers
   */
  Threshold(int requested, int limit, IntConsumer apply) {
    this.threshold = normalize(requested);
    this.interval = threshold == NONE ? 1 : Math.max(threshold / 4, 1);
    this.apply = apply;
    synchronized (lock) {
      this.limit = limit;
      this.current = threshold == NONE ? limit : 1;
    }
  }

  /** 0 means {@link #DEFAULT}; below it means {@link #NONE}. */
  static int normalize(int requested) {
    if (requested == 0) {
      return DEFAULT;
    }
    return requested < DEFAULT ? NONE : requested;
  }

  void queued() {
    pending.incrementAndGet();
  }

  /**
   * Takes back a {@link #queued()} whose work was not accepted. If it was the last count of an
   * otherwise idle lane, the lane is idle now: the last running work saw it still pending.
   */
  void unqueued() {
    if (pending.decrementAndGet() == 0) {
      settleIfIdle();
    }
  }

  @Override
  public void started() {
    int waiting = pending.decrementAndGet();
    int start = (int) (runningAndStarts.getAndAdd(RUNNING, ONE_START + 1) >>> 32);
    if (threshold == NONE || Math.floorMod(start, interval) != 0) {
      return;
    }
    synchronized (lock) {
      int next = current;
      if (waiting > threshold) {
        next++;
      }
      if (waiting < threshold / 2) {
        next--;
      }
      next = Math.max(1, Math.min(next, limit));
      if (next == current) {
        return;
      }
      current = next;
      changes.accept(next);
    }
    applyCurrent();
  }

  /** A started work is over; the last one out of an idle lane brings the limit back to 1. */
  @Override
  public void finished() {
    if ((int) runningAndStarts.decrementAndGet(RUNNING) == 0) {
      settleIfIdle();
    }
  }

  /**
   * With no work pending and none running, brings a dynamic lane's limit back to 1. Called by
   * whichever of the two counts reached zero, after it did: each of the two callers writes its own
   * count and then reads the other's, so of two racing ones at least one sees both at zero.
   */
  private void settleIfIdle() {
    if (threshold == NONE || pending.get() != 0 || running() != 0) {
      return;
    }
    synchronized (lock) {
      if (current == 1 || running() != 0 || pending.get() != 0) {
        return;
      }
      current = 1;
      changes.accept(1);
    }
    applyCurrent();
  }

  void setLimit(int newLimit) {
    synchronized (lock) {
      limit = newLimit;
      current = threshold == NONE ? newLimit : Math.max(1, Math.min(current, newLimit));
      changes.accept(current);
    }
    applyCurrent();
  }

  /** Applies the latest limit to the pool, outside the lock, until no newer one raced with it. */
  void applyCurrent() {
    int applied;
    do {
      applied = current;
      apply.accept(applied);
    } while (applied != current);
  }

  /** Sets who hears each new limit, in the order the limits are set; for tests. */
  void observeChanges(IntConsumer listener) {
    synchronized (lock) {
      changes = listener;
    }
  }

  int pending() {
    return pending.get();
  }

  int running() {
    return (int) runningAndStarts.get(RUNNING);
  }

  int current() {
    return current;
  }

  int limit() {
    synchronized (lock) {
      return limit;
    }
  }

  /** The threshold in force, or {@link #NONE}. */
  int threshold() {
    return threshold;
  }

  /** btrfs' congestion test: more than twice the threshold waiting; never for a fixed lane. */
  boolean congested() {
    return threshold != NONE && pending.get() > 2 * threshold;
  }
}
