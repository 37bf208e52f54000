package org.asyncwq.bench;

import java.util.Locale;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.ordered.OrderedWorkQueue;
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
 * Hashed work (issue 5, point 3): a batch of {@value #BATCH} works, each with a key out of
 * {@value #KEYS}, where works of one key must never run at the same time and must start in queue
 * order. Each work does the same few hundred nanoseconds of CPU work ({@link CpuWork}). The
 * producer queues the batch, parks until every work has run, and repeats. Score: batches per
 * second.
 *
 * <ul>
 *   <li>{@code ORDERED_QUEUE_HASHED}: asyncwq's {@link OrderedWorkQueue#queue(OrderedWork, long)}
 *       with the key as hash, on a shared {@link WorkerPool} of cores threads, all started, with
 *       the pool's default placement (the pool of {@link BurstBenchmark}'s ASYNCWQ). Works of a
 *       busy key wait in that key's chain, off the pool; no thread is tied to a key.
 *   <li>{@code STRIPED_SINGLE_THREADS}: BookKeeper's {@code OrderedExecutor} built from JDK classes:
 *       cores single-thread {@link ThreadPoolExecutor}s, key {@code k} always on executor {@code
 *       floorMod(k, cores)} (BookKeeper's {@code chooseThread}). A key's works are in order because
 *       one thread runs them; but every key of a stripe waits behind that stripe's backlog.
 * </ul>
 *
 * <p><b>Distributions.</b> {@code UNIFORM}: every key equally likely. {@code ZIPF}: key of
 * popularity rank {@code r} with probability proportional to {@code 1 / r^}{@value #ZIPF_S}. The
 * ranks are given to key numbers through a fixed random permutation, so the hot keys fall on
 * stripes as a hash would place them, not round robin. Both key sequences are drawn once from a
 * fixed seed, so every run and every contender sees the same batch.
 *
 * <p><b>Why the skew matters here, and how much it can.</b> We chose to let the skew do its work
 * by itself: every work costs the same, and the skew concentrates works on the hot keys, so on the
 * stripes that hold them. A striped executor then runs the busiest stripe's share of the batch on
 * one thread while the other threads finish early and idle; the hashed queue spreads every key
 * but the running one over whichever thread is free. With CPU-bound works and equal thread counts
 * its best possible advantage is {@code busiest stripe's share / max(1 / cores, hottest key's
 * share)}: the hottest key's works are serial in both designs. {@link #skew(int)} computes that
 * ceiling for this very batch, and the report prints it beside the scores; on a few cores it is far
 * below the 2×, which presumes works that block (a hot key stalling the other keys of its
 * thread). We did not make the hot key's works longer or blocking: that would lengthen the hot
 * key's serial chain in both designs alike, and sleeping works would measure the timer instead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HashedBenchmark {
  static final int BATCH = 1000;
  static final int KEYS = 64;
  static final double ZIPF_S = 1.1;
  private static final long SEED = 0x5EEDL;

  /** The contenders: asyncwq first. */
  public enum Hashing {
    ORDERED_QUEUE_HASHED,
    STRIPED_SINGLE_THREADS
  }

  /** How keys are drawn. */
  public enum Distribution {
    UNIFORM,
    ZIPF
  }

  @Param({"ORDERED_QUEUE_HASHED", "STRIPED_SINGLE_THREADS"})
  public Hashing contender;

  @Param({"UNIFORM", "ZIPF"})
  public Distribution distribution;

  private WorkerPool pool;
  private OrderedWorkQueue queue;
  private ThreadPoolExecutor[] stripes;
  private Item[] items;

  private final AtomicInteger remaining = new AtomicInteger();
  private volatile Thread waiter;

  @Setup(Level.Trial)
  public void start() {
    int threads = Runtime.getRuntime().availableProcessors();
    if (contender == Hashing.ORDERED_QUEUE_HASHED) {
      pool = WorkerPool.builder("hashed").minWorkers(threads).maxWorkers(threads).build();
      queue = OrderedWorkQueue.builder("hashed").pool(pool).build();
    } else {
      stripes = new ThreadPoolExecutor[threads];
      for (int i = 0; i < threads; i++) {
        stripes[i] = new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        stripes[i].prestartAllCoreThreads();
      }
    }
    int[] keys = keys(distribution);
    items = new Item[BATCH];
    for (int i = 0; i < BATCH; i++) {
      items[i] = new Item(this, i, keys[i]);
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    if (queue != null) {
      queue.close();
      pool.close();
    }
    if (stripes != null) {
      for (ThreadPoolExecutor s : stripes) {
        s.shutdown();
      }
      for (ThreadPoolExecutor s : stripes) {
        s.awaitTermination(1, TimeUnit.MINUTES);
      }
    }
  }

  @Benchmark
  public void batch() {
    waiter = Thread.currentThread();
    remaining.set(BATCH);
    if (queue != null) {
      for (Item item : items) {
        queue.queue(item, item.key);
      }
    } else {
      int n = stripes.length;
      for (Item item : items) {
        stripes[Math.floorMod(item.key, n)].execute(item.task);
      }
    }
    while (remaining.get() != 0) {
      LockSupport.park(this);
    }
  }

  void done() {
    if (remaining.decrementAndGet() == 0) {
      LockSupport.unpark(waiter);
    }
  }

  /** The batch's keys, the same in every run: {@value #BATCH} draws out of {@value #KEYS}. */
  static int[] keys(Distribution distribution) {
    Random random = new Random(SEED);
    int[] keyOfRank = new int[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keyOfRank[i] = i;
    }
    for (int i = KEYS - 1; i > 0; i--) { // Fisher-Yates: ranks land on keys as a hash places them
      int j = random.nextInt(i + 1);
      int t = keyOfRank[i];
      keyOfRank[i] = keyOfRank[j];
      keyOfRank[j] = t;
    }
    double[] cumulative = new double[KEYS];
    double sum = 0;
    for (int r = 0; r < KEYS; r++) {
      sum += distribution == Distribution.ZIPF ? Math.pow(r + 1, -ZIPF_S) : 1.0;
      cumulative[r] = sum;
    }
    int[] keys = new int[BATCH];
    for (int i = 0; i < BATCH; i++) {
      double u = random.nextDouble() * sum;
      int r = 0;
      while (r < KEYS - 1 && cumulative[r] <= u) {
        r++;
      }
      keys[i] = keyOfRank[r];
    }
    return keys;
  }

  /**
   * For the report: the hottest key's and the busiest stripe's share of the batch on {@code
   * stripes} stripes, and the best ratio the hashed queue could reach with CPU-bound works.
   */
  static String skew(int stripes) {
    StringBuilder s = new StringBuilder();
    for (Distribution d : Distribution.values()) {
      int[] perKey = new int[KEYS];
      int[] perStripe = new int[stripes];
      for (int k : keys(d)) {
        perKey[k]++;
        perStripe[Math.floorMod(k, stripes)]++;
      }
      double hottest = java.util.Arrays.stream(perKey).max().orElse(0) / (double) BATCH;
      double busiest = java.util.Arrays.stream(perStripe).max().orElse(0) / (double) BATCH;
      double ceiling = busiest / Math.max(1.0 / stripes, hottest);
      s.append(String.format(Locale.ROOT, "%s%s: hottest key %.0f%% of the works, busiest of %d"
              + " stripes %.0f%%, so at best %.2f×", s.length() == 0 ? "" : "; ", d,
          100 * hottest, stripes, 100 * busiest, ceiling));
    }
    return s.toString();
  }

  /** One work of the batch, as an asyncwq work and as a runnable; created once per trial. */
  static final class Item extends OrderedWork {
    private final HashedBenchmark bench;
    private final int index;
    private final int[] data;
    final int key;
    final Runnable task;
    int result;

    Item(HashedBenchmark bench, int index, int key) {
      this.bench = bench;
      this.index = index;
      this.key = key;
      this.data = CpuWork.data(index);
      this.task =
          () -> {
            compute();
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
    protected void release() {
      bench.done(); // the last access: the item may be queued again from here on
    }
  }
}
