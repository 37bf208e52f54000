package org.asyncwq.pool;

/**
 * A {@link ThreadSpawner} could not create a thread.
 *
 * <p>A <em>retryable</em> failure is one that may pass by itself: the JVM could not get a native
 * thread for a moment ({@code OutOfMemoryError: unable to create native thread}), or the creating
 * thread was interrupted, the way io-wq's {@code create_io_thread()} fails when a signal is pending.
 * The pool retries those, off the submitting thread and with backoff, a few times. Anything else is
 * fatal for that attempt. Either way a failure is only ever fatal to <em>waiting work</em> when the
 * pool has no worker at all: then the waiting works are cancelled with this exception as the cause
 * instead of waiting forever.
 */
public class SpawnException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  /**
   * @param message what could not be created and why
   * @param retryable whether trying again later may succeed
   */
  public SpawnException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  /**
   * @param message what could not be created and why
   * @param retryable whether trying again later may succeed
   * @param cause the underlying failure
   */
  public SpawnException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether trying again later may succeed. */
  public boolean isRetryable() {
    return retryable;
  }
}
