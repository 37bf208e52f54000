package org.asyncwq.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.asyncwq.pool.ThreadSpawner;
import org.asyncwq.pool.WorkerPool;

/**
 * Counts, not times: how many threads each pool creates over a bursty load (bursts separated by
 * pauses longer than the idle timeout), and how long it takes to shrink back to no thread after the
 * last burst. Not a JMH benchmark because the quantities are counts and a single wall-clock
 * interval per run; the report prints the median of several runs.
 */
final class ElasticityProbe {
  static final Duration IDLE = Duration.ofMillis(100);

  /** Threads created and milliseconds until no thread was left, for one contender. */
  record Result(String contender, int threadsCreated, long shrinkMillis) {}

  private ElasticityProbe() {}

  static Result asyncwq(int bursts, int burstSize) throws InterruptedException {
    AtomicInteger created = new AtomicInteger();
    ThreadSpawner counting =
        (name, body) -> {
          created.incrementAndGet();
          return ThreadSpawner.platform().spawn(name, body);
        };
    int threads = Runtime.getRuntime().availableProcessors();
    try (WorkerPool pool =
        WorkerPool.builder("probe").maxWorkers(threads).idleTimeout(IDLE).spawner(counting).build()) {
      for (int b = 0; b < bursts; b++) {
        burst(burstSize, pool::execute);
        pause(IDLE.multipliedBy(2));
      }
      burst(burstSize, pool::execute);
      long shrink = timeUntilZero(() -> pool.stats().workers());
      return new Result("ASYNCWQ", created.get(), shrink);
    }
  }

  static Result tpe(int bursts, int burstSize) throws InterruptedException {
    AtomicInteger created = new AtomicInteger();
    int threads = Runtime.getRuntime().availableProcessors();
    ThreadPoolExecutor tpe =
        new ThreadPoolExecutor(
            threads,
            threads,
            IDLE.toMillis(),
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              created.incrementAndGet();
              Thread t = new Thread(r);
              t.setDaemon(true);
              return t;
            });
    tpe.allowCoreThreadTimeOut(true);
    try {
      for (int b = 0; b < bursts; b++) {
        burst(burstSize, tpe::execute);
        pause(IDLE.multipliedBy(2));
      }
      burst(burstSize, tpe::execute);
      long shrink = timeUntilZero(tpe::getPoolSize);
      return new Result("TPE_CORE_TIMEOUT", created.get(), shrink);
    } finally {
      tpe.shutdown();
      tpe.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  private interface Submit {
    void execute(Runnable r);
  }

  private static void burst(int n, Submit submit) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      submit.execute(done::countDown);
    }
    done.await();
  }

  private static void pause(Duration d) throws InterruptedException {
    TimeUnit.NANOSECONDS.sleep(d.toNanos()); // an idle period of the load, not synchronisation
  }

  private static long timeUntilZero(IntSupplier threads) throws InterruptedException {
    long start = System.nanoTime();
    while (threads.getAsInt() > 0) {
      TimeUnit.MILLISECONDS.sleep(1);
      if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(30)) {
        return -1;
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }
}
