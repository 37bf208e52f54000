package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PoolStats#spawned()} counts a thread before it can run a work: stats read by (or after)
 * a work never show it run by a thread that was not counted yet. The starter used to count a
 * thread only once the spawner returned, so a spawner slow to return let works run uncounted
 * (the storage queues' stats once showed completed work with no thread spawned).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpawnCountTest {

  @Test
  void aThreadIsCountedAsSpawnedBeforeItRunsAWork() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    ThreadSpawner slowToReturn = (name, body) -> {
      Thread t = new Thread(body, name);
      t.start();
      try {
        ran.await(10, TimeUnit.SECONDS); // returns only once the work ran on the new thread
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return t;
    };
    AtomicLong seenByTheWork = new AtomicLong(-1);
    try (WorkerPool pool =
        WorkerPool.builder("counted").maxWorkers(1).spawner(slowToReturn).build()) {
      pool.execute(() -> {
        seenByTheWork.set(pool.stats().spawned());
        ran.countDown();
      });
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(seenByTheWork.get()).isEqualTo(1);
    }
  }

  @Test
  void aSpawnThatFailsIsNotCounted() throws Exception {
    ThreadSpawner failing = (name, body) -> {
      throw new SpawnException("no threads today", false);
    };
    try (WorkerPool pool = WorkerPool.builder("uncounted").maxWorkers(1).spawner(failing).build()) {
      CountDownLatch cancelled = new CountDownLatch(1);
      pool.queue(new Work() {
        @Override
        protected void run() {}

        @Override
        protected void cancelled(Throwable cause) {
          cancelled.countDown();
        }
      });
      assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(pool.stats().spawned()).isZero();
      assertThat(pool.stats().spawnFailures()).isPositive();
    }
  }
}
