package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registers pools and gates a test opens and, after each test (also a failed one), opens every gate,
 * thaws and {@code stopNow()}s every pool and waits for its termination, so no test leaves threads
 * behind. Use with {@code @RegisterExtension}.
 */
final class PoolsToClose implements AfterEachCallback {
  private final List<WorkerPool> pools = new ArrayList<>();
  private final List<CountDownLatch> gates = new ArrayList<>();

  synchronized WorkerPool add(WorkerPool pool) {
    pools.add(pool);
    return pool;
  }

  /** A latch that the clean-up opens, so that a work blocked on it cannot outlive a failed test. */
  synchronized CountDownLatch gate() {
    CountDownLatch gate = new CountDownLatch(1);
    gates.add(gate);
    return gate;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<WorkerPool> ps;
    synchronized (this) {
      gates.forEach(CountDownLatch::countDown);
      gates.clear();
      ps = new ArrayList<>(pools);
      pools.clear();
    }
    // A starter is built before the pools that use it: stop in reverse order of building.
    for (int i = ps.size() - 1; i >= 0; i--) {
      WorkerPool p = ps.get(i);
      p.thaw();
      p.stopNow();
    }
    for (int i = ps.size() - 1; i >= 0; i--) {
      WorkerPool p = ps.get(i);
      assertThat(p.awaitTermination(Duration.ofSeconds(20)))
          .as("pool %s terminates after the test", p.name())
          .isTrue();
    }
  }
}
