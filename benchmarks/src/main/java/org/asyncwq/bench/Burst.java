package org.asyncwq.bench;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.asyncwq.pool.Work;
import org.asyncwq.pool.WorkerPool;

/**
 * One producer's burst of small tasks, reused for every burst so that neither side allocates per
 * task: asyncwq gets its {@link Work} objects, the JDK executors get {@link Runnable}s. The producer
 * parks until the last task of its burst unparks it, so between bursts every executor's threads go
 * back to sleep, as they would in a service that gets a burst of requests now and then.
 */
final class Burst {
  private final AtomicInteger remaining = new AtomicInteger();
  private final Work[] works;
  private final Runnable[] tasks;
  private volatile Thread waiter;

  Burst(int size) {
    works = new Work[size];
    tasks = new Runnable[size];
    for (int i = 0; i < size; i++) {
      works[i] =
          new Work() {
            @Override
            protected void run() {
              done();
            }
          };
      tasks[i] = this::done;
    }
  }

  private void done() {
    if (remaining.decrementAndGet() == 0) {
      LockSupport.unpark(waiter);
    }
  }

  /** Queues the whole burst on {@code pool} and returns when every work has run. */
  void runOn(WorkerPool pool) {
    begin();
    for (Work w : works) {
      pool.queue(w);
    }
    await();
  }

  /** Submits the whole burst to {@code executor} and returns when every task has run. */
  void runOn(Executor executor) {
    begin();
    for (Runnable r : tasks) {
      executor.execute(r);
    }
    await();
  }

  private void begin() {
    waiter = Thread.currentThread();
    remaining.set(works.length);
  }

  private void await() {
    while (remaining.get() != 0) {
      LockSupport.park(this);
    }
  }
}
