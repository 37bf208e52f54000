package org.asyncwq.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.asyncwq.pool.WorkerPool;

/**
 * What a test started, undone in {@code @AfterEach} even when the test failed: gates are opened,
 * queues drained with a bound and closed, and every pool (owned ones too) is stopped and awaited.
 */
final class Cleanup implements AutoCloseable {
  private static final Duration BOUND = Duration.ofSeconds(30);

  private final List<CountDownLatch> gates = new ArrayList<>();
  private final List<OrderedWorkQueue> queues = new ArrayList<>();
  private final List<WorkerPool> pools = new ArrayList<>();

  synchronized CountDownLatch gate() {
    CountDownLatch gate = new CountDownLatch(1);
    gates.add(gate);
    return gate;
  }

  synchronized OrderedWorkQueue queue(OrderedWorkQueue queue) {
    queues.add(queue);
    return queue;
  }

  synchronized WorkerPool pool(WorkerPool pool) {
    pools.add(pool);
    return pool;
  }

  /** A shared pool of at most {@code max} threads, cleaned up after the test. */
  WorkerPool pool(String name, int max) {
    return pool(WorkerPool.builder(name).maxWorkers(max).build());
  }

  /** A queue with its own pool of {@code maxActive} threads, cleaned up after the test. */
  OrderedWorkQueue queue(String name, int maxActive) {
    return queue(OrderedWorkQueue.builder(name).maxActive(maxActive).build());
  }

  @Override
  public synchronized void close() {
    gates.forEach(CountDownLatch::countDown);
    List<WorkerPool> all = new ArrayList<>(pools);
    boolean interrupted = false;
    for (OrderedWorkQueue q : queues) {
      try {
        if (q.drain(BOUND)) {
          q.close(BOUND);
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
      all.add(q.pool());
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    for (WorkerPool p : all) {
      p.stopNow();
    }
    for (WorkerPool p : all) {
      assertThat(p.awaitTermination(BOUND)).as("pool %s terminated", p.name()).isTrue();
    }
  }
}
