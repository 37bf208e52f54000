package org.asyncwq.pool;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Times the retries of failed thread starts, for every pool in the JVM.
 *
 * <p>A retry must not run on the thread that queued the work (seed 004: io-wq punts a failed
 * creation to a workqueue and retries from there), and a backoff must not sleep on a starter
 * thread that other pools share. So one lazily created daemon thread only keeps time; when a retry
 * is due it hands the attempt to the pool's starter, or makes it itself when the pool has none. The
 * thread ends after a second without retries.
 */
final class SpawnRetryTimer {
  private SpawnRetryTimer() {}

  private static final class Holder {
    static final ScheduledThreadPoolExecutor TIMER = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor timer =
          new ScheduledThreadPoolExecutor(
              1,
              new ThreadFactoryBuilder()
                  .setNameFormat("asyncwq-spawn-retry-%d")
                  .setDaemon(true)
                  .build());
      timer.setKeepAliveTime(1, TimeUnit.SECONDS);
      timer.allowCoreThreadTimeOut(true);
      timer.setRemoveOnCancelPolicy(true);
      return timer;
    }
  }

  /**
   * Runs {@code retry} after {@code delayNanos}.
   *
   * @throws java.util.concurrent.RejectedExecutionException or {@link OutOfMemoryError} if not even
   *     the timer's thread can be had; the caller then treats the start as failed for good
   */
  static void schedule(Runnable retry, long delayNanos) {
    Holder.TIMER.schedule(retry, delayNanos, TimeUnit.NANOSECONDS);
  }
}
