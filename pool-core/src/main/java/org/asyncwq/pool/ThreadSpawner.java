package org.asyncwq.pool;

/**
 * Creates and starts the threads of a {@link WorkerPool}: the pool's {@code kthread_run}.
 *
 * <p>Creating a thread may block (the kernel throttles {@code kthreadd} on writeback) or fail (no
 * memory, a resource limit, an interrupt). The pool is built for both: with a
 * {@linkplain WorkerPool.Builder#starter(WorkerPool) starter} it never calls the spawner on a thread
 * whose progress the spawn could be waiting for, it retries {@linkplain SpawnException#isRetryable()
 * retryable} failures with backoff, and a pool that can get no thread at all cancels its waiting work
 * rather than hang.
 *
 * <p>Implementations must be thread-safe: several pools, and retries, may call one spawner at once.
 */
@FunctionalInterface
public interface ThreadSpawner {

  /**
   * Creates a thread that runs {@code body} and starts it.
   *
   * @param name the thread's name, {@code <pool>-<n>} for workers and {@code <pool>-rescuer} for a
   *     rescuer
   * @param body what the thread must run, once
   * @return the started thread
   * @throws SpawnException if no thread could be created; {@code body} must then not run
   */
  Thread spawn(String name, Runnable body) throws SpawnException;

  /**
   * The default spawner: daemon platform threads of normal priority. An {@code OutOfMemoryError}
   * from {@link Thread#start()} ("unable to create native thread") becomes a retryable
   * {@link SpawnException}.
   */
  static ThreadSpawner platform() {
    return PlatformThreadSpawner.NORMAL;
  }

  /**
   * Daemon platform threads of the given priority, with the same failure mapping as {@link
   * #platform()}.
   *
   * @param priority between {@link Thread#MIN_PRIORITY} and {@link Thread#MAX_PRIORITY}
   */
  static ThreadSpawner platform(int priority) {
    return new PlatformThreadSpawner(priority);
  }
}
