package org.asyncwq.pool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code freeze()} closes the worklist's take gate: once it has returned, no work leaves the
 * worklist until {@code thaw()} except through {@code stopNow()}'s drain (a work a worker took just
 * before may still start, as one it had taken before the pool's lock would). Model-checked on the
 * real pool: a producer queues two works while a worker takes and the main thread freezes; what
 * was pending when {@code freeze()} returned is still there for {@code stopNow()} to cancel, and
 * every work is disposed of exactly once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public class FreezeGateLincheckTest {

  @Test
  void modelCheckedFreezeRacingWithQueueAndTakesLetsNoWorkLeaveAfterItReturns() {
    Lincheck.runConcurrentTest(Stress.rounds(10), () -> {
      ScriptedSpawner spawner = new ScriptedSpawner();
      WorkerPool pool = WorkerPool.builder("lc-freeze")
          .maxWorkers(2)
          .spawner(spawner)
          .startsOnCaller() // no starter thread per pool: the model checker explores the pool alone
          .stallTimeout(Duration.ZERO) // nor the JVM-wide stall watchdog thread
          .build();
      try {
        ExactlyOnceLincheckTest.Tracked first = new ExactlyOnceLincheckTest.Tracked(pool, false);
        ExactlyOnceLincheckTest.Tracked second = new ExactlyOnceLincheckTest.Tracked(pool, false);
        Thread producer = new Thread(() -> {
          first.submit();
          second.submit();
        });
        producer.start();
        pool.freeze();
        int pendingAtFreeze = pool.stats().pending();
        ExactlyOnceLincheckTest.join(producer);
        int cancelled = pool.stopNow();
        if (cancelled < pendingAtFreeze) {
          throw new AssertionError(pendingAtFreeze + " works were pending when freeze() returned"
              + " but stopNow() found only " + cancelled + ": a worker took one while frozen");
        }
        if (!pool.awaitTermination(Duration.ofSeconds(30))) {
          throw new AssertionError("pool did not terminate: " + pool.stats());
        }
        ExactlyOnceLincheckTest.checkExactlyOnce(List.of(first, second), pool, cancelled);
      } finally {
        pool.stopNow();
        pool.awaitTermination(Duration.ofSeconds(30));
      }
    });
  }
}
