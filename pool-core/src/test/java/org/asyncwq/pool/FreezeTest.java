package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue point 10 (the freezer of seed 002's worker_loop): while frozen no work starts, whether it
 * was queued before or during the freeze; queued work runs after thaw; stopNow while frozen cancels
 * it; stop while frozen waits for the thaw.
 *
 * <p>"Nothing starts" is checked over a hold window with Awaitility's {@code during}: it can only
 * fail (a work that starts during the window), never pass by being slow.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FreezeTest {
  private static final Duration HOLD = Duration.ofMillis(300);
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private static List<CountingWork> queue(WorkerPool pool, int n) {
    List<CountingWork> works = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      CountingWork w = new CountingWork();
      works.add(w);
      assertThat(pool.queue(w)).as("queue() still accepts while frozen").isTrue();
    }
    return works;
  }

  private static long runs(List<CountingWork> works) {
    return works.stream().mapToInt(CountingWork::runs).sum();
  }

  private WorkerPool build(String name, int min, int max) {
    return pools.add(
        WorkerPool.builder(name)
            .minWorkers(min)
            .maxWorkers(max)
            .boredThreshold(4)
            .spawner(new ScriptedSpawner())
            .build());
  }

  @Test
  void workQueuedBeforeFreezeDoesNotStartWhileFrozenAndRunsAfterThaw() throws Exception {
    WorkerPool pool = build("freeze-before", 1, 1);
    CountDownLatch gate = pools.gate();
    CountDownLatch running = new CountDownLatch(1);
    CountingWork head =
        new CountingWork(
            () -> {
              running.countDown();
              try {
                gate.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    pool.queue(head);
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    List<CountingWork> waiting = queue(pool, 10); // behind head, not started

    pool.freeze();
    assertThat(pool.isFrozen()).isTrue();
    gate.countDown(); // the running work finishes; the frozen worker must start nothing else
    await().atMost(WAIT).until(() -> pool.stats().executed() == 1);
    await().during(HOLD).atMost(HOLD.plus(WAIT)).until(() -> runs(waiting) == 0);

    pool.thaw();
    assertThat(pool.isFrozen()).isFalse();
    await().atMost(WAIT).until(() -> runs(waiting) == waiting.size());
    assertThat(waiting).allSatisfy(w -> assertThat(w.disposed()).isEqualTo(1));
  }

  @Test
  void workQueuedDuringFreezeDoesNotStartWhileFrozenAndRunsAfterThaw() throws Exception {
    WorkerPool pool = build("freeze-during", 0, 3); // also needs new threads while frozen
    pool.freeze();
    List<CountingWork> works = queue(pool, 30);
    await().during(HOLD).atMost(HOLD.plus(WAIT)).until(() -> runs(works) == 0);
    assertThat(pool.stats().pending()).isEqualTo(30);

    pool.thaw();
    await().atMost(WAIT).until(() -> runs(works) == works.size());
    pool.close();
    assertThat(works).allSatisfy(w -> assertThat(w.disposed()).isEqualTo(1));
  }

  @Test
  void stopNowWhileFrozenCancelsTheQueuedWork() throws Exception {
    WorkerPool pool = build("freeze-stopnow", 2, 2);
    pool.freeze();
    List<CountingWork> works = queue(pool, 20);

    int cancelledNow = pool.stopNow();

    assertThat(pool.awaitTermination(WAIT)).as("terminates without a thaw").isTrue();
    assertThat(cancelledNow).isBetween(18, 20); // a work a worker held to put back is cancelled by it
    assertThat(works).allSatisfy(w -> {
      assertThat(w.runs()).isZero();
      assertThat(w.cancels()).isEqualTo(1);
      assertThat(w.cause()).isInstanceOf(CancellationException.class);
    });
    assertThat(pool.stats().cancelled()).isEqualTo(20);
  }

  @Test
  void stopWhileFrozenWaitsForTheThawThenRunsTheQueuedWork() throws Exception {
    WorkerPool pool = build("freeze-stop", 1, 2);
    pool.freeze();
    List<CountingWork> works = queue(pool, 10);

    pool.stop();
    assertThat(pool.awaitTermination(HOLD)).as("stop() does not end a frozen pool").isFalse();
    assertThat(runs(works)).isZero();
    assertThat(pool.isTerminated()).isFalse();

    pool.thaw();
    assertThat(pool.awaitTermination(WAIT)).isTrue();
    assertThat(works).allSatisfy(w -> {
      assertThat(w.runs()).isEqualTo(1);
      assertThat(w.cancels()).isZero();
    });
  }

  @Test
  void rescuerStartsNoWorkWhileFrozen() throws Exception {
    // The only thread start blocks, so the queued work can only be run by the rescuer.
    CountDownLatch spawnGate = pools.gate();
    ScriptedSpawner spawner =
        new ScriptedSpawner()
            .then(n -> {}) // the rescuer itself
            .then(ScriptedSpawner.awaiting(spawnGate));
    WorkerPool starter = pools.add(WorkerPool.starter("freeze-rescue-starter"));
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("freeze-rescue")
                .maxWorkers(1)
                .rescuer(true)
                .maydayTimeout(Duration.ofMillis(5))
                .starter(starter)
                .spawner(spawner)
                .build());
    pool.freeze();
    List<CountingWork> works = queue(pool, 3);
    await().during(HOLD).atMost(HOLD.plus(WAIT)).until(() -> runs(works) == 0);

    pool.thaw();
    await().atMost(WAIT).until(() -> runs(works) == 3);
    assertThat(pool.stats().rescued()).isEqualTo(3);
    spawnGate.countDown();
  }
}
