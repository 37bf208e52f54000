package org.asyncwq.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.asyncwq.pool.WorkerPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Elasticity: the time from an idle pool with no thread at all to the first completed task.
 * asyncwq's WorkerPool (minWorkers 0) against a ThreadPoolExecutor whose core threads time out
 * ({@code allowCoreThreadTimeOut}), both with nothing started. Each measurement builds a fresh
 * pool, so the cost includes creating the first thread, as it does after an idle period.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 50)
@Measurement(iterations = 200)
public class ElasticityBenchmark {

  /** The contenders of this benchmark: asyncwq first. */
  public enum Elastic {
    ASYNCWQ,
    TPE_CORE_TIMEOUT
  }

  @Param({"ASYNCWQ", "TPE_CORE_TIMEOUT"})
  public Elastic contender;

  private WorkerPool pool;
  private ThreadPoolExecutor tpe;

  @Setup(Level.Iteration)
  public void idlePool() {
    int threads = Runtime.getRuntime().availableProcessors();
    if (contender == Elastic.ASYNCWQ) {
      pool =
          WorkerPool.builder("elastic")
              .maxWorkers(threads)
              .idleTimeout(Duration.ofMillis(100))
              .build();
    } else {
      tpe =
          new ThreadPoolExecutor(
              threads, threads, 100, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
      tpe.allowCoreThreadTimeOut(true);
    }
  }

  @TearDown(Level.Iteration)
  public void close() throws InterruptedException {
    if (pool != null) {
      pool.close();
      pool = null;
    }
    if (tpe != null) {
      tpe.shutdown();
      tpe.awaitTermination(1, TimeUnit.MINUTES);
      tpe = null;
    }
  }

  @Benchmark
  public void firstTaskFromIdle() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    if (pool != null) {
      pool.execute(done::countDown);
    } else {
      tpe.execute(done::countDown);
    }
    done.await();
  }
}
