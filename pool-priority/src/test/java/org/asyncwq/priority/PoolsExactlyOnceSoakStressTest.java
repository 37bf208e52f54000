package org.asyncwq.priority;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.asyncwq.ordered.OrderedWork;
import org.asyncwq.ordered.OrderedWorkQueue;
import org.asyncwq.pool.SpawnException;
import org.asyncwq.pool.ThreadSpawner;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reliability campaign 1, the pools' exactly-once soak: 10^7 works under {@code -Pstress}
 * (200,000 in the default build, 1/50) through every pool kind, a quarter each, in rounds of
 * {@value #PER_ROUND}. Every round races three producers against thread starts that fail at
 * random (retryable and fatal), stop or stopNow, freeze/thaw, a changed maximum and idle retirement
 * (an idle timeout of a few milliseconds), then checks: every accepted work ran or was cancelled
 * exactly once (and, on the ordered kinds, was released exactly once), no refused work ran, ordered
 * steps and releases kept queue order, works of one hash never overlapped and started in queue
 * order, and no thread of the round is left once it is closed (by thread name prefix).
 *
 * <p>Every round's settings come from its seed; a failure prints it. Replay one round with {@code
 * -Dasyncwq.roundSeed=<seed>}, the whole run with {@code -Dasyncwq.seed=<seed>}.
 */
@Timeout(value = 2, unit = TimeUnit.HOURS) // backstop; each round is bounded below
class PoolsExactlyOnceSoakStressTest {
  private static final String LOGGER = "org.asyncwq";
  static final int PRODUCERS = 3;
  static final int PER_ROUND = 4_002;
  static final String PREFIX = "soak-";

  enum Kind {
    WORKER_POOL,
    ORDERED_PLAIN,
    ORDERED_HASHED,
    WORK_QUEUE_BOTH_LANES
  }

  /** Failing starts log a WARN line each, by design: thousands here. Only errors get through. */
  @BeforeAll
  static void quietExpectedSpawnWarnings() {
    Configurator.setLevel(LOGGER, Level.ERROR);
  }

  @AfterAll
  static void restoreLogLevel() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().removeLogger(LOGGER);
    ctx.updateLoggers();
  }

  static long totalWorks() {
    return 200_000L * Math.max(1, Integer.getInteger("asyncwq.stress", 1));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyAcceptedWorkIsDisposedOnceInOrderAndNoThreadOutlivesClose(Kind kind) throws Exception {
    long master = Long.getLong("asyncwq.seed", System.nanoTime());
    Long only = Long.getLong("asyncwq.roundSeed");
    SplittableRandom seeds = new SplittableRandom(master ^ kind.ordinal());
    long rounds = only != null ? 1 : (totalWorks() / 4 + PER_ROUND - 1) / PER_ROUND;
    Totals totals = new Totals();
    long started = System.nanoTime();
    for (long round = 0; round < rounds; round++) {
      long seed = only != null ? only : seeds.nextLong();
      try {
        runRound(kind, round, seed, totals);
      } catch (Throwable e) {
        throw new AssertionError(kind + " round " + round + " failed: replay with"
            + " -Dasyncwq.roundSeed=" + seed + " (run seed -Dasyncwq.seed=" + master + ")", e);
      }
    }
    System.out.printf("soak %s: %d rounds, %d works submitted, %d accepted, %d ran, %d cancelled,"
            + " %d refused, %d spawn failures, %d stop, %d stopNow, 0 lost, 0 duplicated,"
            + " %.1f s (seed %d)%n",
        kind, rounds, totals.submitted.get(), totals.accepted.get(), totals.ran.get(),
        totals.cancelled.get(), totals.submitted.get() - totals.accepted.get(),
        totals.spawnFailures.get(), totals.stops.get(), totals.stopNows.get(),
        (System.nanoTime() - started) / 1e9, master);
  }

  static final class Totals {
    final AtomicLong submitted = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong ran = new AtomicLong();
    final AtomicLong cancelled = new AtomicLong();
    final AtomicLong spawnFailures = new AtomicLong();
    final AtomicLong stops = new AtomicLong();
    final AtomicLong stopNows = new AtomicLong();
  }

  /** Starts daemon threads, failing a seeded share of the starts, retryable or not. */
  static final class FlakySpawner implements ThreadSpawner {
    private final SplittableRandom rnd;
    private final int failPercent;
    private final AtomicLong failures;
    /** build() must get its minimum workers; the failures start once the pool is built. */
    volatile boolean armed;

    FlakySpawner(long seed, int failPercent, AtomicLong failures) {
      this.rnd = new SplittableRandom(seed);
      this.failPercent = failPercent;
      this.failures = failures;
    }

    @Override
    public Thread spawn(String name, Runnable body) throws SpawnException {
      int roll;
      synchronized (rnd) {
        roll = rnd.nextInt(100);
      }
      if (armed && roll < failPercent) {
        failures.incrementAndGet();
        throw new SpawnException("soak: injected start failure of " + name, roll % 2 == 0);
      }
      Thread t = new Thread(body, name);
      t.setDaemon(true);
      t.start();
      return t;
    }
  }

  /** One round: the pool(s) of {@code kind}, three producers, one of which drives the lifecycle. */
  private void runRound(Kind kind, long round, long seed, Totals totals) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    String name = PREFIX + kind.name().toLowerCase().replace('_', '-') + "-" + round;
    int perProducer = PER_ROUND / PRODUCERS;
    SoakLedger ledger = new SoakLedger(PRODUCERS, perProducer);
    Round r = new Round(kind, name, rnd, totals);

    int freezeAt = rnd.nextInt(perProducer);
    int thawAt = freezeAt + rnd.nextInt(perProducer / 4);
    int maxAt = rnd.nextInt(perProducer);
    int newMax = 1 + rnd.nextInt(4);
    int stopAt = perProducer / 2 + rnd.nextInt(perProducer); // a third of rounds never stop early
    boolean stopNow = rnd.nextBoolean();
    CyclicBarrier barrier = new CyclicBarrier(PRODUCERS);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int producer = p;
      long pseed = rnd.nextLong();
      Thread t = new Thread(() -> {
        SplittableRandom pr = new SplittableRandom(pseed);
        try {
          barrier.await(30, TimeUnit.SECONDS);
          for (int i = 0; i < perProducer; i++) {
            if (producer == 0) {
              if (i == freezeAt) {
                r.pool().freeze();
              }
              if (i == thawAt) {
                r.pool().thaw();
              }
              if (i == maxAt) {
                r.setMax(newMax);
              }
              if (i == stopAt) {
                r.stop(stopNow);
              }
            }
            r.submit(ledger, producer, i, pr);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, name + "-producer-" + p);
      producers.add(t);
      t.start();
    }
    for (Thread t : producers) {
      t.join(TimeUnit.SECONDS.toMillis(120));
      assertThat(t.isAlive()).as("producer %s finished", t.getName()).isFalse();
    }
    assertThat(failure.get()).as("producer failure").isNull();

    r.closeAll();
    assertNoThreadLeft(name);
    assertThat(ledger.violations).as("%d order or exclusion violations", ledger.violationCount())
        .isEmpty();
    long ran = 0;
    long cancelled = 0;
    long accepted = 0;
    for (int id = 0; id < PRODUCERS * perProducer; id++) {
      int a = ledger.accepted.get(id);
      int done = ledger.runs.get(id) + ledger.cancels.get(id);
      assertThat(done).as("work %d: accepted %d, ran %d, cancelled %d", id, a,
          ledger.runs.get(id), ledger.cancels.get(id)).isEqualTo(a);
      if (kind != Kind.WORKER_POOL) {
        assertThat(ledger.releases.get(id)).as("releases of work %d (accepted %d)", id, a)
            .isEqualTo(a);
      }
      accepted += a;
      ran += ledger.runs.get(id);
      cancelled += ledger.cancels.get(id);
    }
    totals.submitted.addAndGet(PRODUCERS * perProducer);
    totals.accepted.addAndGet(accepted);
    totals.ran.addAndGet(ran);
    totals.cancelled.addAndGet(cancelled);
  }

  /** No thread whose name starts with the soak's prefix is alive: this round's, or an earlier's. */
  private static void assertNoThreadLeft(String round) {
    List<String> left = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(PREFIX) && !t.getName().contains("-producer-") && t.isAlive()) {
        left.add(t.getName());
      }
    }
    assertThat(left).as("threads left after %s closed", round).isEmpty();
  }

  /** The pool or queues of one round and how the producers feed and steer them. */
  private static final class Round {
    final Kind kind;
    final WorkerPool pool;
    final OrderedWorkQueue ordered;
    final WorkQueue workQueue;
    final Totals totals;

    Round(Kind kind, String name, SplittableRandom rnd, Totals totals) {
      this.kind = kind;
      this.totals = totals;
      if (kind == Kind.WORK_QUEUE_BOTH_LANES) {
        int limit = 1 + rnd.nextInt(4);
        workQueue = WorkQueue.builder(name)
            .limitActive(limit)
            .threshold(rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(31)) // dynamic or fixed
            .highPriority(true)
            .idleTimeout(Duration.ofMillis(1 + rnd.nextInt(5)))
            .build();
        pool = workQueue.normalLane().pool;
        ordered = null;
        return;
      }
      workQueue = null;
      int min = rnd.nextInt(2);
      FlakySpawner spawner =
          new FlakySpawner(rnd.nextLong(), 10 + rnd.nextInt(60), totals.spawnFailures);
      WorkerPool.Builder b = WorkerPool.builder(name)
          .minWorkers(min)
          .maxWorkers(Math.max(1, min) + rnd.nextInt(4))
          .idleTimeout(Duration.ofMillis(1 + rnd.nextInt(5)))
          .spawner(spawner)
          .spawnAttempts(1 + rnd.nextInt(3))
          .spawnBackoff(Duration.ofMillis(rnd.nextInt(2)));
      pool = b.build();
      spawner.armed = true;
      ordered = kind == Kind.WORKER_POOL
          ? null
          : OrderedWorkQueue.builder(name + "-q").pool(pool).build();
    }

    WorkerPool pool() {
      return pool;
    }

    void setMax(int max) {
      if (workQueue != null) {
        workQueue.setLimitActive(max);
      } else {
        pool.setMaxWorkers(max);
      }
    }

    void stop(boolean now) {
      if (now) {
        totals.stopNows.incrementAndGet();
        pool.stopNow();
      } else {
        totals.stops.incrementAndGet();
        pool.stop();
      }
    }

    void submit(SoakLedger ledger, int producer, int seq, SplittableRandom pr) {
      int id = producer * ledger.perProducer + seq;
      try {
        boolean ok;
        switch (kind) {
          case WORKER_POOL -> ok = pool.queue(ledger.new Plain(id));
          case ORDERED_PLAIN -> ok = ordered.queue(work(ledger, producer, seq, 0, -1, pr));
          case ORDERED_HASHED -> {
            int hash = pr.nextInt(SoakLedger.HASHES + 1) - 1; // -1: unhashed among hashed
            OrderedWork w = work(ledger, producer, seq, 0, hash, pr);
            ok = hash < 0 ? ordered.queue(w) : ordered.queue(w, hash);
          }
          default -> {
            int lane = pr.nextInt(2);
            OrderedWork w = work(ledger, producer, seq, lane, -1, pr);
            ok = lane == 1 ? workQueue.queueHigh(w) : workQueue.queue(w);
          }
        }
        if (ok) {
          ledger.accepted.incrementAndGet(id);
        } else {
          ledger.violation("a fresh work " + id + " was refused as pending");
        }
      } catch (RejectedExecutionException e) {
        // the pool stopped: not accepted, must never run
      }
    }

    private static OrderedWork work(SoakLedger ledger, int producer, int seq, int lane, int hash,
        SplittableRandom pr) {
      return pr.nextInt(4) == 0
          ? ledger.new Unordered(producer, seq, lane, hash)
          : ledger.new Ordered(producer, seq, lane, hash);
    }

    /** Thaws, closes the queues, stops and awaits the pool: every step bounded. */
    void closeAll() throws InterruptedException {
      pool.thaw();
      if (workQueue != null) {
        assertThat(workQueue.close(Duration.ofSeconds(60))).as("%s closed", workQueue.stats())
            .isTrue();
        return;
      }
      if (ordered != null) {
        assertThat(ordered.close(Duration.ofSeconds(60))).as("%s closed", ordered.stats())
            .isTrue();
      }
      pool.stop();
      assertThat(pool.awaitTermination(Duration.ofSeconds(60))).as("%s terminated", pool.stats())
          .isTrue();
    }
  }
}
