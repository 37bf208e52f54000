package org.asyncwq.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SmokeTest {
  @Test
  void runsEveryQueuedWorkOnceAndTerminates() throws Exception {
    WorkerPool pool = WorkerPool.builder("smoke").maxWorkers(4).build();
    int n = 100_000;
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      pool.queue(new Work() {
        @Override protected void run() { ran.incrementAndGet(); done.countDown(); }
      });
    }
    assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    pool.stop();
    assertThat(pool.awaitTermination(Duration.ofSeconds(10))).isTrue();
    PoolStats s = pool.stats();
    System.out.println(s);
    assertThat(ran.get()).isEqualTo(n);
    assertThat(s.queued()).isEqualTo(n);
    assertThat(s.executed()).isEqualTo(n);
    assertThat(s.workers()).isZero();
  }
}
