package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, defect 5: a worker that has nothing it may take parks (or retires); it never loops on
 * the CPU looking at work it is not allowed to take. Two shapes: a surplus worker (the maximum was
 * lowered below it) that sees backlog it may not take, and an idle worker of a frozen
 * work-stealing pool that sees work behind a busy worker that it may not steal.
 *
 * <p>"Parked" is observed, not timed: the thread is in {@code WAITING}/{@code TIMED_WAITING} (or
 * has ended) and used less than a tenth of a sampling interval of CPU time during that interval
 * ({@link ThreadMXBean}). A spinning thread shows close to a whole interval; one that parks, none.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdleWorkerParkingTest {
  private static final long BOUND_S = 10;
  private static final Duration SAMPLE = Duration.ofMillis(200);
  private static final long QUIET_NANOS = SAMPLE.toNanos() / 10;

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();

  @BeforeEach
  void cpuTimeIsMeasurable() {
    assumeThat(mx.isThreadCpuTimeSupported()).as("per-thread CPU time").isTrue();
    if (!mx.isThreadCpuTimeEnabled()) {
      mx.setThreadCpuTimeEnabled(true);
    }
  }

  /** A work that records its thread, says it runs, and blocks on a gate. */
  private static final class Blocker extends Work {
    final CountDownLatch running = new CountDownLatch(1);
    final CountDownLatch gate;
    final CountDownLatch done = new CountDownLatch(1);
    volatile Thread thread;

    Blocker(CountDownLatch gate) {
      this.gate = gate;
    }

    @Override
    protected void run() {
      thread = Thread.currentThread();
      running.countDown();
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        done.countDown();
      }
    }
  }

  private Blocker startBlocker(WorkerPool pool) throws InterruptedException {
    Blocker b = new Blocker(pools.gate());
    assertThat(pool.queue(b)).isTrue();
    assertThat(b.running.await(BOUND_S, TimeUnit.SECONDS)).as("blocker started").isTrue();
    return b;
  }

  /** Waits, bounded, until {@code t} is seen parked for a whole sampling interval (or ended). */
  private void assertParks(Thread t, String what) {
    AtomicLong lastCpu = new AtomicLong(-1);
    AtomicReference<String> lastSeen = new AtomicReference<>("not sampled yet");
    try {
      await()
          .pollDelay(SAMPLE)
          .pollInterval(SAMPLE)
          .atMost(Duration.ofSeconds(BOUND_S))
          .until(
              () -> {
                Thread.State state = t.getState();
                long cpu = mx.getThreadCpuTime(t.getId());
                if (state == Thread.State.TERMINATED || cpu < 0) {
                  return true; // it retired: as good as parked
                }
                long before = lastCpu.getAndSet(cpu);
                lastSeen.set(state + ", " + (before < 0 ? "?" : (cpu - before) / 1_000_000)
                    + " ms CPU in the last " + SAMPLE.toMillis() + " ms");
                boolean parked = state == Thread.State.WAITING
                    || state == Thread.State.TIMED_WAITING;
                return before >= 0 && parked && cpu - before < QUIET_NANOS;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(what + " " + t.getName() + " did not park within " + BOUND_S
          + " s; last sample: " + lastSeen.get(), e);
    }
  }

  /**
   * Two workers run blocked works while a third work waits for a thread whose creation is held up;
   * then the maximum drops to 1 and the second worker's work returns: that worker is now beyond the
   * maximum and the first still runs, so it may take nothing.
   */
  private final class LoweredMaximum {
    final Blocker first;
    final Blocker second;
    final CountDownLatch thirdRan = new CountDownLatch(1);

    LoweredMaximum() throws Exception {
      WorkerPool starter = pools.add(WorkerPool.starter("surplus-starter"));
      CountDownLatch thirdSpawn = pools.gate();
      ScriptedSpawner spawner =
          new ScriptedSpawner()
              .then(name -> {}, name -> {}) // the first two workers start at once
              .then(ScriptedSpawner.awaiting(thirdSpawn)); // the third is held up
      WorkerPool pool =
          pools.add(
              WorkerPool.builder("surplus")
                  .minWorkers(1)
                  .maxWorkers(3)
                  .boredThreshold(1)
                  .starter(starter)
                  .spawner(spawner)
                  .build());
      first = startBlocker(pool);
      second = startBlocker(pool);
      assertThat(second.thread).isNotSameAs(first.thread);
      pool.execute(thirdRan::countDown);

      pool.setMaxWorkers(1);
      second.gate.countDown();
      assertThat(second.done.await(BOUND_S, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void surplusWorkerParksInsteadOfSpinning() throws Exception {
    LoweredMaximum lowered = new LoweredMaximum();
    assertParks(lowered.second.thread, "the worker beyond the lowered maximum");
    assertThat(lowered.thirdRan.getCount())
        .as("the waiting work ran beside the running one although the maximum is 1")
        .isOne();
  }

  /**
   * The other side of the same scene: once the running work returns, the waiting work runs on one
   * of the two idle threads; it does not wait for the thread whose creation is still held up.
   */
  @Test
  void workWaitingWhenTheMaximumWasLoweredRunsOnceAWorkerMayTakeIt() throws Exception {
    LoweredMaximum lowered = new LoweredMaximum();
    lowered.first.gate.countDown();
    assertThat(lowered.thirdRan.await(BOUND_S, TimeUnit.SECONDS))
        .as("the waiting work ran on an idle thread of the pool, the maximum being 1")
        .isTrue();
  }

  @Test
  void frozenWorkStealingPoolWorkerParksInsteadOfSpinning() throws Exception {
    ScriptedSpawner spawner = new ScriptedSpawner();
    WorkerPool pool =
        pools.add(
            WorkerPool.builder("frozen-stealing")
                .minWorkers(2)
                .maxWorkers(2)
                .workStealing(true)
                .spawner(spawner)
                .build());
    Blocker busy = startBlocker(pool);
    pool.freeze();
    CountDownLatch behindRan = new CountDownLatch(1);
    pool.execute(behindRan::countDown); // waits behind the busy worker; nobody may take it now

    assertThat(spawner.started()).hasSize(2);
    for (Thread t : spawner.started()) {
      if (t != busy.thread) {
        assertParks(t, "the idle worker of a frozen pool");
      }
    }
    assertThat(behindRan.getCount()).as("nothing started while frozen").isOne();
    pool.thaw();
    busy.gate.countDown();
    assertThat(behindRan.await(BOUND_S, TimeUnit.SECONDS)).isTrue();
  }
}
