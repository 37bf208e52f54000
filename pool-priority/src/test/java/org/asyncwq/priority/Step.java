package org.asyncwq.priority;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncwq.ordered.OrderedWork;

/**
 * A test work: its work() may wait on a gate and records how many works run at once; its
 * ordered() appends its number to a shared list; counts every call for exactly-once checks.
 */
class Step extends OrderedWork {
  final int id;
  private final CountDownLatch gate;
  private final List<Integer> orderedLog;
  private final AtomicInteger running;
  private final AtomicInteger peak;
  final AtomicInteger works = new AtomicInteger();
  final AtomicInteger ordereds = new AtomicInteger();
  final AtomicInteger releases = new AtomicInteger();
  final CountDownLatch started = new CountDownLatch(1);
  final CountDownLatch released = new CountDownLatch(1);
  int written;
  volatile int seenInOrdered = -1;

  Step(int id, CountDownLatch gate, List<Integer> orderedLog, AtomicInteger running,
      AtomicInteger peak) {
    this.id = id;
    this.gate = gate;
    this.orderedLog = orderedLog;
    this.running = running;
    this.peak = peak;
  }

  @Override
  protected void work() {
    works.incrementAndGet();
    int now = running.incrementAndGet();
    peak.accumulateAndGet(now, Math::max);
    started.countDown();
    try {
      if (gate != null && !gate.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate never opened for work " + id);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      running.decrementAndGet();
    }
    written = id * 7;
  }

  @Override
  protected void ordered() {
    ordereds.incrementAndGet();
    seenInOrdered = written;
    orderedLog.add(id);
  }

  @Override
  protected void release() {
    releases.incrementAndGet();
    released.countDown();
  }
}
