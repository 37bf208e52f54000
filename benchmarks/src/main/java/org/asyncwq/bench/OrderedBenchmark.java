package org.asyncwq.bench;

import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.ordered.OrderedWorkQueue;
import org.asyncwq.pool.Work;
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
 * Ordered completion (issue 5, point 2): a batch of {@code n} items, each with a concurrent step
 * (a few hundred nanoseconds of CPU work, {@link CpuWork}) and an ordered step that appends the
 * item's index to a sequence, which must come out as 0, 1, 2, ... The producer queues the whole
 * batch, parks until the last item is done, and repeats. Score: batches per second.
 *
 * <ul>
 *   <li>{@code ORDERED_QUEUE}: asyncwq's {@link OrderedWorkQueue} on a {@link WorkerPool} with
 *       cores threads, all started (the pool of {@link BurstBenchmark}'s ASYNCWQ). The subject.
 *   <li>{@code UNORDERED_POOL}: the same concurrent step on the same kind of pool, with no ordered
 *       step at all. Not a competitor but the reference for the cost of ordering: the issue's
 *       target is ORDERED_QUEUE ≥ 0.8× of it.
 *   <li>{@code JDK_GUAVA}: what a user would write without asyncwq: {@code
 *       CompletableFuture.runAsync(work, tpe)} per item on a fixed {@link ThreadPoolExecutor} of
 *       cores threads, and the ordered step chained with {@code runAfterBothAsync} after both the
 *       item's own future and the previous item's ordered step, on Guava's {@link
 *       MoreExecutors#newSequentialExecutor} over the same executor. Target: ORDERED_QUEUE ≥ 1.5×.
 * </ul>
 *
 * <p>Neither asyncwq contender allocates per item: the works are created once and queued again
 * for every batch (a batch is over before the next one starts, and an {@link OrderedWork} may be
 * queued again once its {@code release()} has been called). The JDK alternative allocates its two
 * futures per item, as it must; its runnables are created once. Every ordered step checks that it
 * runs in queue order, and an iteration with a step out of order fails the benchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OrderedBenchmark {

  /** The contenders: asyncwq's ordered queue first, then the unordered reference, then the JDK. */
  public enum Ordering {
    ORDERED_QUEUE,
    UNORDERED_POOL,
    JDK_GUAVA
  }

  @Param({"ORDERED_QUEUE", "UNORDERED_POOL", "JDK_GUAVA"})
  public Ordering contender;

  @Param({"100", "1000"})
  public int n;

  private WorkerPool pool;
  private OrderedWorkQueue queue;
  private ThreadPoolExecutor tpe;
  private Executor sequential;
  private Item[] items;

  private final AtomicInteger remaining = new AtomicInteger();
  private volatile Thread waiter;

  // Written only by the ordered steps, which never run at the same time and are ordered by the
  // queue (or the futures); read by the producer after the batch, behind `remaining`.
  private int[] sequence;
  private int next;
  private int outOfOrder;

  @Setup(Level.Trial)
  public void start() {
    int threads = Runtime.getRuntime().availableProcessors();
    switch (contender) {
      case ORDERED_QUEUE:
        pool = WorkerPool.builder("ordered").minWorkers(threads).maxWorkers(threads).build();
        queue = OrderedWorkQueue.builder("ordered").pool(pool).build();
        break;
      case UNORDERED_POOL:
        pool = WorkerPool.builder("unordered").minWorkers(threads).maxWorkers(threads).build();
        break;
      case JDK_GUAVA:
        tpe = new ThreadPoolExecutor(
            threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        tpe.prestartAllCoreThreads();
        sequential = MoreExecutors.newSequentialExecutor(tpe);
        break;
      default:
        throw new AssertionError(contender);
    }
    sequence = new int[n];
    items = new Item[n];
    for (int i = 0; i < n; i++) {
      items[i] = new Item(this, i);
    }
  }

  @TearDown(Level.Iteration)
  public void check() {
    if (outOfOrder != 0) {
      throw new IllegalStateException(outOfOrder + " ordered steps ran out of queue order");
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    if (queue != null) {
      queue.close();
    }
    if (pool != null) {
      pool.close();
    }
    if (tpe != null) {
      tpe.shutdown();
      tpe.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  @Benchmark
  public void batch() {
    waiter = Thread.currentThread();
    next = 0;
    remaining.set(n);
    switch (contender) {
      case ORDERED_QUEUE:
        for (Item item : items) {
          queue.queue(item);
        }
        break;
      case UNORDERED_POOL:
        for (Item item : items) {
          pool.queue(item.plain);
        }
        break;
      case JDK_GUAVA:
        CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
        for (Item item : items) {
          previous = CompletableFuture.runAsync(item.compute, tpe)
              .runAfterBothAsync(previous, item.orderedStep, sequential);
        }
        break;
      default:
        throw new AssertionError(contender);
    }
    while (remaining.get() != 0) {
      LockSupport.park(this);
    }
  }

  void append(int index) {
    if (index != next) {
      outOfOrder++;
    }
    sequence[next++] = index;
  }

  void done() {
    if (remaining.decrementAndGet() == 0) {
      LockSupport.unpark(waiter);
    }
  }

  /** One item, in the three shapes the contenders take; created once per trial. */
  static final class Item extends OrderedWork {
    private final OrderedBenchmark bench;
    private final int index;
    private final int[] data;
    int result;

    /** UNORDERED_POOL: the concurrent step only. */
    final Work plain;

    /** JDK_GUAVA: the concurrent step and the ordered step, as runnables. */
    final Runnable compute;
    final Runnable orderedStep;

    Item(OrderedBenchmark bench, int index) {
      this.bench = bench;
      this.index = index;
      this.data = CpuWork.data(index);
      this.plain =
          new Work() {
            @Override
            protected void run() {
              compute();
              bench.done();
            }
          };
      this.compute = this::compute;
      this.orderedStep =
          () -> {
            bench.append(index);
            bench.done();
          };
    }

    private void compute() {
      result = CpuWork.hash(data, index);
    }

    @Override
    protected void work() {
      compute();
    }

    @Override
    protected void ordered() {
      bench.append(index);
    }

    @Override
    protected void release() {
      bench.done(); // the last access: the item may be queued again from here on
    }
  }
}
