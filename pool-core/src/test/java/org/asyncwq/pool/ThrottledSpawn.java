package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScriptedSpawner} step that behaves like {@code kthreadd} throttled on writeback (seed
 * 000): the thread creation blocks until a work of the pool has run and "ended its IO". A work calls
 * {@link #progress()} from its body to be that work; a test calls {@link #release()} when it is done
 * proving the hang, so the blocked creation returns and every thread can be cleaned up.
 *
 * <p>The wait has a last-resort bound of two minutes, after which the step fails the spawn, so a
 * test that died before its cleanup still leaves no thread parked forever.
 */
final class ThrottledSpawn implements ScriptedSpawner.Step {
  private static final Duration LAST_RESORT = Duration.ofMinutes(2);

  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch progress = new CountDownLatch(1);
  private volatile Thread caller;
  private volatile String name;

  @Override
  public void before(String threadName) throws SpawnException {
    caller = Thread.currentThread();
    name = threadName;
    entered.countDown();
    try {
      if (!progress.await(LAST_RESORT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new SpawnException("throttled spawn of " + threadName + " never released", false);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // An interrupted creation may succeed later: seed 004's signal case.
      throw new SpawnException("throttled spawn of " + threadName + " interrupted", true, e);
    }
  }

  /** The work the creation waits for has run: lets the creation go on. */
  void progress() {
    progress.countDown();
  }

  /** Cleanup: lets a creation that is still blocked go on, whether or not the work ran. */
  void release() {
    progress.countDown();
  }

  /** Waits until some thread is blocked in this step; false if none arrived within the bound. */
  boolean awaitEntered(Duration bound) throws InterruptedException {
    return entered.await(bound.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The thread that called the spawner for this step, or null if it was not reached yet. */
  Thread caller() {
    return caller;
  }

  /** The name of the thread the blocked creation was asked for. */
  String threadName() {
    return name;
  }

  /**
   * Asserts, through {@link java.lang.management.ThreadMXBean}, that the caller is still parked
   * inside this step: the creation has not returned, so its caller makes no progress.
   */
  void assertCallerStuckHere() {
    Thread t = caller;
    assertThat(t).as("a thread entered the throttled spawn").isNotNull();
    ThreadInfo info =
        ManagementFactory.getThreadMXBean().getThreadInfo(t.getId(), Integer.MAX_VALUE);
    assertThat(info).as("thread %s is alive", t.getName()).isNotNull();
    assertThat(info.getThreadState())
        .as("state of %s", t.getName())
        .isIn(Thread.State.WAITING, Thread.State.TIMED_WAITING);
    assertThat(Arrays.stream(info.getStackTrace()))
        .as("stack of %s", t.getName())
        .anyMatch(
            f -> f.getClassName().equals(ThrottledSpawn.class.getName())
                && f.getMethodName().equals("before"));
  }
}
