package org.asyncwq.pool;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The default {@link ThreadSpawner}: daemon platform threads of one priority that inherit no
 * {@code InheritableThreadLocal} values.
 */
final class PlatformThreadSpawner implements ThreadSpawner {
  static final PlatformThreadSpawner NORMAL = new PlatformThreadSpawner(Thread.NORM_PRIORITY);

  private final int priority;

  PlatformThreadSpawner(int priority) {
    checkArgument(
        priority >= Thread.MIN_PRIORITY && priority <= Thread.MAX_PRIORITY,
        "thread priority must be between %s and %s, was %s",
        Thread.MIN_PRIORITY,
        Thread.MAX_PRIORITY,
        priority);
    this.priority = priority;
  }

  @Override
  public Thread spawn(String name, Runnable body) throws SpawnException {
    // No InheritableThreadLocal values of whichever thread happens to create a worker.
    Thread thread = new Thread(null, body, name, 0, false);
    thread.setDaemon(true);
    thread.setPriority(priority);
    try {
      thread.start();
    } catch (OutOfMemoryError e) {
      // "unable to create native thread": memory or a process limit, both of which can pass.
      throw new SpawnException("could not start thread " + name + ": " + e.getMessage(), true, e);
    }
    return thread;
  }

  @Override
  public String toString() {
    return "platform(priority=" + priority + ")";
  }
}
