package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15 point 3: the stall watchdog. A pool wedged on purpose (every worker blocked, work
 * pending) logs exactly one WARN with the stuck stacks once its stall timeout has passed; a busy
 * pool that makes progress logs none; a pool that recovers and stalls again warns again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StallWatchdogTest {
  private static final Duration STALL = Duration.ofMillis(300);
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension final PoolsToClose pools = new PoolsToClose();

  private CapturingAppender log;

  @BeforeEach
  void capture() {
    log = CapturingAppender.attach();
  }

  @AfterEach
  void release() {
    log.close();
  }

  /** Blocks its worker until the gate opens; its frame names it in the watchdog's report. */
  static final class WedgedOnPurpose extends Work {
    private final CountDownLatch gate;
    private final CountDownLatch entered;

    WedgedOnPurpose(CountDownLatch gate, CountDownLatch entered) {
      this.gate = gate;
      this.entered = entered;
    }

    @Override
    protected void run() {
      entered.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private List<LogEvent> warnings(String name) {
    return log.matching(name, e -> e.getLevel() == Level.WARN
        && e.getMessage().getFormattedMessage().contains("pool " + name + " stalled"));
  }

  /** Every worker of {@code pool} (max 2) blocked on {@code gate}, one more work pending. */
  private void wedge(WorkerPool pool, CountDownLatch gate) throws InterruptedException {
    CountDownLatch entered = new CountDownLatch(2);
    pool.queue(new WedgedOnPurpose(gate, entered));
    pool.queue(new WedgedOnPurpose(gate, entered));
    assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    pool.queue(new CountingWork());
    assertThat(pool.stats().pending()).isEqualTo(1);
  }

  /** Waits until the watchdog has looked at the pool {@code more} more times. */
  private static void awaitLooks(WorkerPool pool, int more) {
    long target = pool.monitor.looks + more;
    await().atMost(WAIT).until(() -> pool.monitor.looks >= target);
  }

  @Test
  void aWedgedPoolLogsExactlyOneWarnWithTheStuckStacksOnceItsTimeoutHasPassed()
      throws Exception {
    WorkerPool pool = pools.add(
        WorkerPool.builder("stall-wedged").maxWorkers(2).stallTimeout(STALL).build());
    CountDownLatch gate = pools.gate();
    long wedged = System.nanoTime();
    wedge(pool, gate);

    await().atMost(WAIT).until(() -> !warnings("stall-wedged").isEmpty());
    long warnedAfter = System.nanoTime() - wedged;
    assertThat(Duration.ofNanos(warnedAfter)).isGreaterThanOrEqualTo(STALL);
    // more looks at the still-wedged pool, each past the timeout: still the one warning
    awaitLooks(pool, 8);

    List<LogEvent> warns = warnings("stall-wedged");
    assertThat(warns).hasSize(1);
    String message = warns.get(0).getMessage().getFormattedMessage();
    assertThat(message)
        .contains("1 works pending")
        .contains("workers 2 (idle 0")
        .contains("\"stall-wedged-") // the busy workers by name
        .contains("WedgedOnPurpose.run") // and where they are stuck
        .contains("CountDownLatch.await");
    assertThat(message.split("WedgedOnPurpose.run", -1)).hasSize(3); // both workers' stacks

    gate.countDown();
    pool.close();
  }

  @Test
  void aBusyPoolThatKeepsFinishingWorkLogsNoWarnEvenWithWorkAlwaysPending() {
    WorkerPool pool = pools.add(
        WorkerPool.builder("stall-busy").maxWorkers(1).stallTimeout(STALL).build());
    AtomicBoolean keepGoing = new AtomicBoolean(true);
    for (int i = 0; i < 3; i++) { // one runs, two wait: pending never drops to zero
      pool.queue(new Work() {
        @Override
        protected void run() {
          long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
          while (System.nanoTime() < end) {
            Thread.onSpinWait(); // a millisecond of work, not a wait for anything
          }
          if (keepGoing.get()) {
            pool.requeue(this);
          }
        }
      });
    }
    // four timeouts' worth of looks (it looks every quarter of the timeout)
    awaitLooks(pool, 16);
    assertThat(pool.stats().pending()).isPositive();
    keepGoing.set(false);
    assertThat(warnings("stall-busy")).isEmpty();
    assertThat(pool.stats().executed()).isGreaterThan(16);
    pool.close();
  }

  @Test
  void aPoolThatRecoversAndStallsAgainWarnsAgain() throws Exception {
    WorkerPool pool = pools.add(
        WorkerPool.builder("stall-again").maxWorkers(2).stallTimeout(STALL).build());
    CountDownLatch first = pools.gate();
    wedge(pool, first);
    await().atMost(WAIT).until(() -> warnings("stall-again").size() == 1);

    first.countDown(); // progress: the watchdog re-arms
    await().atMost(WAIT).until(() -> !log.matching("stall-again", e -> e.getLevel() == Level.INFO
        && e.getMessage().getFormattedMessage().contains("no longer stalled")).isEmpty());
    assertThat(warnings("stall-again")).hasSize(1);

    CountDownLatch second = pools.gate();
    wedge(pool, second);
    await().atMost(WAIT).until(() -> warnings("stall-again").size() == 2);
    awaitLooks(pool, 8);
    assertThat(warnings("stall-again")).hasSize(2);
    second.countDown();
    pool.close();
  }

  @Test
  void aZeroStallTimeoutTurnsTheWatchdogOffForThatPoolOnly() throws Exception {
    WorkerPool off = pools.add(
        WorkerPool.builder("stall-off").maxWorkers(2).stallTimeout(Duration.ZERO).build());
    WorkerPool on = pools.add(
        WorkerPool.builder("stall-on").maxWorkers(2).stallTimeout(STALL).build());
    CountDownLatch gate = pools.gate();
    wedge(off, gate);
    wedge(on, gate);
    await().atMost(WAIT).until(() -> warnings("stall-on").size() == 1);
    awaitLooks(on, 4);
    assertThat(off.monitor.looks).isZero();
    assertThat(warnings("stall-off")).isEmpty();
    gate.countDown();
  }

  @Test
  void aFrozenPoolIsNotReportedAsStalled() {
    WorkerPool pool = pools.add(
        WorkerPool.builder("stall-frozen").maxWorkers(2).stallTimeout(STALL).build());
    pool.freeze();
    pool.queue(new CountingWork());
    awaitLooks(pool, 8); // two timeouts' worth of looks with work pending and none finished
    assertThat(warnings("stall-frozen")).isEmpty();
    pool.thaw();
  }

  @Test
  void oneSharedDaemonThreadWatchesEveryPoolAndANegativeTimeoutIsRefused() {
    pools.add(WorkerPool.builder("stall-shared-1").stallTimeout(STALL).build());
    pools.add(WorkerPool.builder("stall-shared-2").stallTimeout(STALL).build());
    List<Thread> watchdogs = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("asyncwq-stall-watchdog")).toList();
    assertThat(watchdogs).hasSize(1);
    assertThat(watchdogs.get(0).isDaemon()).isTrue();

    assertThatThrownBy(() -> WorkerPool.builder("x").stallTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stallTimeout must not be negative, was PT-0.001S");
  }
}
