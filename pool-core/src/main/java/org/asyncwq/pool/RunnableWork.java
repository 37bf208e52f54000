package org.asyncwq.pool;

import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;

/** Adapts a {@link Runnable} given to {@link WorkerPool#execute(Runnable)}; one per call. */
final class RunnableWork extends Work {
  final Runnable task;

  RunnableWork(Runnable task) {
    this.task = task;
  }

  @Override
  protected void run() {
    task.run();
  }

  /**
   * A future submitted through the {@code ExecutorService} view must not hang its caller: it is
   * cancelled when the pool was stopped, and fails with the cause when the pool could not get a
   * thread.
   */
  @Override
  protected void cancelled(Throwable cause) {
    if (task instanceof PoolFuture<?> && !(cause instanceof CancellationException)) {
      ((PoolFuture<?>) task).fail(cause);
    } else if (task instanceof Future<?>) {
      ((Future<?>) task).cancel(false);
    }
  }

  @Override
  public String toString() {
    return "RunnableWork[" + task + "]";
  }
}
