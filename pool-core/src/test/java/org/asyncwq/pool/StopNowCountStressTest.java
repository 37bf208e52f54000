package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scenario ExactlyOnceLincheckTest's stress mode failed on once, on real threads and many
 * times: [freeze, queue, queue] | [queueRequeuing, queueRequeuing, thaw] | [thaw, stop, stopNow],
 * on a pool whose workers retire as soon as they are idle. Every round: each accepted work is
 * disposed of once, stats add up, and stopNow()'s count equals the works that got a {@code
 * CancellationException}; no round hangs (each thread is joined with a bound). Rounds scale with
 * {@code asyncwq.stress}. The race itself is rare (1,000 rounds of this on the code before the fix
 * did not hit it); StopNowCountTest reproduces it step by step. This test shows, on real threads,
 * that the fix's spin-waits (stopNow() for requeue pushes, a late producer for stopNow()'s sweep)
 * never hang and the count stays exact.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StopNowCountStressTest {

  @Test
  void stopNowCountMatchesItsCancellationsWhenQueueRequeueStopAndStopNowRace() throws Exception {
    for (int round = 0; round < Stress.rounds(500); round++) {
      WorkerPool pool =
          WorkerPool.builder("count-race-" + round)
              .maxWorkers(2)
              .idleTimeout(Duration.ofNanos(1))
              .stallTimeout(Duration.ZERO)
              .build();
      List<ExactlyOnceLincheckTest.Tracked> works = new CopyOnWriteArrayList<>();
      AtomicInteger reported = new AtomicInteger();
      CyclicBarrier start = new CyclicBarrier(3);
      Runnable[] scripts = {
        () -> {
          pool.freeze();
          submit(pool, works, false);
          submit(pool, works, false);
        },
        () -> {
          submit(pool, works, true);
          submit(pool, works, true);
          pool.thaw();
        },
        () -> {
          pool.thaw();
          pool.stop();
          reported.addAndGet(pool.stopNow());
        }
      };
      Thread[] threads = new Thread[3];
      for (int i = 0; i < 3; i++) {
        Runnable script = scripts[i];
        threads[i] = new Thread(() -> {
          try {
            start.await(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          script.run();
        }, "count-race-driver-" + i);
        threads[i].setDaemon(true);
        threads[i].start();
      }
      try {
        for (Thread t : threads) {
          t.join(TimeUnit.SECONDS.toMillis(20));
          assertThat(t.isAlive()).as("round %d: %s hung (%s)", round, t.getName(), pool.stats())
              .isFalse();
        }
        pool.thaw();
        pool.stop();
        assertThat(pool.awaitTermination(Duration.ofSeconds(20)))
            .as("round %d: %s", round, pool.stats()).isTrue();
        ExactlyOnceLincheckTest.checkExactlyOnce(works, pool, reported.get());
      } finally {
        pool.stopNow();
        pool.awaitTermination(Duration.ofSeconds(20));
      }
    }
  }

  private static void submit(WorkerPool pool, List<ExactlyOnceLincheckTest.Tracked> works,
      boolean requeueOnce) {
    ExactlyOnceLincheckTest.Tracked w = new ExactlyOnceLincheckTest.Tracked(pool, requeueOnce);
    works.add(w);
    w.submit();
  }
}
