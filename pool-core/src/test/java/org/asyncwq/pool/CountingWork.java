package org.asyncwq.pool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A work that records its disposition, to check exactly-once: {@link #runs()} and {@link
 * #cancels()} each count calls, {@link #disposed()} is their sum and must end up exactly 1 for
 * every accepted work.
 */
public class CountingWork extends Work {
  private final AtomicInteger runs = new AtomicInteger();
  private final AtomicInteger cancels = new AtomicInteger();
  private final AtomicReference<Throwable> cause = new AtomicReference<>();
  private final Runnable body;

  public CountingWork() {
    this(() -> {});
  }

  /** @param body runs inside {@link #run()} after the run was counted */
  public CountingWork(Runnable body) {
    this.body = body;
  }

  @Override
  protected void run() {
    runs.incrementAndGet();
    body.run();
  }

  @Override
  protected void cancelled(Throwable cause) {
    this.cause.set(cause);
    cancels.incrementAndGet();
  }

  public int runs() {
    return runs.get();
  }

  public int cancels() {
    return cancels.get();
  }

  public int disposed() {
    return runs.get() + cancels.get();
  }

  /** The cause given to the last {@code cancelled()}, or null. */
  public Throwable cause() {
    return cause.get();
  }
}
