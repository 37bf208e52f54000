package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * "Stranded behind a blocked work" (docs/HANGS.md): seed 002's btrfs workers each keep their own
 * list and a work goes to a worker that is not yet "bored" of work; a work placed behind one that
 * blocks waits for it while another thread sleeps. The naive shape, reproduced here with two
 * threads and per-thread lists, strands the second task; {@link WorkerPool}'s one shared worklist
 * (cmwq's, seed 003) runs it on the idle thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Seed002PerWorkerListHangTest {
  private static final Duration BOUND = Duration.ofSeconds(2);

  /** btrfs 2008 in miniature: per-thread lists, a work goes to the first worker below a threshold. */
  private static final class PerWorkerLists implements AutoCloseable {
    private final List<LinkedBlockingQueue<Runnable>> lists = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final int boredThreshold;

    PerWorkerLists(int n, int boredThreshold) {
      this.boredThreshold = boredThreshold;
      for (int i = 0; i < n; i++) {
        LinkedBlockingQueue<Runnable> list = new LinkedBlockingQueue<>();
        lists.add(list);
        Thread t = new Thread(() -> {
          try {
            for (; ; ) {
              list.take().run();
            }
          } catch (InterruptedException e) {
            // closed
          }
        }, "naive-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    /** The first worker holding fewer than the threshold (a running work counts as one). */
    void execute(Runnable r, int[] loads) {
      for (int i = 0; i < lists.size(); i++) {
        if (loads[i] < boredThreshold) {
          loads[i]++;
          lists.get(i).add(r);
          return;
        }
      }
      lists.get(0).add(r);
    }

    @Override
    public void close() throws InterruptedException {
      for (Thread t : threads) {
        t.interrupt();
      }
      for (Thread t : threads) {
        t.join(10_000);
      }
    }
  }

  @Test
  void naivePerWorkerListsStrandTheSecondTaskBehindTheBlockedFirst() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch secondRan = new CountDownLatch(1);
    PerWorkerLists naive = new PerWorkerLists(2, 32); // btrfs' default threshold
    try {
      int[] loads = new int[2];
      naive.execute(() -> awaitQuietly(release), loads);
      naive.execute(secondRan::countDown, loads);
      assertThat(secondRan.await(BOUND.toMillis(), TimeUnit.MILLISECONDS))
          .as("second task ran while the first blocked, with naive-1 idle")
          .isFalse();
    } finally {
      release.countDown();
      assertThat(secondRan.await(10, TimeUnit.SECONDS)).as("ran once released").isTrue();
      naive.close();
    }
  }

  @Test
  void workerPoolRunsTheSecondTaskOnTheIdleThread() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch secondRan = new CountDownLatch(1);
    WorkerPool pool = WorkerPool.builder("s002").minWorkers(2).maxWorkers(2).build();
    try {
      pool.execute(() -> awaitQuietly(release));
      pool.execute(secondRan::countDown);
      assertThat(secondRan.await(BOUND.toMillis(), TimeUnit.MILLISECONDS))
          .as("second task ran while the first blocked")
          .isTrue();
    } finally {
      release.countDown();
      pool.stopNow();
      assertThat(pool.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
