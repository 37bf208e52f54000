package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue point 7 (seed 003, "Btrfs: eliminate races in worker stopping code"): stop racing with
 * workers going idle, getting busy again and retiring. After {@code awaitTermination} returns true,
 * no thread the pool ever started is alive (btrfs' stopped worker woke up on a freed pool) and no
 * accepted work was lost.
 *
 * <p>Each round's producer queues bursts and waits for each burst to drain, so the workers keep
 * moving between busy and idle, and with an idle timeout of 1 ms they keep retiring and being
 * started again, while the test thread stops the pool at a random moment.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StopRaceStressTest {
  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  @Test
  @Timeout(value = 1, unit = TimeUnit.HOURS) // backstop; the scaled bound is StressBound
  void stopRacingWithIdleBusyTransitionsAndRetirementLosesNoWorkAndLeavesNoThread() {
    SplittableRandom seeds = new SplittableRandom(Long.getLong("asyncwq.seed", System.nanoTime()));
    StressBound.within(
        Duration.ofSeconds(60),
        () -> {
          for (int round = 0; round < Stress.rounds(150); round++) {
            runRound("stop-race-" + round, seeds.nextLong(), false);
          }
        });
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.HOURS) // backstop; the scaled bound is StressBound
  void stopNowRacingWithIdleBusyTransitionsAndRetirementCancelsOrRunsEveryWorkAndLeavesNoThread() {
    SplittableRandom seeds = new SplittableRandom(Long.getLong("asyncwq.seed", System.nanoTime()));
    StressBound.within(
        Duration.ofSeconds(60),
        () -> {
          for (int round = 0; round < Stress.rounds(150); round++) {
            runRound("stopnow-race-" + round, seeds.nextLong(), true);
          }
        });
  }

  private void runRound(String name, long seed, boolean now) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    ScriptedSpawner spawner = new ScriptedSpawner();
    int min = rnd.nextInt(2);
    WorkerPool pool =
        pools.add(
            WorkerPool.builder(name)
                .minWorkers(min)
                .maxWorkers(2 + rnd.nextInt(2))
                .idleTimeout(Duration.ofMillis(1))
                .spawner(spawner)
                .build());
    List<CountingWork> accepted = new CopyOnWriteArrayList<>();
    AtomicBoolean rejected = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CyclicBarrier barrier = new CyclicBarrier(2);
    long pseed = rnd.nextLong();
    Thread producer =
        new Thread(
            () -> {
              SplittableRandom r = new SplittableRandom(pseed);
              try {
                barrier.await(10, TimeUnit.SECONDS);
                while (!rejected.get()) {
                  int burst = 1 + r.nextInt(6);
                  int from = accepted.size();
                  for (int i = 0; i < burst; i++) {
                    CountingWork w = new CountingWork();
                    assertThat(pool.queue(w)).isTrue();
                    accepted.add(w);
                  }
                  // Let the burst drain (busy -> idle), bounded; stop may cut it short.
                  long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                  while (!pool.isStopped()
                      && accepted.subList(from, accepted.size()).stream()
                          .anyMatch(w -> w.disposed() == 0)) {
                    if (System.nanoTime() - deadline > 0) {
                      throw new AssertionError("a burst did not drain in " + name);
                    }
                    Thread.onSpinWait();
                  }
                }
              } catch (RejectedExecutionException e) {
                rejected.set(true);
              } catch (Throwable e) {
                failure.set(e);
              }
            },
            name + "-producer");
    producer.start();
    barrier.await(10, TimeUnit.SECONDS);
    // Stop at a random moment: after a random number of works were accepted.
    int stopAfter = rnd.nextInt(40);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (accepted.size() < stopAfter && failure.get() == null && producer.isAlive()
        && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
    }
    if (now) {
      pool.stopNow();
    } else {
      pool.stop();
    }
    producer.join(20_000);
    assertThat(producer.isAlive()).as("producer of %s ended", name).isFalse();
    assertThat(failure.get()).as("producer of %s (seed %s)", name, seed).isNull();

    assertThat(pool.awaitTermination(Duration.ofSeconds(20)))
        .as("%s terminates (seed %s): %s", name, seed, pool.stats())
        .isTrue();
    // No waiting here: once awaitTermination said true, every pool thread must be gone already.
    assertThat(spawner.started())
        .as("threads of %s after awaitTermination (seed %s)", name, seed)
        .noneMatch(Thread::isAlive);
    assertThat(pool.isTerminated()).isTrue();
    for (CountingWork w : accepted) {
      assertThat(w.disposed()).as("a work of %s (seed %s)", name, seed).isEqualTo(1);
      if (!now) {
        assertThat(w.runs()).as("stop() runs every accepted work (seed %s)", seed).isEqualTo(1);
      }
    }
    PoolStats stats = pool.stats();
    assertThat(stats.queued()).isEqualTo(accepted.size());
    assertThat(stats.queued()).isEqualTo(stats.executed() + stats.cancelled());
    assertThat(stats.workers()).isZero();
    assertThat(stats.starting()).isZero();
  }
}
