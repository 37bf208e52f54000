package org.asyncwq.ordered;

import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import org.asyncwq.pool.WorkerPool;

/**
 * The JDK shape of {@link OrderedWorkQueue}'s waits: a timeout given as a {@link Duration} becomes
 * a bound in nanoseconds ({@link FlushColours#FOREVER} for none), and every wait is interruptible.
 */
final class QueueWaits {
  private QueueWaits() {}

  /** {@code timeout} in nanoseconds, saturated: never negative, never {@code FOREVER}. */
  static long nanos(Duration timeout) {
    checkNotNull(timeout, "timeout");
    try {
      return Math.max(0, Math.min(timeout.toNanos(), FlushColours.FOREVER - 1));
    } catch (ArithmeticException e) {
      return timeout.isNegative() ? 0 : FlushColours.FOREVER - 1;
    }
  }

  /** Waits for an own pool's threads to end; interruptible, as the rest of close(). */
  static boolean awaitPool(WorkerPool pool, long nanos) throws InterruptedException {
    for (; ; ) {
      long slice = nanos == FlushColours.FOREVER ? Long.MAX_VALUE : Math.max(nanos, 0);
      if (pool.awaitTermination(Duration.ofNanos(slice))) {
        return true;
      }
      if (Thread.interrupted()) { // awaitTermination returns false and sets it again
        throw new InterruptedException();
      }
      if (nanos != FlushColours.FOREVER) {
        return false;
      }
    }
  }
}
