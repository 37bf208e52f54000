package org.asyncwq.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.asyncwq.ordered.OrderedWork;

/**
 * A burst of ordered works of a few hundred ns of CPU each, reused for every burst so that neither
 * side allocates per work; the producer parks until the last work's {@code release()} unparks it.
 * The thresholded-queue and lane benchmarks share it.
 */
final class OrderedBurst {
  private final AtomicInteger remaining = new AtomicInteger();
  private final Item[] items;
  private volatile Thread waiter;

  OrderedBurst(int size) {
    items = new Item[size];
    for (int i = 0; i < size; i++) {
      items[i] = new Item(this, i);
    }
  }

  /** Queues the first {@code n} works through {@code queue} and returns when each was released. */
  void run(int n, Consumer<OrderedWork> queue) {
    waiter = Thread.currentThread();
    remaining.set(n);
    for (int i = 0; i < n; i++) {
      queue.accept(items[i]);
    }
    while (remaining.get() != 0) {
      LockSupport.park(this);
    }
  }

  private void done() {
    if (remaining.decrementAndGet() == 0) {
      LockSupport.unpark(waiter);
    }
  }

  /** One work, reused for every burst. */
  private static final class Item extends OrderedWork {
    private final OrderedBurst burst;
    private final int index;
    private final int[] data;
    int result;

    Item(OrderedBurst burst, int index) {
      this.burst = burst;
      this.index = index;
      this.data = CpuWork.data(index);
    }

    @Override
    protected void work() {
      result = CpuWork.hash(data, index);
    }

    @Override
    protected void release() {
      burst.done(); // the last access: the item may be queued again from here on
    }
  }
}
