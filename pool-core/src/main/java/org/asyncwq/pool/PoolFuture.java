package org.asyncwq.pool;

import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

/** The future of a task submitted through {@link WorkerPool#asExecutorService()}. */
final class PoolFuture<T> extends FutureTask<T> {
  PoolFuture(Callable<T> callable) {
    super(callable);
  }

  PoolFuture(Runnable runnable, T result) {
    super(runnable, result);
  }

  /** Completes the future with {@code cause} when the pool can never run it. */
  void fail(Throwable cause) {
    setException(cause);
  }
}
