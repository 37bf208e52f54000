package org.asyncwq.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncwq.pool.Work;
import org.asyncwq.pool.WorkerPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's pool-core example, compiled against the public API only (this package is not
 * org.asyncwq.pool), so the README cannot drift from what compiles.
 */
@Timeout(30)
class ReadmeExampleTest {

  @Test
  void readmeExampleRunsBothWorksAndClosesCleanly() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch both = new CountDownLatch(2);
    WorkerPool kept;
    try (WorkerPool starter = WorkerPool.starter("starter");
        WorkerPool csum =
            WorkerPool.builder("csum")
                .maxWorkers(4)
                .idleTimeout(Duration.ofSeconds(2))
                .starter(starter)
                .rescuer(true)
                .build()) {
      kept = csum;
      csum.queue(
          new Work() {
            @Override
            protected void run() {
              ran.incrementAndGet();
              both.countDown();
            }

            @Override
            protected void cancelled(Throwable cause) {
              throw new AssertionError("cancelled", cause);
            }
          });
      csum.execute(
          () -> {
            ran.incrementAndGet();
            both.countDown();
          });
      assertThat(both.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ran).hasValue(2);
    assertThat(kept.isTerminated()).isTrue();
    assertThat(kept.stats().executed()).isEqualTo(2);
  }
}
