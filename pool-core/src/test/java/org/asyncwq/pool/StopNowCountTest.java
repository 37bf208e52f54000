package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * stopNow() returns how many works it cancelled, and that is every waiting work: the worker of a
 * frozen pool, woken by the queueing, must not take a work and cancel it behind stopNow()'s back.
 */
@Timeout(120)
class StopNowCountTest {

  @Test
  void stopNowOnAFrozenPoolCountsEveryWaitingWork() {
    for (int round = 0; round < Stress.rounds(2000); round++) {
      WorkerPool pool = WorkerPool.builder("count-" + round).minWorkers(1).maxWorkers(1).build();
      try {
        pool.freeze();
        CountingWork[] works = new CountingWork[5];
        for (int i = 0; i < works.length; i++) {
          works[i] = new CountingWork();
          pool.queue(works[i]);
        }
        int n = pool.stopNow();
        assertThat(pool.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(n).as("round %s: %s", round, pool.stats()).isEqualTo(5);
        for (CountingWork w : works) {
          assertThat(w.cancels()).isEqualTo(1);
          assertThat(w.runs()).isZero();
        }
      } finally {
        pool.stopNow();
        pool.awaitTermination(Duration.ofSeconds(10));
      }
    }
  }
}
