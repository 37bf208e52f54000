package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue point 1 (exactly-once disposition) and point 9 (a pending work queued again returns false
 * and runs once).
 *
 * <p>The stress rounds race several producers against stop, stopNow, freeze/thaw, setMaxWorkers,
 * failing thread starts (retryable and fatal), requeue from inside run(), a rescuer and idle
 * retirement with a timeout of a few milliseconds. Every accepted submission (queue/requeue
 * returned true without throwing) must end in exactly one run or one cancel.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExactlyOnceStressTest {
  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  /**
   * The scripted spawn failures make the pool log a WARN line each, thousands under -Pstress; they
   * are expected here (PoolLoggingTest checks them), so this class only lets errors through.
   */
  @BeforeAll
  static void quietExpectedSpawnWarnings() {
    Configurator.setLevel(CapturingAppender.LOGGER, Level.ERROR);
  }

  @AfterAll
  static void restoreLogLevel() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().removeLogger(CapturingAppender.LOGGER); // back to log4j2-test.xml
    ctx.updateLoggers();
  }

  /** Counts how often it was accepted; optionally requeues itself once from inside run(). */
  private static final class Tracked extends CountingWork {
    final AtomicInteger accepted = new AtomicInteger();
    final boolean requeueOnce;
    final AtomicBoolean requeueTried = new AtomicBoolean();
    volatile WorkerPool pool;

    Tracked(WorkerPool pool, boolean requeueOnce) {
      this.pool = pool;
      this.requeueOnce = requeueOnce;
    }

    @Override
    protected void run() {
      super.run();
      if (requeueOnce && requeueTried.compareAndSet(false, true)) {
        try {
          if (pool.requeue(this)) {
            accepted.incrementAndGet();
          }
        } catch (RejectedExecutionException e) {
          // after stopNow(): not accepted
        }
      }
    }

    void submit() {
      try {
        if (pool.queue(this)) {
          accepted.incrementAndGet();
        }
      } catch (RejectedExecutionException e) {
        // stopping: not accepted
      }
    }
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.HOURS) // backstop; the scaled bound is StressBound
  void everyAcceptedWorkRunsOrIsCancelledExactlyOnceUnderRacingLifecycle() {
    Long only = Long.getLong("asyncwq.roundSeed"); // replays one round's settings
    SplittableRandom seeds = new SplittableRandom(Long.getLong("asyncwq.seed", System.nanoTime()));
    int rounds = Stress.rounds(150);
    StressBound.within(
        Duration.ofSeconds(60),
        () -> {
          for (int round = 0; round < rounds; round++) {
            long seed = only != null ? only : seeds.nextLong();
            runRound("once-" + round, seed);
          }
        });
  }

  private void runRound(String name, long seed) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    int min = rnd.nextInt(2);
    int max = Math.max(1, min) + rnd.nextInt(3);
    boolean rescuer = rnd.nextInt(4) == 0;
    boolean withStarter = rnd.nextBoolean();
    boolean stopNow = rnd.nextBoolean();

    ScriptedSpawner spawner = new ScriptedSpawner();
    for (int i = 0; i < min + (rescuer ? 1 : 0); i++) {
      spawner.then(n -> {}); // build()'s own starts succeed
    }
    for (int i = 0; i < 12; i++) {
      switch (rnd.nextInt(4)) {
        case 0 -> spawner.fail(1 + rnd.nextInt(3), true);
        case 1 -> spawner.fail(1, false);
        default -> spawner.then(n -> {});
      }
    }
    WorkerPool starter = withStarter ? pools.add(WorkerPool.starter(name + "-starter")) : null;
    WorkerPool.Builder b =
        WorkerPool.builder(name)
            .minWorkers(min)
            .maxWorkers(max)
            .idleTimeout(Duration.ofMillis(1 + rnd.nextInt(5)))
            .spawner(spawner)
            .spawnAttempts(1 + rnd.nextInt(3))
            .spawnBackoff(Duration.ofMillis(rnd.nextInt(2)))
            .rescuer(rescuer)
            .maydayTimeout(Duration.ofMillis(1 + rnd.nextInt(3)));
    if (starter != null) {
      b.starter(starter);
    }
    WorkerPool pool = pools.add(b.build());
    String settings =
        String.format(
            "min=%s max=%s rescuer=%s starter=%s stopNow=%s", min, max, rescuer, withStarter,
            stopNow);

    int producers = 3;
    int perProducer = 300;
    List<Tracked> all = new CopyOnWriteArrayList<>();
    CyclicBarrier barrier = new CyclicBarrier(producers);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    int freezeAt = rnd.nextInt(perProducer);
    int thawAt = freezeAt + rnd.nextInt(perProducer / 3);
    int maxAt = rnd.nextInt(perProducer);
    int newMax = Math.max(1, min) + rnd.nextInt(3);
    int stopAt = perProducer / 3 + rnd.nextInt(perProducer);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      boolean controller = p == 0;
      long pseed = rnd.nextLong();
      Thread t =
          new Thread(
              () -> {
                SplittableRandom r = new SplittableRandom(pseed);
                try {
                  barrier.await(10, TimeUnit.SECONDS);
                  for (int i = 0; i < perProducer; i++) {
                    if (controller) {
                      if (i == freezeAt) {
                        pool.freeze();
                      }
                      if (i == thawAt) {
                        pool.thaw();
                      }
                      if (i == maxAt) {
                        pool.setMaxWorkers(newMax);
                      }
                      if (i == stopAt) {
                        if (stopNow) {
                          pool.stopNow();
                        } else {
                          pool.stop();
                        }
                      }
                    }
                    int kind = r.nextInt(8);
                    Tracked w = new Tracked(pool, kind == 0);
                    all.add(w);
                    w.submit();
                    if (kind == 1) {
                      w.submit(); // often still pending: must return false and change nothing
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              },
              name + "-producer-" + p);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(60_000);
      assertThat(t.isAlive()).as("producer %s finished", t.getName()).isFalse();
    }
    assertThat(failure.get()).as("producer failure in %s (seed %s)", name, seed).isNull();

    pool.stop(); // if the controller's stop came after its last work
    pool.thaw(); // a stopped pool that is frozen waits for the thaw
    assertThat(pool.awaitTermination(Duration.ofSeconds(30)))
        .as("%s terminates (seed %s): %s", name, seed, pool.stats())
        .isTrue();

    long accepted = 0;
    long runs = 0;
    long cancels = 0;
    for (Tracked w : all) {
      assertThat(w.disposed())
          .as("work of %s (seed %s, %s, freezeAt %s thawAt %s maxAt %s->%s stopAt %s): requeue %s,"
                  + " accepted %s, runs %s, cancels %s, index %s; %s",
              name, seed, settings, freezeAt, thawAt, maxAt, newMax, stopAt, w.requeueOnce,
              w.accepted.get(), w.runs(), w.cancels(), all.indexOf(w), pool.stats())
          .isEqualTo(w.accepted.get());
      assertThat(w.isPending()).isFalse();
      accepted += w.accepted.get();
      runs += w.runs();
      cancels += w.cancels();
    }
    PoolStats stats = pool.stats();
    assertThat(stats.queued()).as("queued (seed %s) %s", seed, stats).isEqualTo(accepted);
    assertThat(stats.executed()).as("executed (seed %s) %s", seed, stats).isEqualTo(runs);
    assertThat(stats.cancelled()).as("cancelled (seed %s) %s", seed, stats).isEqualTo(cancels);
    assertThat(stats.queued()).isEqualTo(stats.executed() + stats.cancelled());
    assertThat(stats.pending()).isZero();
    assertThat(spawner.anyAlive()).as("a thread of %s outlived termination", name).isFalse();
    if (starter != null) {
      starter.stop();
    }
  }

  @Test
  void pendingWorkQueuedAgainReturnsFalseAndRunsOnce() throws Exception {
    WorkerPool pool =
        pools.add(WorkerPool.builder("once-pending").minWorkers(1).maxWorkers(1).build());
    CountDownLatch gate = pools.gate();
    CountDownLatch blocking = new CountDownLatch(1);
    pool.queue(
        new CountingWork(
            () -> {
              blocking.countDown();
              try {
                gate.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }));
    assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();

    CountingWork w = new CountingWork();
    assertThat(pool.queue(w)).isTrue();
    assertThat(w.isPending()).isTrue();
    assertThat(pool.queue(w)).as("queued while pending").isFalse();
    assertThat(pool.queue(w)).as("queued while pending").isFalse();
    assertThat(pool.stats().queued()).as("accepted once").isEqualTo(2);

    gate.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> w.runs() == 1 && !w.isPending());
    assertThat(pool.queue(w)).as("no longer pending: accepted again").isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> w.runs() == 2);
    pool.close();
    assertThat(w.runs()).isEqualTo(2);
    assertThat(w.cancels()).isZero();
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.HOURS) // backstop; the scaled bound is StressBound
  void concurrentQueueOfOnePendingWorkAcceptsItOnceAndRunsItOnce() {
    StressBound.within(Duration.ofSeconds(30), this::concurrentQueueRounds);
  }

  private void concurrentQueueRounds() throws Exception {
    for (int round = 0; round < Stress.rounds(20); round++) {
      WorkerPool pool = pools.add(WorkerPool.builder("once-concurrent-" + round).maxWorkers(2).build());
      pool.freeze(); // keeps it pending until all producers tried
      CountingWork w = new CountingWork();
      int producers = 4;
      CyclicBarrier barrier = new CyclicBarrier(producers);
      AtomicInteger accepted = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    barrier.await(10, TimeUnit.SECONDS);
                    if (pool.queue(w)) {
                      accepted.incrementAndGet();
                    }
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join(10_000);
      }
      assertThat(failure.get()).isNull();
      assertThat(accepted.get()).isEqualTo(1);
      pool.thaw();
      pool.close();
      assertThat(w.runs()).isEqualTo(1);
      assertThat(w.cancels()).isZero();
    }
  }
}
