package org.asyncwq.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.asyncwq.pool.WorkerPool;

/** The executors compared, each with the same number of worker threads. */
public enum Contender {
  /** asyncwq's {@link WorkerPool}, all its threads started, as the JDK pools below. */
  ASYNCWQ,
  /** {@link ThreadPoolExecutor}, fixed size, unbounded {@link LinkedBlockingQueue}. */
  TPE,
  /** {@link ForkJoinPool} with the same parallelism, fed from outside. */
  FJP;

  /** A running instance of one contender. */
  static final class Running implements AutoCloseable {
    final WorkerPool pool;
    final ExecutorService executor;

    private Running(WorkerPool pool, ExecutorService executor) {
      this.pool = pool;
      this.executor = executor;
    }

    void run(Burst burst) {
      if (pool != null) {
        burst.runOn(pool);
      } else {
        burst.runOn(executor);
      }
    }

    @Override
    public void close() throws InterruptedException {
      if (pool != null) {
        pool.close();
      } else {
        executor.shutdown();
        executor.awaitTermination(1, TimeUnit.MINUTES);
      }
    }
  }

  Running start(int threads) {
    switch (this) {
      case ASYNCWQ:
        return new Running(
            WorkerPool.builder("bench").minWorkers(threads).maxWorkers(threads).build(), null);
      case TPE:
        ThreadPoolExecutor tpe =
            new ThreadPoolExecutor(
                threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        tpe.prestartAllCoreThreads();
        return new Running(null, tpe);
      case FJP:
        return new Running(null, new ForkJoinPool(threads));
      default:
        throw new AssertionError(this);
    }
  }
}
