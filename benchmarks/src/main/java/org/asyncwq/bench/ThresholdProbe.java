package org.asyncwq.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.priority.WorkQueue;
import org.asyncwq.priority.WorkQueueStats;

/**
 * Counts, not times: how many threads a thresholded and a fixed {@link WorkQueue} (the contenders
 * of {@link ThresholdBenchmark}) start under light load ({@value #LIGHT_WORKS} works, one at a
 * time) and under heavy load ({@value #HEAVY_BURSTS} bursts of {@value #BURST} works), each on a
 * fresh queue. Not a JMH benchmark, like {@link ElasticityProbe}: the quantities are counts. The
 * runs are far shorter than the queues' idle timeout, so no thread retires meanwhile and the count
 * is every thread the load made the queue start.
 */
final class ThresholdProbe {
  static final int LIGHT_WORKS = 2000;
  static final int HEAVY_BURSTS = 20;
  static final int BURST = 1000;

  /** One probe: threads started, the active limit at the end, and the ceiling. */
  record Result(
      ThresholdBenchmark.Concurrency contender,
      String load,
      long threadsStarted,
      int activeAtEnd,
      int limitActive) {}

  private ThresholdProbe() {}

  static Result light(ThresholdBenchmark.Concurrency contender) throws InterruptedException {
    try (WorkQueue queue = contender.build("threshold-probe")) {
      Batch batch = new Batch(1);
      for (int i = 0; i < LIGHT_WORKS; i++) {
        batch.runOn(queue);
      }
      return result(contender, "light", queue);
    }
  }

  static Result heavy(ThresholdBenchmark.Concurrency contender) throws InterruptedException {
    try (WorkQueue queue = contender.build("threshold-probe")) {
      Batch batch = new Batch(BURST);
      for (int i = 0; i < HEAVY_BURSTS; i++) {
        batch.runOn(queue);
      }
      return result(contender, "heavy", queue);
    }
  }

  private static Result result(
      ThresholdBenchmark.Concurrency contender, String load, WorkQueue queue) {
    WorkQueueStats stats = queue.stats();
    return new Result(contender, load, stats.normal().pool().spawned(), queue.currentActive(),
        queue.limitActive());
  }

  /** Reusable works of one burst; the caller parks until the last has been released. */
  private static final class Batch {
    private final AtomicInteger remaining = new AtomicInteger();
    private final OrderedWork[] works;
    private volatile Thread waiter;

    Batch(int size) {
      works = new OrderedWork[size];
      for (int i = 0; i < size; i++) {
        int[] data = CpuWork.data(i);
        int seed = i;
        works[i] =
            new OrderedWork() {
              int result;

              @Override
              protected void work() {
                result = CpuWork.hash(data, seed);
              }

              @Override
              protected void release() {
                if (remaining.decrementAndGet() == 0) {
                  LockSupport.unpark(waiter);
                }
              }
            };
      }
    }

    void runOn(WorkQueue queue) {
      waiter = Thread.currentThread();
      remaining.set(works.length);
      for (OrderedWork w : works) {
        queue.queue(w);
      }
      while (remaining.get() != 0) {
        LockSupport.park(this);
      }
    }
  }
}
